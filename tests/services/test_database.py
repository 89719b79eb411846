"""Pooled PostgreSQL connections: tested only after sitting idle, and a dead one is replaced unseen."""
import time

from sqlalchemy import text

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
