"""An activity's summary: the branch's account of it after it has ended (late ones flagged), and the month's
archiving once the summary deadline has passed."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError, invalid
from partyday_common.text import visible_length
from partyday_plans import deadlines
from partyday_plans.announcements import announce
from partyday_plans.directives import directives_for
from partyday_plans.models import Plan
from partyday_plans.plans import activity_plan, move, plan_event, plan_view
from partyday_plans.schedules import schedule_for
from partyday_plans_contracts.events import PlanArchived, SummarySubmitted

MAX_SUMMARY = 20000


def summary_text(text) -> str:
    """A summary, trimmed, or 400."""
    if not isinstance(text, str) or not visible_length(text) or len(text) > MAX_SUMMARY:
        raise invalid("SUMMARY_REQUIRED", f"a summary is 1 to {MAX_SUMMARY} characters, some of them visible")
    return text.strip()


def _summary_due(session: Session, plan: Plan) -> datetime:
    schedule = schedule_for(session, plan.branch_path, directives_for(session, plan.branch_path, plan.month))
    return deadlines.deadline(plan.month, schedule.summary_deadline_day, schedule.time_zone)


def submit_summary(session: Session, activity_id: str, text: str, now: datetime) -> dict:
    """The summary of an activity that has ended; after the summary deadline it is accepted and flagged."""
    plan = activity_plan(session, activity_id)
    if now < plan.ends_at:
        raise DomainError("ACTIVITY_NOT_ENDED", "a summary comes after the activity has ended", 422)
    move(session, plan, "summarize")
    plan.summary_text = text
    plan.summary_submitted_at = now
    plan.summary_late = now >= _summary_due(session, plan)
    announce(session, plan_event(plan, SummarySubmitted))
    return plan_view(plan)


def archive_summarized(session: Session, now: datetime) -> int:
    """Summarized plans past their summary deadline are archived; how many."""
    archived = 0
    for plan in session.scalars(select(Plan).where(Plan.status == "summarized")):
        if now >= _summary_due(session, plan):
            move(session, plan, "archive")
            plan.archived_at = now
            announce(session, plan_event(plan, PlanArchived))
            archived += 1
    return archived
