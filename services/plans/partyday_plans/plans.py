"""A branch's plan for a month: drafting and editing it, reading it, and its moves through the lifecycle
(`lifecycle.py`), each recorded in `plan_transitions`. Once approved (`review.py`) it is an activity."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_plans import deadlines, lifecycle
from partyday_plans.announcements import announce
from partyday_plans.directives import directive_view, directives_for
from partyday_plans.meetings import THEME_DAY
from partyday_plans.models import Plan, PlanTransition
from partyday_plans.nodes import branch, node
from partyday_plans.paging import counted_page
from partyday_plans.schedules import schedule_for
from partyday_plans_contracts.events import PlanEvent, PlanHeld
from partyday_plans_contracts.rpc import PlanCreate, PlanEdit


def plan_view(plan: Plan) -> dict:
    return {
        "plan_id": plan.id,
        "branch_id": plan.branch_id,
        "month": plan.month,
        "kind": plan.kind,
        "theme": plan.theme,
        "starts_at": plan.starts_at.isoformat(),
        "ends_at": plan.ends_at.isoformat(),
        "venue": {"name": plan.venue_name, "lat": plan.venue_lat, "lon": plan.venue_lon, "radius_m": plan.radius_m},
        "required_actions": plan.required_actions,
        "optional_actions": plan.optional_actions,
        "attendance_rules": plan.attendance_rules,
        "status": plan.status,
        "activity_id": plan.activity_id,
        "submitted_late": plan.submitted_late,
        "review_comment": plan.review_comment,
        "summary": plan.summary_text,
        "summary_late": plan.summary_late,
        "birthdays_celebrated": (
            {"by": plan.birthdays_celebrated_by, "at": plan.birthdays_celebrated_at.isoformat()}
            if plan.birthdays_celebrated_at
            else None
        ),
    }


def scoped_view(plan: Plan) -> dict:
    """The plan with the path of its branch, for the gateway's scope checks."""
    return {**plan_view(plan), "branch_path": plan.branch_path}


def plan_event(plan: Plan, event: type[PlanEvent]) -> PlanEvent:
    """The payload of one of the plan's moves, as `event`'s model."""
    return event(
        plan_id=plan.id,
        branch_id=plan.branch_id,
        branch_path=plan.branch_path,
        month=plan.month,
        kind=plan.kind,
        status=plan.status,
        activity_id=plan.activity_id,
        summary_chars=len(plan.summary_text or ""),
    )


def move(session: Session, plan: Plan, action: str, comment: str | None = None) -> None:
    """Apply a lifecycle action (409 when the plan's state does not allow it) and record the transition."""
    before = plan.status
    plan.status = lifecycle.next_status(plan.status, action)
    plan.updated_at = utcnow()
    session.add(
        PlanTransition(
            plan_id=plan.id,
            from_status=before,
            to_status=plan.status,
            actor_id=session.info.get("actor_id"),
            comment=comment,
            at=utcnow(),
        )
    )


