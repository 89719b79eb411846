"""Managing a campaign: which changes of its voting window are taken, and closing voting now."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_common.errors import DomainError
from partyday_scoring.campaign_rules import changed_window, closed_now

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def refused(code, *args):
    with pytest.raises(DomainError) as raised:
        changed_window(*args)
    assert raised.value.code == code
    return raised.value


def test_before_voting_opens_either_end_moves_later_or_earlier_but_not_into_the_past():
    opens, closes = NOW + HOUR, NOW + 48 * HOUR
    assert changed_window(NOW, opens, closes, NOW + 5 * HOUR, None) == (NOW + 5 * HOUR, closes)
    assert changed_window(NOW, opens, closes, None, NOW + 2 * HOUR) == (opens, NOW + 2 * HOUR)
    refused("VOTING_WINDOW_PAST", NOW, opens, closes, NOW - HOUR, None)


def test_a_window_must_open_before_it_closes():
    error = refused("VOTING_WINDOW_INVALID", NOW, NOW + HOUR, NOW + 48 * HOUR, NOW + 50 * HOUR, None)
    assert error.status == 422
    refused("VOTING_WINDOW_INVALID", NOW, NOW + HOUR, NOW + 48 * HOUR, None, NOW + HOUR)


def test_once_open_the_start_stays_and_the_end_moves_only_to_now_or_later_so_cast_votes_stay_inside():
    opens, closes = NOW - 24 * HOUR, NOW + 24 * HOUR
    refused("VOTING_ALREADY_OPEN", NOW, opens, closes, NOW + HOUR, None)
    refused("VOTING_ALREADY_OPEN", NOW, opens, closes, opens - HOUR, None)
    assert changed_window(NOW, opens, closes, opens, NOW + 72 * HOUR) == (opens, NOW + 72 * HOUR), "its start again"
    assert changed_window(NOW, opens, closes, None, NOW) == (opens, NOW), "closing now keeps every vote cast"
    refused("VOTING_WINDOW_PAST", NOW, opens, closes, None, NOW - HOUR)


def test_a_closed_campaign_is_never_reopened():
    error = refused("CAMPAIGN_CLOSED", NOW, NOW - 48 * HOUR, NOW - HOUR, None, NOW + 24 * HOUR)
    assert error.status == 409


def test_voting_closes_now_only_while_it_is_open():
    assert closed_now(NOW, NOW - HOUR, NOW + HOUR) == NOW
    with pytest.raises(DomainError) as early:
        closed_now(NOW, NOW + HOUR, NOW + 2 * HOUR)
    assert early.value.code == "CAMPAIGN_NOT_OPEN" and early.value.status == 409
    with pytest.raises(DomainError) as late:
        closed_now(NOW, NOW - 2 * HOUR, NOW)
    assert late.value.code == "CAMPAIGN_CLOSED"
