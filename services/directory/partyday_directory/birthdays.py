"""Political birthdays (政治生日): the anniversary of the day a member joined the Party. One rule says whether a
month holds a member's anniversary, and how many years in the Party it marks; the branch's list for a month and
the notifications service's message both come from it.

A member who joined on 29 February has their anniversary on 28 February in a year that is not a leap year, so
always in February. A member who joined in the month's own year (or later) has no anniversary in it yet: the
first one comes a year after joining."""

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_directory import members
from partyday_directory.models import Member

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def month_of(text) -> tuple[int, int]:
    """(year, month) of a month written `YYYY-MM`, or 400 MONTH_INVALID."""
    found = MONTH.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise invalid("MONTH_INVALID", "a month is written YYYY-MM", month=text)
    return int(found.group(1)), int(found.group(2))


def anniversary_in(joined_on: date, year: int) -> date:
    """The day of the year `year` that is the anniversary of `joined_on` (29 February falls on the 28th in a
    year without it)."""
    try:
        return joined_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def years_in_month(joined_on: date | None, year: int, month: int) -> int | None:
    """The years in the Party that the month's anniversary marks, or None when the month holds none (no joining
    day, another month, or joined that year or later)."""
    if joined_on is None or joined_on.month != month or joined_on.year >= year:
        return None
    return year - joined_on.year


def branch_birthdays(session: Session, branch_id: str, month: str) -> dict:
    """The active members of a branch whose political birthday falls in `month`, by day then name, each with
    the day of the anniversary and the years in the Party it marks."""
    year, number = month_of(month)
    members.branch(session, branch_id)
    found = session.scalars(
        select(Member)
        .where(Member.branch_id == branch_id, Member.active.is_(True), Member.joined_on.is_not(None))
        .order_by(Member.name, Member.id)
    ).all()
    items = [
        {
            "member_id": member.id,
            "name": member.name,
            "joined_on": member.joined_on.isoformat(),
            "anniversary_on": anniversary_in(member.joined_on, year).isoformat(),
            "years": years,
        }
        for member in found
        if (years := years_in_month(member.joined_on, year, number)) is not None
    ]
    items.sort(key=lambda item: item["anniversary_on"])
    return {"branch_id": branch_id, "month": month, "items": items}
