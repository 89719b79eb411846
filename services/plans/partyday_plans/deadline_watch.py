"""What the deadline timer does on each round: announce what went overdue this month and last and the
rectification notices past their due date, hold the activities that have ended, archive the summarized plans past
their summary deadline."""

from datetime import datetime

from sqlalchemy.orm import Session

from partyday_plans import deadlines
from partyday_plans.overdue import mark_overdue
from partyday_plans.plans import hold_ended
from partyday_plans.rectifications import announce_overdue
from partyday_plans.summaries import archive_summarized


def check_deadlines(session: Session, now: datetime) -> dict:
    this_month = deadlines.month_of(now)
    announced = sum(mark_overdue(session, month, now) for month in (deadlines.previous_month(this_month), this_month))
    rectifications = announce_overdue(session, now)
    moved = hold_ended(session, now)
    moved += archive_summarized(session, now)
    return {"overdue_announced": announced, "rectifications_overdue": rectifications, "plans_moved": moved}
