"""A campaign takes votes in its window: by default its month's first day until its scores stop changing."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from partyday_common.errors import DomainError
from partyday_scoring.campaign_rules import check_voting_open, voting_state, voting_window

SHANGHAI = ZoneInfo("Asia/Shanghai")


def refusal(function, *args) -> DomainError:
    with pytest.raises(DomainError) as raised:
        function(*args)
    return raised.value


def test_by_default_voting_opens_on_the_months_first_day_and_closes_with_its_scores():
    opens, closes = voting_window("2026-12", None, None, "Asia/Shanghai", 10)
    assert opens == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert closes == datetime(2027, 1, 11, tzinfo=SHANGHAI), "the next month's start plus the 10 grace days"
    assert opens.astimezone(timezone.utc).isoformat() == "2026-11-30T16:00:00+00:00"


def test_either_end_may_be_given_but_the_window_must_open_before_it_closes():
    given = datetime(2026, 12, 20, 9, tzinfo=SHANGHAI)
    assert voting_window("2026-12", given, None, "Asia/Shanghai", 0)[0] == given
    assert voting_window("2026-12", None, given, "Asia/Shanghai", 0) == (datetime(2026, 12, 1, tzinfo=SHANGHAI), given)
    refused = refusal(voting_window, "2026-12", datetime(2027, 2, 1, tzinfo=SHANGHAI), None, "Asia/Shanghai", 10)
    assert refused.code == "VOTING_WINDOW_INVALID" and refused.status == 422
    assert refusal(voting_window, "2026-12", given, given, "Asia/Shanghai", 10).code == "VOTING_WINDOW_INVALID"


def test_votes_before_the_window_are_not_open_yet_and_from_its_end_on_closed():
    opens, closes = voting_window("2026-12", None, None, "Asia/Shanghai", 10)
    early = refusal(check_voting_open, opens - timedelta(seconds=1), opens, closes)
    assert (early.code, early.status, early.details) == ("VOTING_NOT_OPEN", 422, {"opens_at": opens.isoformat()})
    check_voting_open(opens, opens, closes)
    check_voting_open(closes - timedelta(microseconds=1), opens, closes)
    late = refusal(check_voting_open, closes, opens, closes)
    assert (late.code, late.details) == ("VOTING_CLOSED", {"closes_at": closes.isoformat()})


def test_a_campaign_is_open_from_its_opening_until_its_close():
    opens, closes = datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2026, 12, 2, tzinfo=SHANGHAI)
    assert voting_state(opens - timedelta(seconds=1), opens, closes) == "not_open"
    assert voting_state(opens, opens, closes) == voting_state(closes - timedelta(seconds=1), opens, closes) == "open"
    assert voting_state(closes, opens, closes) == "closed"
