"""Who may move a rectification notice, from which state (plans' `rectifications.check_move`)."""

import pytest

from partyday_common.errors import DomainError
from partyday_plans.rectifications import check_move


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
