"""Bulk inserts and bulk events: COPY on PostgreSQL (under eventlet's green psycopg2 too, as nameko runs it)
stores exactly what a many-row INSERT stores, and every event lands in the outbox as `emit` writes one."""
from datetime import date, datetime, timezone

import pytest
from psycopg2 import extensions as psycopg2_extensions
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert, emit, emit_many, make_engine
from partyday_common.tables import OUTBOX, add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String(200)),
               Column("flag", Boolean), Column("day", Date), Column("at", DateTime(timezone=True)),
               Column("details", JSON))
AT = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=timezone.utc)
ROWS = [
    {"id": 1, "name": "张红梅", "flag": True, "day": date(2015, 7, 1), "at": AT,
     "details": {"reasons": ["PHONE_INVALID"], "名": "值"}},
    {"id": 2, "name": "tab\there, line\nbreak, return\r, back\\slash, \\N, \"quoted\"", "flag": False, "day": None,
     "at": None, "details": {"text": "a\tb\nc\\d\"e", "list": [1, None, True]}},
    {"id": 3, "name": "", "flag": None, "day": None, "at": None, "details": None},
]


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request, databases, tmp_path):
    url = databases.create("bulk") if request.param == "postgresql" else f"sqlite:///{tmp_path}/bulk.sqlite3"
    engine = make_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def session_of(engine) -> Session:
    session = Session(engine)
    session.info.update(service="directory", outbox_table=metadata.tables[OUTBOX], correlation_id="c-1")
    return session


def test_bulk_insert_stores_what_an_insert_stores(engine):
    green = psycopg2_extensions.get_wait_callback()
    assert engine.dialect.name == "sqlite" or green is not None, "nameko test runs psycopg2 green, as services do"
    with session_of(engine) as session:
        bulk_insert(session, things, ROWS)
        session.commit()
        stored = [dict(row._mapping) for row in session.execute(select(things).order_by(things.c.id))]
    assert psycopg2_extensions.get_wait_callback() is green
    if engine.dialect.name == "sqlite":
        stored[0]["at"] = stored[0]["at"].replace(tzinfo=timezone.utc)
    assert stored == ROWS


def test_bulk_insert_rolls_back_with_its_transaction(engine):
    with session_of(engine) as session:
        bulk_insert(session, things, ROWS[:1])
        session.rollback()
        assert session.scalars(select(things.c.id)).all() == []


def test_emit_many_writes_the_envelopes_emit_writes(engine):
    outbox = metadata.tables[OUTBOX]
    with session_of(engine) as session:
        emit(session, "member_joined", {"member_id": "m0", "name": "张红梅"})
        emit_many(session, "member_joined", [{"member_id": f"m{n}", "name": "王\t建国"} for n in (1, 2)])
        session.commit()
        assert session.info["emitted"]
        rows = session.execute(select(outbox.c.event_id, outbox.c.event_type, outbox.c.body, outbox.c.correlation_id,
                                      outbox.c.published_at, outbox.c.attempts).order_by(outbox.c.id)).all()
    assert [row.body["data"]["member_id"] for row in rows] == ["m0", "m1", "m2"]
    assert rows[1].body["data"]["name"] == "王\t建国"
    single, bulk = rows[0], rows[1]
    assert set(single.body) == set(bulk.body) and bulk.body["event_id"] == bulk.event_id
    assert (bulk.event_type, bulk.correlation_id, bulk.body["source"], bulk.published_at, bulk.attempts) == \
        ("member_joined", "c-1", "directory", None, 0)
    assert len({row.event_id for row in rows}) == 3
