"""Pooled PostgreSQL connections: tested only after sitting idle, a dead one replaced unseen, statements run alone."""

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from partyday_common import db


def backend(engine) -> int:
    with engine.begin() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_dead_one_is_replaced(databases, monkeypatch):
    url = databases.create("pool")
    engine, administrator = db.make_engine(url), db.make_engine(url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection))
    first = backend(engine)
    assert [backend(engine) for _ in range(5)] == [first] * 5
    assert pings == [], "a connection used a moment ago is trusted"

    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.2)
    with administrator.begin() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    time.sleep(0.3)
    assert backend(engine) != first, "the dead connection was replaced before use"
    assert pings, "an idle connection is tested"
    engine.dispose()
    administrator.dispose()


class _Provider:
    def __init__(self, engine):
        self.engine = engine


def test_a_statement_run_alone_is_prepared_once_per_connection_commits_and_breaks_constraints_as_a_session_would(
    databases,
):
    url = databases.create("alone")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marks (id text PRIMARY KEY, at timestamptz)"))
    worker = db.WorkerDatabase(_Provider(engine), SimpleNamespace(entrypoint=None, context_data={}))
    mark = db.PreparedStatement("mark", {"id": "text"}, "INSERT INTO marks VALUES (%(id)s, now()) RETURNING id")
    prepared_before = []

    @event.listens_for(engine, "checkout")
    def note(dbapi_connection, _record, _proxy):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            prepared_before.append(cursor.fetchone()[0])
        dbapi_connection.rollback()

    assert worker.run_alone(mark, {"id": "m-1"}) == ("m-1",)
    assert worker.run_alone(mark, {"id": "m-2"}) == ("m-2",)
    with pytest.raises(IntegrityError):
        worker.run_alone(mark, {"id": "m-1"})
    assert worker.run_alone(mark, {"id": "m-3"}) == ("m-3",), "the connection went back to the pool usable"
    assert prepared_before == [0, 1, 1, 1], "prepared on the first run only"
    event.remove(engine, "checkout", note)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM marks ORDER BY id")).scalars().all() == ["m-1", "m-2", "m-3"]
    engine.dispose()
