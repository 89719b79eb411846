"""idempotency.once on PostgreSQL: a repeated key answers the stored answer, another request under it is refused."""

import pytest
from sqlalchemy import MetaData, func, insert, select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine, utcnow
from partyday_common.errors import DomainError
from partyday_common.idempotency import MAX_KEY_LENGTH, once, request_hash
from partyday_common.tables import IDEMPOTENCY, add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
keys = metadata.tables[IDEMPOTENCY]


@pytest.fixture
def engine(databases):
    engine = make_engine(databases.create("idempotency"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def call(engine, operation: str, key: str | None, request: dict, work):
    """`once` in a transaction of its own, as an RPC runs it; its answer."""
    with Session(engine) as session, session.begin():
        session.info["metadata"] = metadata
        return once(session, operation, key, request, work)


class Work:
    """The RPC's work: counts its runs and answers a new id each time."""

    def __init__(self):
        self.runs = 0

    def __call__(self) -> dict:
        self.runs += 1
        return {"plan_id": f"p-{self.runs}"}


def stored(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(keys.c.operation, keys.c.key, keys.c.request_hash, keys.c.response)).all()


def test_the_first_call_does_the_work_and_stores_its_answer_under_the_key(engine):
    work = Work()
    request = {"branch_id": "b-1", "month": "2026-05"}
    assert call(engine, "create_plan", "k-1", request, work) == {"plan_id": "p-1"}
    assert work.runs == 1
    assert stored(engine) == [("create_plan", "k-1", request_hash(request), {"plan_id": "p-1"})]


def test_a_repeat_of_the_same_request_answers_the_stored_answer_without_doing_the_work_again(engine):
    work = Work()
    request = {"branch_id": "b-1", "month": "2026-05"}
    first = call(engine, "create_plan", "k-1", request, work)
    again = call(engine, "create_plan", "k-1", dict(reversed(request.items())), work)
    assert again == first == {"plan_id": "p-1"}
    assert work.runs == 1, "the order of the request's arguments does not make it another request"


def test_the_same_key_for_another_request_is_409_idempotency_key_reused(engine):
    work = Work()
    call(engine, "approve_plan", "k-1", {"plan_id": "p-1", "comment": "good"}, work)
    for other in ({"plan_id": "p-1", "comment": "better"}, {"plan_id": "p-2", "comment": "good"}):
        with pytest.raises(DomainError) as refused:
            call(engine, "approve_plan", "k-1", other, work)
        assert (refused.value.code, refused.value.status, refused.value.details) == (
            "IDEMPOTENCY_KEY_REUSED",
            409,
            {"key": "k-1"},
        )
    assert work.runs == 1
    assert len(stored(engine)) == 1


def test_a_key_belongs_to_its_operation(engine):
    work = Work()
    assert call(engine, "approve_plan", "k-1", {"plan_id": "p-1"}, work) == {"plan_id": "p-1"}
    assert call(engine, "return_plan", "k-1", {"plan_id": "p-1"}, work) == {"plan_id": "p-2"}
    assert work.runs == 2


def test_without_a_key_every_call_does_the_work_and_nothing_is_stored(engine):
    work = Work()
    assert [call(engine, "create_plan", None, {"month": "2026-05"}, work) for _ in range(2)] == [
        {"plan_id": "p-1"},
        {"plan_id": "p-2"},
    ]
    assert stored(engine) == []


@pytest.mark.parametrize("key", ["", "k" * (MAX_KEY_LENGTH + 1)])
def test_an_empty_or_overlong_key_is_400(engine, key):
    work = Work()
    with pytest.raises(DomainError) as refused:
        call(engine, "create_plan", key, {"month": "2026-05"}, work)
    assert (refused.value.code, refused.value.status) == ("IDEMPOTENCY_KEY_INVALID", 400)
    assert work.runs == 0


def test_a_failed_work_stores_nothing_so_the_key_may_be_sent_again(engine):
    def fails():
        raise DomainError("PLAN_EXISTS", "the branch has a plan for this month", 409)

    with pytest.raises(DomainError, match="PLAN_EXISTS"):
        call(engine, "create_plan", "k-1", {"month": "2026-05"}, fails)
    assert call(engine, "create_plan", "k-1", {"month": "2026-05"}, Work()) == {"plan_id": "p-1"}


def test_a_concurrent_first_call_that_commits_first_makes_the_other_409_in_use(engine):
    request = {"month": "2026-05"}

    def work_while_another_call_commits() -> dict:
        with engine.begin() as connection:
            connection.execute(
                insert(keys).values(
                    operation="create_plan",
                    key="k-1",
                    request_hash=request_hash(request),
                    response={"plan_id": "theirs"},
                    created_at=utcnow(),
                )
            )
        return {"plan_id": "mine"}

    with pytest.raises(DomainError) as refused:
        call(engine, "create_plan", "k-1", request, work_while_another_call_commits)
    assert (refused.value.code, refused.value.status) == ("IDEMPOTENCY_KEY_IN_USE", 409)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(keys)).scalar() == 1
    assert call(engine, "create_plan", "k-1", request, Work()) == {"plan_id": "theirs"}


def test_the_fingerprint_is_keyed_with_the_secret_so_a_stored_password_cannot_be_guessed_offline(monkeypatch):
    import hashlib
    import json

    from partyday_common.settings import get_settings

    request = {"payload": {"phone": "13800000001", "password": "guessable"}}
    plain = hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    first = request_hash(request)
    assert first != plain and first == request_hash(dict(request))
    monkeypatch.setenv("PARTYDAY_SECRET_KEY", "another-secret-of-at-least-32-characters")
    get_settings.cache_clear()
    try:
        assert request_hash(request) != first
    finally:
        get_settings.cache_clear()


def test_a_repeat_of_a_call_that_answered_nothing_answers_nothing_again_without_the_work(engine):
    runs = []
    request = {"activity_id": "a-1", "member_id": "m-1"}
    assert call(engine, "remove_guest", "k-1", request, lambda: runs.append(1)) is None
    assert call(engine, "remove_guest", "k-1", request, lambda: runs.append(1)) is None
    assert runs == [1]
