"""Vote attempts are counted in scoring's database per account and per client address and minute, so every
gateway shares one limit and a restart forgets nothing."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError
from partyday_scoring import campaign_rules, vote_limits
from partyday_scoring.models import VoteAttempt, metadata

WINDOW = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)
LIMITS = {"account": 3, "address": 5}


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def attempt(engine, voter: str, address: str, now: datetime, limits=LIMITS) -> DomainError | None:
    """One attempt in its own transaction, as the vote RPC counts it; its refusal, or None."""
    with Session(engine) as session, session.begin():
        try:
            vote_limits.count_attempt(session, voter, address, limits, now)
        except DomainError as exc:
            session.rollback()
            return exc
    return None


def test_an_account_gets_its_limit_per_minute_and_retry_after_says_when_the_window_ends(engine):
    outcomes = [attempt(engine, "member:m1", "10.0.0.1", WINDOW + timedelta(seconds=i)) for i in range(5)]
    assert outcomes[:3] == [None] * 3
    refused = outcomes[3]
    assert refused.code == "VOTE_RATE_LIMITED" and refused.status == 429
    assert refused.details == {"per": "account", "limit": 3, "retry_after": 57}
    assert attempt(engine, "member:m2", "10.0.0.1", WINDOW) is None, "another account is not held up"
    assert attempt(engine, "member:m1", "10.0.0.1", WINDOW + timedelta(seconds=60)) is None, "a new minute"


def test_refused_attempts_do_not_count_so_the_next_minute_starts_afresh(engine):
    for i in range(10):
        attempt(engine, "member:m1", "10.0.0.1", WINDOW + timedelta(seconds=i))
    with Session(engine) as session:
        assert session.scalars(select(VoteAttempt.attempts)).all() == [3, 3]


def test_an_address_is_limited_across_its_accounts(engine):
    outcomes = [attempt(engine, f"public:p{i}", "10.0.0.9", WINDOW) for i in range(6)]
    assert outcomes[:5] == [None] * 5 and outcomes[5].details["per"] == "address"
    assert attempt(engine, "public:p9", "10.0.0.10", WINDOW) is None


def test_the_counters_name_neither_the_account_nor_the_address_and_past_minutes_are_purged(engine):
    attempt(engine, "member:m1", "10.0.0.1", WINDOW)
    attempt(engine, "member:m1", "10.0.0.1", WINDOW + timedelta(minutes=1))
    with Session(engine) as session:
        keys = session.scalars(select(VoteAttempt.key)).all()
        assert len(keys) == 4 and not any("m1" in key or "10.0.0.1" in key for key in keys)
        assert vote_limits.purge_attempts(session, WINDOW + timedelta(minutes=1, seconds=30)) == 2
        assert {row.window_start for row in session.scalars(select(VoteAttempt))} == {
            campaign_rules.rate_window(WINDOW + timedelta(minutes=1))
        }


def test_retry_after_is_at_least_one_second():
    with pytest.raises(DomainError) as refused:
        campaign_rules.check_attempts(
            {"account": 2, "address": 1},
            {"account": 1, "address": 9},
            WINDOW + timedelta(seconds=59, microseconds=999_000),
        )
    assert refused.value.details["retry_after"] == 1
