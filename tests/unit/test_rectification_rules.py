"""Who may move a rectification notice, from which state (plans' `rectifications.check_move`), and when it is
overdue (`is_overdue`)."""

from datetime import date, datetime, timezone

import pytest

from partyday_common.errors import DomainError
from partyday_plans.rectifications import check_move, is_overdue, overdue_since


def refused(*args) -> DomainError:
    with pytest.raises(DomainError) as raised:
        check_move(*args)
    return raised.value


def test_the_branch_answers_an_open_notice_and_a_superior_closes_or_reopens_it():
    assert check_move("open", "answer", "secretary", "issuer", None) == "answered"
    assert check_move("answered", "close", "issuer", "issuer", "secretary") == "closed"
    assert check_move("answered", "reopen", "issuer", "issuer", "secretary") == "open"
    assert check_move("closed", "reopen", "other-superior", "issuer", "secretary") == "open"


def test_the_issuer_does_not_answer_their_own_notice():
    error = refused("open", "answer", "issuer", "issuer", None)
    assert (error.code, error.status) == ("ISSUER_CANNOT_ANSWER", 403)


def test_whoever_wrote_the_latest_answer_neither_closes_nor_reopens_it():
    for action in ("close", "reopen"):
        error = refused("answered", action, "both-roles", "issuer", "both-roles")
        assert (error.code, error.status) == ("OWN_ANSWER", 403)


def test_a_move_from_a_state_that_does_not_allow_it_is_a_conflict():
    for status, action in (("open", "close"), ("open", "reopen"), ("answered", "answer"), ("closed", "close")):
        error = refused(status, action, "someone", "issuer", None)
        assert (error.code, error.status) == ("RECTIFICATION_STATE_CONFLICT", 409)
        assert error.details["status"] == status


def test_a_notice_is_overdue_from_the_day_after_it_was_due_where_its_branch_keeps_time():
    due_on = date(2026, 12, 10)
    assert overdue_since(due_on, "Asia/Shanghai") == datetime(2026, 12, 10, 16, tzinfo=timezone.utc)
    assert not is_overdue(due_on, datetime(2026, 12, 10, 15, 59, 59, tzinfo=timezone.utc), "Asia/Shanghai")
    assert is_overdue(due_on, datetime(2026, 12, 10, 16, tzinfo=timezone.utc), "Asia/Shanghai")
    assert not is_overdue(due_on, datetime(2026, 12, 10, 16, tzinfo=timezone.utc), "Asia/Urumqi"), (
        "two hours west of Beijing the due day is not over yet"
    )
    assert is_overdue(due_on, datetime(2026, 12, 10, 18, tzinfo=timezone.utc), "Asia/Urumqi")
