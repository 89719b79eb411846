from datetime import datetime, timezone

import pytest

from partyday_common.errors import DomainError
from partyday_plans.deadlines import deadline, missing_items, parse_month


def test_a_deadline_is_the_end_of_the_day_in_the_organisations_time_zone():
    due = deadline("2026-12", 5)
    assert due.astimezone(timezone.utc) == datetime(2026, 12, 5, 16, 0, tzinfo=timezone.utc)


def test_nothing_is_overdue_before_the_plan_deadline():
    before = datetime(2026, 12, 5, 15, 59, tzinfo=timezone.utc)
    assert missing_items("2026-12", before, has_plan=False, has_summary=False) == []


def test_a_missing_plan_is_overdue_from_the_6th_local_time():
    after = datetime(2026, 12, 5, 16, 0, tzinfo=timezone.utc)
    assert missing_items("2026-12", after, has_plan=False, has_summary=False) == ["plan"]


def test_a_missing_summary_is_overdue_after_the_25th():
    late = datetime(2026, 12, 26, 0, 0, tzinfo=timezone.utc)
    assert missing_items("2026-12", late, has_plan=False, has_summary=False) == ["plan", "summary"]
    assert missing_items("2026-12", late, has_plan=True, has_summary=True) == []


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-12", "", "2026/12", "0000-12", "2026-12\n", None])
def test_malformed_months_are_client_errors(month):
    with pytest.raises(DomainError) as raised:
        parse_month(month)
    assert raised.value.code == "MONTH_INVALID" and raised.value.status == 400


def test_deadline_days_stay_within_every_month():
    with pytest.raises(DomainError) as raised:
        deadline("2026-02", 30)
    assert raised.value.code == "DEADLINE_DAY_INVALID"
