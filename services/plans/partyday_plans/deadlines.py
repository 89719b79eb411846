"""Deadline rules of the monthly cycle, evaluated in the organisation's time zone."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from partyday_common.errors import invalid

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_PLAN_DEADLINE_DAY = 5
DEFAULT_SUMMARY_DEADLINE_DAY = 25

_MONTH = re.compile(r"([1-9]\d{3})-(0[1-9]|1[0-2])")


def parse_month(month: str) -> date:
    """'2026-12' → the first day of that month; anything else is a client error."""
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if not match:
        raise invalid("MONTH_INVALID", "month must look like 2026-12", month=month)
    return date(int(match.group(1)), int(match.group(2)), 1)


def deadline(month: str, day: int, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """The end of `day` of `month` (midnight after it), local to the organisation."""
    first = parse_month(month)
    if not 1 <= day <= 28:
        raise invalid("DEADLINE_DAY_INVALID", "a deadline day must be from 1 to 28", day=day)
    local_midnight = datetime.combine(first.replace(day=day), time(0), ZoneInfo(time_zone))
    return local_midnight + timedelta(days=1)


def month_ends(month: str, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """The instant `month` ends in the organisation's time zone: midnight starting the next month."""
    first = parse_month(month)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return datetime.combine(following, time(0), ZoneInfo(time_zone))


def missing_items(
    month: str,
    now: datetime,
    has_plan: bool,
    has_summary: bool,
    plan_day: int = DEFAULT_PLAN_DEADLINE_DAY,
    summary_day: int = DEFAULT_SUMMARY_DEADLINE_DAY,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[str]:
    """Which of the month's documents are overdue for a branch at `now`."""
    missing = []
    if not has_plan and now >= deadline(month, plan_day, time_zone):
        missing.append("plan")
    if not has_summary and now >= deadline(month, summary_day, time_zone):
        missing.append("summary")
    return missing


def directive_deadline_days(path: str, directives) -> tuple[int, int] | None:
    """The plan and summary deadline days that the month's directives set for the node at `path`: those of
    the closest publisher above it; of several directives it published, the earliest days, since the
    branch answers to each. None when no directive applies."""
    applying = [directive for directive in directives if path.startswith(directive.org_path)]
    if not applying:
        return None
    closest = max(len(directive.org_path) for directive in applying)
    nearest = [directive for directive in applying if len(directive.org_path) == closest]
    return (
        min(directive.plan_deadline_day for directive in nearest),
        min(directive.summary_deadline_day for directive in nearest),
    )


def previous_month(month: str) -> str:
    first = parse_month(month)
    return f"{first.year - 1}-12" if first.month == 1 else f"{first.year}-{first.month - 1:02d}"


def month_of(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")
