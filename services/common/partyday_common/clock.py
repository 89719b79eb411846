"""The `now` an RPC may be given (stored times are instants already: `partyday_common.instants`)."""

from datetime import datetime, timezone

from partyday_common.errors import invalid


def instant(now: str | None) -> datetime:
    """`now` for rules evaluated at a given time (operations and tests); the clock otherwise."""
    if now is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(now)
    except (TypeError, ValueError):
        raise invalid("NOW_INVALID", "now must be an ISO 8601 time with an offset", now=now)
    if parsed.tzinfo is None:
        raise invalid("NOW_INVALID", "now must carry a UTC offset", now=now)
    return parsed
