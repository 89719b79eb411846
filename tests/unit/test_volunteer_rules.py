"""The rules of a volunteer request without a bus: every act's legal and illegal states, who may claim and
complete, and the deadlines (taken in within the setting's hours, done by the time the resident asked for)."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_common.errors import DomainError
from partyday_volunteers import rules
from partyday_volunteers.settings import VolunteersSettings
from partyday_volunteers.stats import month_bounds
from partyday_volunteers_contracts.rpc import STATES

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)

LEGAL = {
    ("submitted", "accept"): "accepted",
    ("submitted", "decline"): "declined",
    ("submitted", "cancel"): "cancelled",
    ("accepted", "dispatch"): "dispatched",
    ("accepted", "publish"): "published",
    ("accepted", "cancel"): "cancelled",
    ("dispatched", "dispatch"): "dispatched",
    ("dispatched", "publish"): "published",
    ("dispatched", "claim"): "claimed",
    ("dispatched", "cancel"): "cancelled",
    ("published", "publish"): "published",
    ("published", "dispatch"): "dispatched",
    ("published", "claim"): "claimed",
    ("published", "cancel"): "cancelled",
    ("claimed", "complete"): "done",
    ("done", "confirm"): "confirmed",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(rules.TRANSITIONS))
def test_each_act_moves_only_from_its_states_and_refuses_the_others_with_409(state, action):
    if (state, action) in LEGAL:
        assert rules.next_state(state, action) == LEGAL[(state, action)]
        return
    with pytest.raises(DomainError) as refused:
        rules.next_state(state, action)
    assert (refused.value.status, refused.value.code) == (409, "REQUEST_STATE_CONFLICT")
    assert refused.value.details["state"] == state and refused.value.details["action"] == action


def test_a_request_is_cancelled_only_before_it_is_claimed():
    for state in ("claimed", "done", "confirmed", "declined", "cancelled"):
        with pytest.raises(DomainError):
            rules.next_state(state, "cancel")


def test_the_finished_states_lead_nowhere():
    for state in ("declined", "confirmed", "cancelled"):
        for action in rules.TRANSITIONS:
            with pytest.raises(DomainError):
                rules.next_state(state, action)


def test_a_dispatched_request_is_claimed_only_by_a_member_it_names():
    rules.may_claim("dispatched", ["m1", "m2"], "m2", "b1", "b1")
    with pytest.raises(DomainError) as refused:
        rules.may_claim("dispatched", ["m1"], "m3", "b1", "b1")
    assert (refused.value.status, refused.value.code) == (403, "NOT_DISPATCHED_TO_YOU")


def test_a_published_request_is_claimed_by_any_member_of_its_branch_and_nobody_else():
    rules.may_claim("published", [], "m9", "b1", "b1")
    with pytest.raises(DomainError) as refused:
        rules.may_claim("published", [], "m9", "b2", "b1")
    assert refused.value.code == "NOT_DISPATCHED_TO_YOU"
    with pytest.raises(DomainError) as gone:
        rules.may_claim("claimed", [], "m9", "b1", "b1")
    assert (gone.value.status, gone.value.code) == (409, "REQUEST_STATE_CONFLICT")


def test_only_the_member_who_claimed_records_the_work_done():
    rules.may_complete("claimed", "m1", "m1")
    with pytest.raises(DomainError) as refused:
        rules.may_complete("claimed", "m1", "m2")
    assert (refused.value.status, refused.value.code) == (403, "NOT_YOUR_CLAIM")
    with pytest.raises(DomainError) as early:
        rules.may_complete("published", None, "m1")
    assert early.value.status == 409


def test_the_branch_takes_a_request_in_within_the_settings_hours():
    assert VolunteersSettings().volunteers_accept_within_h == 24
    assert rules.accept_by(NOW, 24) == NOW + timedelta(hours=24)
    accept_by, wanted_by = rules.accept_by(NOW, 24), NOW + timedelta(days=3)
    assert rules.overdue_reason("submitted", accept_by, wanted_by, accept_by) is None
    assert rules.overdue_reason("submitted", accept_by, wanted_by, accept_by + timedelta(seconds=1)) == "not_taken_in"
    assert rules.overdue_reason("accepted", accept_by, wanted_by, accept_by + timedelta(seconds=1)) is None


def test_work_taken_in_is_late_after_the_time_the_resident_asked_for_until_it_is_done():
    accept_by, wanted_by = NOW + timedelta(hours=24), NOW + timedelta(hours=30)
    later = wanted_by + timedelta(minutes=1)
    for state in ("accepted", "dispatched", "published", "claimed"):
        assert rules.overdue_reason(state, accept_by, wanted_by, wanted_by) is None
        assert rules.overdue_reason(state, accept_by, wanted_by, later) == "past_due"
    for state in ("done", "confirmed", "declined", "cancelled"):
        assert rules.overdue_reason(state, accept_by, wanted_by, later) is None
    assert rules.on_time(wanted_by, wanted_by) and not rules.on_time(later, wanted_by)


def test_help_is_asked_for_a_time_to_come():
    rules.check_wanted_by(NOW + timedelta(minutes=1), NOW)
    with pytest.raises(DomainError) as refused:
        rules.check_wanted_by(NOW, NOW)
    assert (refused.value.status, refused.value.code) == (400, "WANTED_BY_PAST")


def test_a_month_is_counted_in_the_settings_time_zone():
    start, end = month_bounds("2026-12", "Asia/Shanghai")
    assert start.isoformat() == "2026-12-01T00:00:00+08:00" and end.isoformat() == "2027-01-01T00:00:00+08:00"
    with pytest.raises(DomainError) as refused:
        month_bounds("2026-13", "Asia/Shanghai")
    assert refused.value.code == "MONTH_INVALID"
