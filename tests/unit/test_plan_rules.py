"""The plan lifecycle, timing, required-action and deadline rules, checked against explicit expectations.

The expected tables are written out here on purpose: deriving them from TRANSITIONS would let a broken
rule pass its own test.
"""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from partyday_common.errors import DomainError
from partyday_plans.deadlines import deadline, directive_deadline_days, missing_items, month_of, previous_month
from partyday_plans.lifecycle import TRANSITIONS, check_required_actions, check_timing, next_status

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")

STATES = ["draft", "submitted", "returned", "published", "held", "summarized", "archived"]

# action: {state it may start from: state it leads to}; every other state is a conflict.
EXPECTED = {
    "edit": {"draft": "draft", "returned": "returned"},
    "submit": {"draft": "submitted", "returned": "submitted"},
    "approve": {"submitted": "published"},
    "return": {"submitted": "returned"},
    "hold": {"published": "held"},
    "summarize": {"published": "summarized", "held": "summarized"},
    "archive": {"summarized": "archived"},
}

LEGAL = [(state, action, target) for action, moves in EXPECTED.items() for state, target in moves.items()]
ILLEGAL = [(state, action) for action, moves in EXPECTED.items() for state in STATES if state not in moves]


def _raised(call, *args) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(*args)
    return raised.value


# --- lifecycle -------------------------------------------------------------------------------------------------


def test_the_expected_table_covers_every_action_of_the_lifecycle():
    assert set(TRANSITIONS) == set(EXPECTED)


def test_every_state_action_pair_is_either_legal_or_illegal():
    assert len(LEGAL) + len(ILLEGAL) == len(EXPECTED) * len(STATES)
    assert len(LEGAL) == 10


@pytest.mark.parametrize(("state", "action", "target"), LEGAL)
def test_a_legal_action_leads_to_its_documented_state(state, action, target):
    assert next_status(state, action) == target


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_an_illegal_action_is_a_state_conflict_naming_where_it_is_allowed(state, action):
    error = _raised(next_status, state, action)
    assert error.code == "PLAN_STATE_CONFLICT"
    assert error.status == 409
    assert error.details == {"status": state, "action": action, "allowed_from": sorted(EXPECTED[action])}


def test_editing_keeps_the_current_state():
    assert next_status("draft", "edit") == "draft"
    assert next_status("returned", "edit") == "returned"


def test_an_archived_plan_accepts_no_action():
    for action in EXPECTED:
        assert _raised(next_status, "archived", action).code == "PLAN_STATE_CONFLICT"


# --- check_timing ----------------------------------------------------------------------------------------------


