"""The one rule of political birthdays (政治生日), the directory's: a month holds a member's joining anniversary
when it is the month they joined in, in a later year; 29 February falls on the 28th in other years; a member who
joined in the month's own year has no anniversary yet. And the plan's mark that they were celebrated."""

from datetime import date

import pytest

from partyday_common.errors import DomainError
from partyday_directory.birthdays import anniversary_in, month_of, years_in_month
from partyday_plans.birthdays import check_markable


@pytest.mark.parametrize(
    "joined_on, year, month, years",
    [
        (date(1985, 7, 1), 2026, 7, 41),
        (date(1985, 7, 31), 2026, 7, 41),
        (date(1985, 7, 1), 2026, 6, None),
        (date(1985, 7, 1), 2026, 8, None),
        (date(2025, 12, 15), 2026, 12, 1),
        (date(2026, 12, 1), 2026, 12, None),
        (date(2026, 1, 1), 2026, 1, None),
        (date(2027, 12, 1), 2026, 12, None),
        (date(2000, 2, 29), 2026, 2, 26),
        (date(2000, 2, 29), 2028, 2, 28),
        (date(2000, 2, 29), 2026, 3, None),
        (None, 2026, 7, None),
    ],
)
def test_a_month_holds_the_anniversary_of_the_month_joined_in_a_later_year(joined_on, year, month, years):
    assert years_in_month(joined_on, year, month) == years


def test_29_february_falls_on_the_28th_in_a_year_without_it():
    assert anniversary_in(date(2000, 2, 29), 2026) == date(2026, 2, 28)
    assert anniversary_in(date(2000, 2, 29), 2028) == date(2028, 2, 29)
    assert anniversary_in(date(1985, 7, 1), 2026) == date(2026, 7, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-12", "", None, "2026-12-01"])
def test_a_month_is_written_year_dash_month(text):
    with pytest.raises(DomainError) as raised:
        month_of(text)
    assert raised.value.code == "MONTH_INVALID" and raised.value.status == 400


def test_month_of_reads_year_and_month():
    assert month_of("2026-02") == (2026, 2)


@pytest.mark.parametrize("status", ["published", "held", "summarized"])
def test_an_approved_plan_may_be_marked_celebrated(status):
    check_markable(status)


@pytest.mark.parametrize(
    "status, code",
    [
        ("draft", "PLAN_NOT_APPROVED"),
        ("submitted", "PLAN_NOT_APPROVED"),
        ("returned", "PLAN_NOT_APPROVED"),
        ("archived", "PLAN_ARCHIVED"),
    ],
)
def test_a_plan_not_approved_or_archived_is_not_marked(status, code):
    with pytest.raises(DomainError) as raised:
        check_markable(status)
    assert raised.value.code == code and raised.value.status == 409
