"""The column type of every stored time: an instant, whatever the database.

SQLAlchemy's `DateTime(timezone=True)` keeps the offset on PostgreSQL (timestamptz) but drops it on SQLite,
which stored the wall-clock digits as they were given: 09:00+08:00 came back as 09:00, and read as UTC it was
eight hours late. `Instant` stores every time as UTC (timestamptz on PostgreSQL, UTC digits on SQLite, so that
SQLite's text comparisons order them as instants) and always reads it back as an aware UTC datetime. A time
without an offset names no instant, and is refused rather than guessed.
"""

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class NaiveTime(ValueError):
    """A time without a UTC offset was about to be stored."""


def as_utc(moment: datetime) -> datetime:
    """The instant `moment` names, in UTC; refused if it has no offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTime(f"{moment.isoformat()} has no UTC offset, so it names no instant")
    return moment.astimezone(timezone.utc)


class Instant(TypeDecorator):
    """A point in time, stored in UTC and read back as an aware UTC datetime on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
