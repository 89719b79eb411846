"""The plan lifecycle and the checks a plan must pass, as plain functions.

draft → submitted → approved (published to members at once) or returned → … →
held (once it has ended) → summarized → archived.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from partyday_common.errors import DomainError
from partyday_plans import deadlines

# action: (states it may start from, state it leads to)
TRANSITIONS = {
    "edit": ({"draft", "returned"}, None),
    "submit": ({"draft", "returned"}, "submitted"),
    "approve": ({"submitted"}, "published"),
    "return": ({"submitted"}, "returned"),
    "hold": ({"published"}, "held"),
    "summarize": ({"published", "held"}, "summarized"),
    "archive": ({"summarized"}, "archived"),
}
MAX_DURATION = timedelta(hours=12)
# The states of a plan that was submitted (its plan deadline is met), and of one that has its summary.
SUBMITTED = frozenset({"submitted", "published", "held", "summarized", "archived"})
SUMMARIZED = frozenset({"summarized", "archived"})


def next_status(status: str, action: str) -> str | None:
    """The state after `action`, or 409 with the current state when it is not allowed now."""
    allowed_from, target = TRANSITIONS[action]
    if status not in allowed_from:
        raise DomainError(
            "PLAN_STATE_CONFLICT",
            f"a {status} plan cannot be {action}ed" if action != "submit" else f"a {status} plan cannot be submitted",
            409,
            {"status": status, "action": action, "allowed_from": sorted(allowed_from)},
        )
    return target or status


def check_month_open(month: str, now: datetime, time_zone: str) -> None:
    """A plan is drafted and approved for a month that has not ended (in the organisation's time zone); a
    summary of an activity held in it may still come later."""
    ends = deadlines.month_ends(month, time_zone)
    if now >= ends:
        raise DomainError(
            "MONTH_CLOSED",
            f"{month} has ended: its plans can no longer be drafted or approved",
            422,
            {"month": month, "ended_at": ends.isoformat()},
        )


def check_timing(month: str, starts_at: datetime, ends_at: datetime, time_zone: str, party_day: int | None) -> None:
    """The activity happens within its month, ends after it starts, lasts at most 12 hours, and
    falls on the organisation's fixed party day when it has one."""
    if ends_at <= starts_at:
        raise DomainError("PLAN_TIMES_INVALID", "the activity must end after it starts", 422)
    if ends_at - starts_at > MAX_DURATION:
        raise DomainError("PLAN_TIMES_INVALID", "a party day lasts at most 12 hours", 422)
    local_start = starts_at.astimezone(ZoneInfo(time_zone))
    if local_start.strftime("%Y-%m") != month:
        raise DomainError(
            "PLAN_OUTSIDE_MONTH",
            f"the activity must take place in {month}",
            422,
            {"month": month, "starts_on": local_start.date().isoformat()},
        )
    if party_day is not None and local_start.day != party_day:
        raise DomainError(
            "PARTY_DAY_FIXED",
            f"this organisation holds its party day on day {party_day}",
            422,
            {"party_day": party_day, "starts_on": local_start.date().isoformat()},
        )


def check_required_actions(required: list[str], planned: list[str]) -> None:
    """Every required action of the month's directives is in the plan."""
    missing = [action for action in required if action not in set(planned)]
    if missing:
        raise DomainError(
            "REQUIRED_ACTIONS_MISSING",
            "the plan lacks required actions of this month's directives",
            422,
            {"missing": missing},
        )
