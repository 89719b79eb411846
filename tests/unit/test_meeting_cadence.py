"""The cadence of the other meetings (三会一课): which period a month falls in, and when it has ended."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_plans import cadence

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("name", "month", "label", "months"),
    [
        ("monthly", "2026-11", "2026-11", ("2026-11",)),
        ("monthly", "2027-01", "2027-01", ("2027-01",)),
        ("quarterly", "2026-01", "2026-Q1", ("2026-01", "2026-02", "2026-03")),
        ("quarterly", "2026-03", "2026-Q1", ("2026-01", "2026-02", "2026-03")),
        ("quarterly", "2026-04", "2026-Q2", ("2026-04", "2026-05", "2026-06")),
        ("quarterly", "2026-09", "2026-Q3", ("2026-07", "2026-08", "2026-09")),
        ("quarterly", "2026-10", "2026-Q4", ("2026-10", "2026-11", "2026-12")),
        ("quarterly", "2026-12", "2026-Q4", ("2026-10", "2026-11", "2026-12")),
    ],
)
def test_a_month_falls_in_one_period_of_each_cadence(name, month, label, months):
    period = cadence.period_of(name, month)
    assert (period.label, period.months) == (label, months)


def test_a_monthly_period_ends_at_midnight_starting_the_next_month_local_time():
    november = cadence.period_of("monthly", "2026-11")
    ends = datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=8)))
    assert cadence.period_ends(november, SHANGHAI) == ends
    assert not cadence.completed(november, ends - timedelta(seconds=1), SHANGHAI)
    assert cadence.completed(november, ends, SHANGHAI)
    assert not cadence.completed(november, datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc), SHANGHAI)
    assert cadence.completed(november, datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), SHANGHAI)


def test_the_fourth_quarter_ends_across_the_year_boundary():
    fourth = cadence.period_of("quarterly", "2026-11")
    new_year = datetime(2027, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    assert cadence.period_ends(fourth, SHANGHAI) == new_year
    assert not cadence.completed(fourth, datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=8))), SHANGHAI)
    assert cadence.completed(fourth, new_year, SHANGHAI)
    december = cadence.period_of("monthly", "2026-12")
    assert cadence.period_ends(december, SHANGHAI) == new_year


def test_a_quarter_is_not_completed_in_its_own_last_month():
    first = cadence.period_of("quarterly", "2026-02")
    assert not cadence.completed(first, datetime(2026, 3, 31, 12, tzinfo=timezone.utc), SHANGHAI)
    assert cadence.completed(first, datetime(2026, 4, 1, tzinfo=timezone(timedelta(hours=8))), SHANGHAI)


def test_an_unknown_cadence_or_month_is_refused():
    with pytest.raises(ValueError):
        cadence.period_of("weekly", "2026-11")
    with pytest.raises(Exception) as raised:
        cadence.period_of("monthly", "2026-13")
    assert getattr(raised.value, "code", None) == "MONTH_INVALID"
