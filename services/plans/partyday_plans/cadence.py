"""How often a branch must hold each kind of meeting (三会一课), as plain functions: the cadence period a month
falls in (a month, or a quarter of the calendar year), when it ends in the organisation's time zone, and whether
it has ended.

A branch is overdue for a kind when a completed period of its cadence holds no meeting of that kind."""

from dataclasses import dataclass
from datetime import datetime

from partyday_plans import deadlines

MONTHLY, QUARTERLY = "monthly", "quarterly"
CADENCES = (MONTHLY, QUARTERLY)


@dataclass(frozen=True)
class Period:
    """A cadence period: its label (`2026-11`, `2026-Q4`) and its months, first to last."""

    label: str
    months: tuple[str, ...]

    @property
    def last_month(self) -> str:
        return self.months[-1]


def period_of(cadence: str, month: str) -> Period:
    """The period of `cadence` that `month` (like 2026-11) falls in."""
    first = deadlines.parse_month(month)
    if cadence == MONTHLY:
        return Period(month, (month,))
    if cadence != QUARTERLY:
        raise ValueError(f"unknown cadence {cadence}")
    quarter = (first.month - 1) // 3
    months = tuple(f"{first.year}-{quarter * 3 + offset:02d}" for offset in (1, 2, 3))
    return Period(f"{first.year}-Q{quarter + 1}", months)


def period_ends(period: Period, time_zone: str = deadlines.DEFAULT_TIME_ZONE) -> datetime:
    """The instant the period ends: midnight starting the month after its last, in the organisation's time zone."""
    return deadlines.month_ends(period.last_month, time_zone)


def completed(period: Period, now: datetime, time_zone: str = deadlines.DEFAULT_TIME_ZONE) -> bool:
    """Whether the period has ended at `now`: only a completed period can be missed."""
    return now >= period_ends(period, time_zone)