def get_plan(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise not_found("plan", plan_id)
    return plan


def activity_view(session: Session, activity_id: str) -> dict:
    """The plan behind an activity, with the path of its branch for scope checks and the time zone of its
    organisation, in which its printed documents show their times."""
    plan = activity_plan(session, activity_id)
    return {**scoped_view(plan), "time_zone": schedule_for(session, plan.branch_path, []).time_zone}


def activity_plan(session: Session, activity_id: str) -> Plan:
    """The approved plan behind an activity."""
    plan = session.scalar(select(Plan).where(Plan.activity_id == activity_id))
    if plan is None:
        raise not_found("activity", activity_id)
    return plan


def create_plan(session: Session, request: PlanCreate, now: datetime) -> dict:
    """Draft the branch's plan for a month that has not ended; a branch has one plan a month of each kind (the
    theme day, or one of the other meetings, which needs no directive)."""
    home = branch(session, request.branch_id)
    if session.scalar(
        select(Plan.id).where(Plan.branch_id == home["org_id"], Plan.month == request.month, Plan.kind == request.kind)
    ):
        raise DomainError(
            "PLAN_EXISTS",
            "the branch already has a plan of this kind for this month; edit it",
            409,
            {"kind": request.kind},
        )
    time_zone = schedule_for(session, home["path"], []).time_zone
    lifecycle.check_month_open(request.month, now, time_zone)
    plan = Plan(
        id=uuid.uuid4().hex,
        branch_id=home["org_id"],
        branch_path=home["path"],
        month=request.month,
        kind=request.kind,
        theme=request.theme,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        venue_name=request.venue.name,
        venue_lat=request.venue.lat,
        venue_lon=request.venue.lon,
        radius_m=request.venue.radius_m,
        required_actions=request.required_actions,
        optional_actions=request.optional_actions,
        attendance_rules=request.attendance_rules.model_dump(),
        status="draft",
        submitted_late=False,
        summary_late=False,
        created_at=now,
        updated_at=now,
    )
    lifecycle.check_timing(plan.month, request.starts_at, request.ends_at, time_zone, None)
    session.add(plan)
    session.add(
        PlanTransition(
            plan_id=plan.id, from_status=None, to_status="draft", actor_id=session.info.get("actor_id"), at=now
        )
    )
    return plan_view(plan)


def edit_plan(session: Session, plan_id: str, request: PlanEdit) -> dict:
    """Change a draft or returned plan; only the fields the request names."""
    plan = get_plan(session, plan_id)
    lifecycle.next_status(plan.status, "edit")
    changes = request.model_dump(exclude_unset=True)
    for field in ("theme", "starts_at", "ends_at", "required_actions", "optional_actions"):
        if changes.get(field) is not None:
            setattr(plan, field, getattr(request, field))
    if request.venue is not None:
        plan.venue_name, plan.venue_lat, plan.venue_lon, plan.radius_m = (
            request.venue.name,
            request.venue.lat,
            request.venue.lon,
            request.venue.radius_m,
        )
    if request.attendance_rules is not None:
        plan.attendance_rules = request.attendance_rules.model_dump()
    plan.updated_at = utcnow()
    return plan_view(plan)


def list_plans(
    session: Session, org_id: str, month: str, status: str | None, page: int, page_size: int, kind: str | None = None
) -> dict:
    """The month's plans of every branch under a node, optionally of one status and one kind, newest change
    first."""
    deadlines.parse_month(month)
    offset, limit = page_bounds(page, page_size)
    query = select(Plan).where(
        Plan.month == month, Plan.branch_path.startswith(node(session, org_id)["path"], autoescape=True)
    )
    if status:
        query = query.where(Plan.status == status)
    if kind:
        query = query.where(Plan.kind == kind)
    total, found = counted_page(session, query.order_by(Plan.updated_at.desc(), Plan.id), offset, limit)
    return {"items": [plan_view(p) for p in found.scalars()], "total": total, "page": page, "page_size": page_size}


def branch_month(session: Session, branch_id: str, month: str) -> dict:
    """A branch's month: its task (the directives), its schedule and deadlines, and its theme day's plan."""
    deadlines.parse_month(month)
    home = branch(session, branch_id)
    directives = directives_for(session, home["path"], month)
    schedule = schedule_for(session, home["path"], directives)
    plan = session.scalar(select(Plan).where(Plan.branch_id == branch_id, Plan.month == month, Plan.kind == THEME_DAY))
    return {
        "branch_id": branch_id,
        "month": month,
        "directives": [directive_view(d) for d in directives],
        "required_actions": [a for d in directives for a in d.required_actions],
        "party_day": schedule.party_day,
        "time_zone": schedule.time_zone,
        "plan_due": deadlines.deadline(month, schedule.plan_deadline_day, schedule.time_zone).isoformat(),
        "summary_due": deadlines.deadline(month, schedule.summary_deadline_day, schedule.time_zone).isoformat(),
        "plan": plan_view(plan) if plan else None,
    }


def hold_ended(session: Session, now: datetime) -> int:
    """Published plans whose activity has ended are held; how many."""
    held = 0
    for plan in session.scalars(select(Plan).where(Plan.status == "published", Plan.ends_at <= now)):
        move(session, plan, "hold")
        announce(session, plan_event(plan, PlanHeld))
        held += 1
    return held
