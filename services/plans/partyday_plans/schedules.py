"""Organisations' schedules: time zone, fixed party day and deadline days, for their subtrees.

A node follows the nearest node on its path (itself included) that has a schedule of its own; the month's
directives of the closest publisher above it set its deadline days."""

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import DomainError
from partyday_plans import deadlines
from partyday_plans.models import Directive, OrgSchedule
from partyday_plans.nodes import ancestors, node
from partyday_plans_contracts.rpc import ScheduleSet


@dataclass(frozen=True)
class Schedule:
    time_zone: str = deadlines.DEFAULT_TIME_ZONE
    party_day: int | None = None
    plan_deadline_day: int = deadlines.DEFAULT_PLAN_DEADLINE_DAY
    summary_deadline_day: int = deadlines.DEFAULT_SUMMARY_DEADLINE_DAY


def resolve(path: str, own: dict[str, OrgSchedule], directives: Iterable[Directive]) -> Schedule:
    """The schedule of the node at `path`, from the organisations' own schedules (`own`, by org id) and
    the month's directives."""
    ids = ancestors(path)
    nearest = next((own[i] for i in reversed(ids) if i in own), None)
    schedule = (
        Schedule(nearest.time_zone, nearest.party_day, nearest.plan_deadline_day, nearest.summary_deadline_day)
        if nearest
        else Schedule()
    )
    days = deadlines.directive_deadline_days(path, directives)
    if days:
        schedule = Schedule(schedule.time_zone, schedule.party_day, *days)
    return schedule


def schedule_for(session: Session, path: str, directives: list[Directive]) -> Schedule:
    """A node's schedule: its nearest ancestor's own, with the deadline days of the month's directives."""
    own = {s.org_id: s for s in session.scalars(select(OrgSchedule).where(OrgSchedule.org_id.in_(ancestors(path))))}
    return resolve(path, own, directives)


class ScheduleBook:
    """The schedules of many nodes in one month, from one read of every organisation's own schedule."""

    def __init__(self, session: Session, directives: list[Directive]):
        self.own = {s.org_id: s for s in session.scalars(select(OrgSchedule))}
        self.directives = directives

    def for_path(self, path: str) -> Schedule:
        return resolve(path, self.own, self.directives)


def set_schedule(session: Session, org_id: str, request: ScheduleSet) -> dict:
    """Set an organisation's own schedule, for its whole subtree."""
    target = node(session, org_id)
    try:
        ZoneInfo(request.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError("TIME_ZONE_INVALID", f"unknown time zone {request.time_zone}", 400)
    schedule = session.get(OrgSchedule, org_id) or OrgSchedule(org_id=org_id)
    for field, value in request.model_dump().items():
        setattr(schedule, field, value)
    schedule.updated_at = utcnow()
    session.add(schedule)
    audit.record(session, "schedule.set", "org_schedule", org_id, target["path"], request.model_dump(mode="json"))
    return {"org_id": org_id, **request.model_dump()}


def get_schedule(session: Session, org_id: str) -> dict:
    """An organisation's schedule as it stands: its own (`own`: false when it follows an ancestor's, or the
    defaults), and which node it follows (`from_org_id`, None for the defaults)."""
    target = node(session, org_id)
    ids = ancestors(target["path"])
    own = {s.org_id: s for s in session.scalars(select(OrgSchedule).where(OrgSchedule.org_id.in_(ids)))}
    source = next((i for i in reversed(ids) if i in own), None)
    schedule = resolve(target["path"], own, [])
    return {
        "org_id": org_id,
        "time_zone": schedule.time_zone,
        "party_day": schedule.party_day,
        "plan_deadline_day": schedule.plan_deadline_day,
        "summary_deadline_day": schedule.summary_deadline_day,
        "own": source == org_id,
        "from_org_id": source,
    }
