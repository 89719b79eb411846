"""The rules of a volunteer request, as plain functions: which act moves it from which state to which, who may
act, and its deadlines (taken in within the setting's hours, the work done by the time the resident asked)."""

from datetime import datetime, timedelta

from partyday_common.errors import DomainError

# act -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({"submitted"}), "accepted"),
    "decline": (frozenset({"submitted"}), "declined"),
    "dispatch": (frozenset({"accepted", "dispatched", "published"}), "dispatched"),
    "publish": (frozenset({"accepted", "dispatched", "published"}), "published"),
    "claim": (frozenset({"dispatched", "published"}), "claimed"),
    "complete": (frozenset({"claimed"}), "done"),
    "confirm": (frozenset({"done"}), "confirmed"),
    "cancel": (frozenset({"submitted", "accepted", "dispatched", "published"}), "cancelled"),
}
OPEN_STATES = frozenset({"submitted", "accepted", "dispatched", "published", "claimed"})
# Work still to be done: taken in and not finished; it is late once the time the resident asked for has passed.
WORK_STATES = frozenset({"accepted", "dispatched", "published", "claimed"})
CLAIMABLE = frozenset({"dispatched", "published"})


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`, or 409 REQUEST_STATE_CONFLICT naming both."""
    allowed_from, leads_to = TRANSITIONS[action]
    if state not in allowed_from:
        raise DomainError(
            "REQUEST_STATE_CONFLICT",
            f"a request that is {state} cannot be {action}ed",
            409,
            {"state": state, "action": action, "allowed_from": sorted(allowed_from)},
        )
    return leads_to


def accept_by(submitted_at: datetime, within_hours: float) -> datetime:
    """When the branch must have taken the request in."""
    return submitted_at + timedelta(hours=within_hours)


def check_wanted_by(wanted_by: datetime, now: datetime) -> None:
    """A request asks for help in the future (400 WANTED_BY_PAST otherwise)."""
    if wanted_by <= now:
        raise DomainError("WANTED_BY_PAST", "the time the help is wanted by has already passed", 400)


def may_claim(state: str, dispatched_to: list[str], member_id: str, member_branch: str | None, branch_id: str) -> None:
    """Who may claim: a member the request was dispatched to, or any member of the branch it was published to
    (403 NOT_DISPATCHED_TO_YOU otherwise); the state is checked first (409)."""
    next_state(state, "claim")
    allowed = member_id in dispatched_to if state == "dispatched" else member_branch == branch_id
    if not allowed:
        raise DomainError("NOT_DISPATCHED_TO_YOU", "this request was not dispatched to you", 403)


def may_complete(state: str, claimed_by: str | None, member_id: str) -> None:
    """Only the member who claimed the work records it done (403 NOT_YOUR_CLAIM); the state is checked first."""
    next_state(state, "complete")
    if claimed_by != member_id:
        raise DomainError("NOT_YOUR_CLAIM", "only the member who claimed the request records it done", 403)


def overdue_reason(state: str, accept_by: datetime, wanted_by: datetime, now: datetime) -> str | None:
    """Why a request is late at `now`: `not_taken_in` (still submitted past the hours the branch had), `past_due`
    (taken in, not done by the time the resident asked for), or None."""
    if state == "submitted" and now > accept_by:
        return "not_taken_in"
    if state in WORK_STATES and now > wanted_by:
        return "past_due"
    return None


def on_time(completed_at: datetime, wanted_by: datetime) -> bool:
    return completed_at <= wanted_by
