"""A service whose database cannot be reached answers 503 SERVICE_UNAVAILABLE with a retry_after, not an error."""

import sys

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from partyday_common.errors import DomainError
from partyday_common.service import answerable


def failure(exc: BaseException):
    try:
        raise exc
    except BaseException:
        return sys.exc_info()


def test_a_lost_or_refused_database_connection_is_503_with_retry_after():
    for lost in (
        OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")),
        PoolTimeout("QueuePool limit reached"),
    ):
        kind, answer, _ = answerable(failure(lost))
        assert kind is DomainError and (answer.code, answer.status) == ("SERVICE_UNAVAILABLE", 503)
        assert answer.details["retry_after"] > 0 and answer.__cause__ is lost


def test_other_failures_and_answers_are_left_as_they_are():
    broken = failure(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert answerable(broken) is broken
    refused = failure(DomainError("X", "y"))
    assert answerable(refused) is refused
    assert answerable(None) is None