def _local(zone, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


def test_a_plan_that_ends_before_it_starts_is_invalid():
    start = _local(SHANGHAI, 2026, 12, 7, 14, 0)
    error = _raised(check_timing, "2026-12", start, start - timedelta(minutes=1), "Asia/Shanghai", None)
    assert (error.code, error.status) == ("PLAN_TIMES_INVALID", 422)


def test_a_plan_that_ends_when_it_starts_is_invalid():
    start = _local(SHANGHAI, 2026, 12, 7, 14, 0)
    error = _raised(check_timing, "2026-12", start, start, "Asia/Shanghai", None)
    assert (error.code, error.status) == ("PLAN_TIMES_INVALID", 422)


def test_a_plan_longer_than_twelve_hours_is_invalid():
    start = _local(SHANGHAI, 2026, 12, 7, 8, 0)
    end = start + timedelta(hours=12, microseconds=1)
    error = _raised(check_timing, "2026-12", start, end, "Asia/Shanghai", None)
    assert (error.code, error.status) == ("PLAN_TIMES_INVALID", 422)


def test_a_plan_of_exactly_twelve_hours_is_fine():
    start = _local(SHANGHAI, 2026, 12, 7, 8, 0)
    assert check_timing("2026-12", start, start + timedelta(hours=12), "Asia/Shanghai", None) is None


def test_a_start_in_another_month_is_outside_the_month():
    start = _local(SHANGHAI, 2026, 11, 20, 9, 0)
    error = _raised(check_timing, "2026-12", start, start + timedelta(hours=2), "Asia/Shanghai", None)
    assert (error.code, error.status) == ("PLAN_OUTSIDE_MONTH", 422)
    assert error.details == {"month": "2026-12", "starts_on": "2026-11-20"}


def test_late_november_utc_is_already_december_in_shanghai():
    start = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 in Shanghai
    end = start + timedelta(hours=2)
    assert check_timing("2026-12", start, end, "Asia/Shanghai", None) is None
    error = _raised(check_timing, "2026-11", start, end, "Asia/Shanghai", None)
    assert error.code == "PLAN_OUTSIDE_MONTH"
    assert error.details == {"month": "2026-11", "starts_on": "2026-12-01"}


def test_the_same_instant_in_utc_still_belongs_to_november():
    start = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    end = start + timedelta(hours=2)
    assert check_timing("2026-11", start, end, "UTC", None) is None
    error = _raised(check_timing, "2026-12", start, end, "UTC", None)
    assert error.code == "PLAN_OUTSIDE_MONTH"
    assert error.details == {"month": "2026-12", "starts_on": "2026-11-30"}


def test_early_december_utc_is_still_november_west_of_utc():
    start = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 2026-11-30 21:00 in Los Angeles
    end = start + timedelta(hours=2)
    assert check_timing("2026-11", start, end, "America/Los_Angeles", None) is None
    error = _raised(check_timing, "2026-12", start, end, "America/Los_Angeles", None)
    assert error.code == "PLAN_OUTSIDE_MONTH"
    assert error.details == {"month": "2026-12", "starts_on": "2026-11-30"}


def test_a_start_on_the_fixed_party_day_is_fine():
    start = _local(SHANGHAI, 2026, 12, 7, 9, 0)
    assert check_timing("2026-12", start, start + timedelta(hours=3), "Asia/Shanghai", 7) is None


def test_a_start_off_the_fixed_party_day_is_refused():
    start = _local(SHANGHAI, 2026, 12, 8, 9, 0)
    error = _raised(check_timing, "2026-12", start, start + timedelta(hours=3), "Asia/Shanghai", 7)
    assert (error.code, error.status) == ("PARTY_DAY_FIXED", 422)
    assert error.details == {"party_day": 7, "starts_on": "2026-12-08"}


def test_the_party_day_is_the_local_day_not_the_utc_day():
    start = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # the 6th in UTC, 2026-12-07 01:00 in Shanghai
    assert check_timing("2026-12", start, start + timedelta(hours=3), "Asia/Shanghai", 7) is None


def test_a_utc_party_day_start_that_is_the_next_local_day_is_refused():
    start = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)  # the 7th in UTC, 2026-12-08 00:30 in Shanghai
    error = _raised(check_timing, "2026-12", start, start + timedelta(hours=3), "Asia/Shanghai", 7)
    assert error.code == "PARTY_DAY_FIXED"
    assert error.details == {"party_day": 7, "starts_on": "2026-12-08"}


def test_the_party_day_west_of_utc_is_the_local_day():
    start = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # the 8th in UTC, 2026-12-07 19:00 in Los Angeles
    assert check_timing("2026-12", start, start + timedelta(hours=2), "America/Los_Angeles", 7) is None


def test_the_month_is_checked_before_the_party_day():
    start = _local(SHANGHAI, 2026, 11, 7, 9, 0)
    error = _raised(check_timing, "2026-12", start, start + timedelta(hours=2), "Asia/Shanghai", 7)
    assert error.code == "PLAN_OUTSIDE_MONTH"


# --- check_required_actions ------------------------------------------------------------------------------------


def test_all_required_actions_present_passes():
    assert check_required_actions(["study", "vote", "dues"], ["study", "vote", "dues"]) is None


def test_order_and_extra_actions_do_not_matter():
    assert check_required_actions(["study", "vote", "dues"], ["dues", "visit", "vote", "study", "film"]) is None


def test_nothing_required_always_passes():
    assert check_required_actions([], []) is None
    assert check_required_actions([], ["study"]) is None


def test_missing_actions_are_listed_in_required_order():
    error = _raised(check_required_actions, ["study", "vote", "dues", "visit"], ["visit", "vote", "film"])
    assert (error.code, error.status) == ("REQUIRED_ACTIONS_MISSING", 422)
    assert error.details == {"missing": ["study", "dues"]}


def test_an_empty_plan_misses_every_required_action():
    error = _raised(check_required_actions, ["vote", "study"], [])
    assert error.details == {"missing": ["vote", "study"]}


# --- deadlines -------------------------------------------------------------------------------------------------


def test_the_february_deadline_on_the_28th_ends_on_the_1st_of_march_in_shanghai():
    due = deadline("2026-02", 28)
    assert due == _local(SHANGHAI, 2026, 3, 1, 0, 0)
    assert due.astimezone(UTC) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_in_a_leap_year_the_28th_ends_on_the_29th_of_february():
    due = deadline("2028-02", 28)
    assert due == _local(SHANGHAI, 2028, 2, 29, 0, 0)
    assert due.astimezone(UTC) == datetime(2028, 2, 28, 16, 0, tzinfo=UTC)


def test_the_december_summary_deadline_ends_at_local_midnight_after_the_25th():
    due = deadline("2026-12", 25)
    assert due == _local(SHANGHAI, 2026, 12, 26, 0, 0)
    assert due.astimezone(UTC) == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)


