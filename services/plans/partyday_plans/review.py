"""A plan's review: the branch submits it (checked against the month's directives and its schedule; a late one
is accepted and flagged), a superior returns it with a comment or approves it. Approval publishes it to the
branch's members and makes it an activity, with the roster snapshot attendance opens the sign-in sheet from."""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import invalid
from partyday_plans import deadlines, lifecycle, meetings
from partyday_plans.announcements import announce
from partyday_plans.directives import directives_for
from partyday_plans.plans import get_plan, move, plan_event, plan_view
from partyday_plans.schedules import schedule_for
from partyday_plans_contracts.events import PlanApproved, PlanReturned, PlanSubmitted, RosterEntry

ROSTER_PAGE = 500
MAX_COMMENT = 2000


def submit_plan(session: Session, plan_id: str, now: datetime) -> dict:
    """Submit for review; after the deadline it is accepted and flagged late, never refused. A meeting other
    than the theme day answers to no directive, fixed party day or plan deadline."""
    plan = get_plan(session, plan_id)
    move(session, plan, "submit")
    theme_day = plan.kind == meetings.THEME_DAY
    directives = directives_for(session, plan.branch_path, plan.month) if theme_day else []
    schedule = schedule_for(session, plan.branch_path, directives)
    party_day = schedule.party_day if theme_day else None
    lifecycle.check_timing(plan.month, plan.starts_at, plan.ends_at, schedule.time_zone, party_day)
    lifecycle.check_required_actions([a for d in directives for a in d.required_actions], plan.required_actions)
    plan.submitted_at = now
    plan.submitted_late = theme_day and now >= deadlines.deadline(
        plan.month, schedule.plan_deadline_day, schedule.time_zone
    )
    announce(session, plan_event(plan, PlanSubmitted))
    return plan_view(plan)


def publishes_on_submit(session: Session, plan_id: str, now: datetime) -> str | None:
    """The branch of a plan whose kind its organisation lets publish without approval (a meeting, by default),
    whose roster its submission takes; None for one that waits for a superior (the theme day always)."""
    plan = get_plan(session, plan_id)
    if meetings.requires_approval(session, plan.branch_path, plan.kind):
        return None
    lifecycle.next_status(plan.status, "submit")
    lifecycle.check_month_open(plan.month, now, schedule_for(session, plan.branch_path, []).time_zone)
    return plan.branch_id


def submit(session: Session, plan_id: str, now: datetime, roster: list[dict] | None) -> dict:
    """Submit a plan for review, or, with the roster of a plan that needs no approval, publish it to the branch's
    members at once as an activity."""
    if roster is None:
        return submit_plan(session, plan_id, now)
    submit_plan(session, plan_id, now)
    return approve_plan(session, plan_id, roster, action="plan.publish")


def review_comment(comment) -> str:
    """A returned plan's comment, trimmed, or 400."""
    if not isinstance(comment, str) or not comment.strip() or len(comment) > MAX_COMMENT:
        raise invalid("COMMENT_REQUIRED", f"a returned plan needs a comment of at most {MAX_COMMENT} characters")
    return comment.strip()


def return_plan(session: Session, plan_id: str, comment: str) -> dict:
    """Send the plan back to its branch with the reviewer's comment."""
    plan = get_plan(session, plan_id)
    move(session, plan, "return", comment)
    plan.review_comment = comment
    plan.reviewed_by = session.info.get("actor_id")
    plan.reviewed_at = utcnow()
    announce(session, plan_event(plan, PlanReturned).model_copy(update={"review_comment": comment}))
    audit.record(session, "plan.return", "plan", plan.id, plan.branch_path, {"month": plan.month, "comment": comment})
    return plan_view(plan)


def approvable(session: Session, plan_id: str, now: datetime) -> str:
    """The branch of a plan that may be approved now (409 otherwise; 422 once its month has ended), whose roster
    its approval takes."""
    plan = get_plan(session, plan_id)
    lifecycle.next_status(plan.status, "approve")
    schedule = schedule_for(session, plan.branch_path, directives_for(session, plan.branch_path, plan.month))
    lifecycle.check_month_open(plan.month, now, schedule.time_zone)
    return plan.branch_id


def fetch_roster(directory, branch_id: str) -> list[dict]:
    """The branch's members now, from the directory (`list_members`, a page at a time)."""
    roster, page = [], 1
    while True:
        found = directory.list_members(branch_id, page=page, page_size=ROSTER_PAGE)
        roster += [RosterEntry.model_validate(member).model_dump() for member in found["items"]]
        if page * ROSTER_PAGE >= found["total"]:
            return roster
        page += 1


def approve_plan(session: Session, plan_id: str, roster: list[dict], action: str = "plan.approve") -> dict:
    """Approval publishes the plan to the branch's members and makes it an activity; `action` is the act on
    record (`plan.publish` for a plan published on submission)."""
    plan = get_plan(session, plan_id)
    move(session, plan, "approve")
    plan.activity_id = uuid.uuid4().hex
    plan.reviewed_by = session.info.get("actor_id")
    plan.reviewed_at = utcnow()
    plan.review_comment = None
    announce(
        session,
        PlanApproved(
            plan_id=plan.id,
            activity_id=plan.activity_id,
            branch_id=plan.branch_id,
            branch_path=plan.branch_path,
            month=plan.month,
            kind=plan.kind,
            theme=plan.theme,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            venue_name=plan.venue_name,
            venue_lat=plan.venue_lat,
            venue_lon=plan.venue_lon,
            radius_m=plan.radius_m,
            required_actions=plan.required_actions,
            attendance_rules=plan.attendance_rules,
            roster=roster,
        ),
    )
    audit.record(
        session,
        action,
        "plan",
        plan.id,
        plan.branch_path,
        {"month": plan.month, "kind": plan.kind, "activity_id": plan.activity_id},
    )
    return plan_view(plan)
