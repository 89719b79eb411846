"""The plan's mark that the month's political birthdays (政治生日) were celebrated at the party day: who marked it
and when. Who they are is the directory's to say; the mark is the plan's."""

from datetime import datetime

from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.errors import DomainError
from partyday_plans.plans import get_plan, plan_view

# An approved plan, until it is archived: the party day is on, or it was held.
MARKABLE = frozenset({"published", "held", "summarized"})


def check_markable(status: str) -> None:
    """Only an approved plan not yet archived is marked (409 PLAN_NOT_APPROVED or PLAN_ARCHIVED)."""
    if status == "archived":
        raise DomainError("PLAN_ARCHIVED", "an archived plan is not changed", 409, {"status": status})
    if status not in MARKABLE:
        raise DomainError("PLAN_NOT_APPROVED", "the celebration is marked on an approved plan", 409, {"status": status})


def mark_celebrated(session: Session, plan_id: str, now: datetime) -> dict:
    """Mark the plan's political birthdays celebrated, once: marking it again keeps the first mark."""
    plan = get_plan(session, plan_id)
    if plan.birthdays_celebrated_at is not None:
        return plan_view(plan)
    check_markable(plan.status)
    plan.birthdays_celebrated_by = session.info.get("actor_id")
    plan.birthdays_celebrated_at = now
    plan.updated_at = now
    audit.record(session, "plan.birthdays_celebrated", "plan", plan.id, plan.branch_path, {"month": plan.month})
    return plan_view(plan)