def test_a_utc_organisation_has_its_deadline_at_utc_midnight():
    assert deadline("2026-12", 25, "UTC") == datetime(2026, 12, 26, 0, 0, tzinfo=UTC)


def test_a_new_york_organisation_has_its_deadline_at_new_york_midnight():
    due = deadline("2026-12", 25, "America/New_York")
    assert due == _local(NEW_YORK, 2026, 12, 26, 0, 0)
    assert due == datetime(2026, 12, 26, 5, 0, tzinfo=UTC)


def test_the_same_deadline_day_is_a_different_instant_in_each_time_zone():
    instants = {deadline("2026-12", 25, zone) for zone in ("Asia/Shanghai", "UTC", "America/New_York")}
    assert len(instants) == 3


def test_a_deadline_across_the_daylight_saving_change_ends_at_local_midnight():
    # New York moves to daylight time at 02:00 on 2026-03-08.
    assert deadline("2026-03", 7, "America/New_York") == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert deadline("2026-03", 8, "America/New_York") == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_the_month_before_january_is_december_of_the_previous_year():
    assert previous_month("2027-01") == "2026-12"


@pytest.mark.parametrize(("month", "before"), [("2026-12", "2026-11"), ("2026-03", "2026-02"), ("2026-10", "2026-09")])
def test_the_month_before_an_ordinary_month(month, before):
    assert previous_month(month) == before


def test_previous_month_refuses_a_malformed_month():
    error = _raised(previous_month, "2026-13")
    assert error.code == "MONTH_INVALID"


def test_late_november_utc_is_december_in_shanghai_but_november_in_utc():
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert month_of(moment) == "2026-12"
    assert month_of(moment, "Asia/Shanghai") == "2026-12"
    assert month_of(moment, "UTC") == "2026-11"


def test_just_before_local_midnight_is_still_the_old_month_in_shanghai():
    moment = datetime(2026, 11, 30, 15, 59, 59, 999999, tzinfo=UTC)
    assert month_of(moment) == "2026-11"


def test_early_january_utc_is_still_december_in_new_york():
    assert month_of(datetime(2027, 1, 1, 3, 0, tzinfo=UTC), "America/New_York") == "2026-12"


def test_a_missing_plan_is_overdue_at_exactly_the_deadline():
    at = deadline("2026-12", 5)
    assert missing_items("2026-12", at, has_plan=False, has_summary=True) == ["plan"]


def test_a_missing_plan_is_not_overdue_one_microsecond_before_the_deadline():
    before = deadline("2026-12", 5) - timedelta(microseconds=1)
    assert missing_items("2026-12", before, has_plan=False, has_summary=True) == []


def test_a_missing_summary_is_overdue_at_exactly_the_deadline_but_not_a_microsecond_before():
    at = datetime(2026, 12, 25, 16, 0, tzinfo=UTC)  # 2026-12-26 00:00 in Shanghai
    assert missing_items("2026-12", at, has_plan=True, has_summary=False) == ["summary"]
    assert missing_items("2026-12", at - timedelta(microseconds=1), has_plan=True, has_summary=False) == []


def test_overdue_items_follow_the_organisations_own_days_and_time_zone():
    at = datetime(2026, 12, 11, 5, 0, tzinfo=UTC)  # 2026-12-11 00:00 in New York: the end of the 10th
    kwargs = dict(has_plan=False, has_summary=False, plan_day=10, summary_day=20, time_zone="America/New_York")
    assert missing_items("2026-12", at, **kwargs) == ["plan"]
    assert missing_items("2026-12", at - timedelta(microseconds=1), **kwargs) == []


def test_documents_already_delivered_are_never_overdue():
    late = datetime(2027, 1, 15, tzinfo=UTC)
    assert missing_items("2026-12", late, has_plan=True, has_summary=True) == []
    assert missing_items("2026-12", late, has_plan=False, has_summary=False) == ["plan", "summary"]


def _directive(org_path: str, plan_day: int, summary_day: int = 25):
    return SimpleNamespace(org_path=org_path, plan_deadline_day=plan_day, summary_deadline_day=summary_day)


def test_the_closest_publisher_sets_the_deadline_days_and_of_its_directives_the_earliest_whatever_their_order():
    city, county, other = _directive("/hz/", 3, 20), _directive("/hz/ht/", 5), _directive("/hz/nz/", 1, 10)
    later = _directive("/hz/ht/", 1, 24)
    assert directive_deadline_days("/hz/ht/bg/e/", [city, county, other]) == (5, 25)
    assert directive_deadline_days("/hz/ht/bg/e/", [county, later]) == (1, 24)
    assert directive_deadline_days("/hz/ht/bg/e/", [later, county]) == (1, 24)
    assert directive_deadline_days("/hz/xx/e/", [county, other]) is None
