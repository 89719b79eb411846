"""Instants: stored times read back as UTC-aware, and the `now` an RPC may be given."""

from datetime import datetime, timezone

from partyday_common.errors import invalid


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (SQLite hands timezone-aware columns back naive)."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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
