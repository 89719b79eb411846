"""Bulk inserts and bulk events: COPY on PostgreSQL (under eventlet's green psycopg2 too, as nameko runs it)
stores exactly what a many-row INSERT stores, every event lands in the outbox as `emit` writes one, the relay
still reads the pending ones from their index when a bulk insert left many behind the statistics, and a batch's
thousand keys are looked up through the key's index."""

import hashlib
from datetime import date, datetime, timedelta, timezone

import pytest
from psycopg2 import extensions as psycopg2_extensions
from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, String, Table, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert, emit, emit_many, make_engine, select_by_keys
from partyday_common.instants import Instant, NaiveTime
from partyday_common.outbox import OutboxRelay
from partyday_common.tables import OUTBOX, add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200)),
    Column("flag", Boolean),
    Column("day", Date),
    Column("at", Instant),
    Column("details", JSON),
)
members = Table("members", metadata, Column("member_id", String(64), primary_key=True), Column("name", String(100)))
AT = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
ROWS = [
    {
        "id": 1,
        "name": "张红梅",
        "flag": True,
        "day": date(2015, 7, 1),
        "at": AT,
        "details": {"reasons": ["PHONE_INVALID"], "名": "值"},
    },
    {
        "id": 2,
        "name": 'tab\there, line\nbreak, return\r, back\\slash, \\N, "quoted"',
        "flag": False,
        "day": None,
        "at": None,
        "details": {"text": 'a\tb\nc\\d"e', "list": [1, None, True]},
    },
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
    assert stored == ROWS
    assert stored[0]["at"].utcoffset() == timedelta(0), "the instant comes back in UTC"


def test_bulk_insert_refuses_a_time_without_an_offset(engine):
    with session_of(engine) as session, pytest.raises((NaiveTime, StatementError), match="has no UTC offset"):
        bulk_insert(session, things, [{**ROWS[0], "at": AT.replace(tzinfo=None)}])


def test_bulk_insert_rolls_back_with_its_transaction(engine):
    with session_of(engine) as session:
        bulk_insert(session, things, ROWS[:1])
        session.rollback()
        assert session.scalars(select(things.c.id)).all() == []


def test_bulk_insert_breaking_a_constraint_is_an_integrity_error_its_savepoint_undoes(engine):
    with session_of(engine) as session:
        bulk_insert(session, things, ROWS[:1])
        with pytest.raises(IntegrityError), session.begin_nested():
            bulk_insert(session, things, ROWS)
        bulk_insert(session, things, ROWS[1:])
        session.commit()
        assert session.scalars(select(things.c.id).order_by(things.c.id)).all() == [1, 2, 3]


def test_emit_many_writes_the_envelopes_emit_writes(engine):
    outbox = metadata.tables[OUTBOX]
    with session_of(engine) as session:
        emit(session, "member_joined", {"member_id": "m0", "name": "张红梅"})
        emit_many(session, "member_joined", [{"member_id": f"m{n}", "name": "王\t建国"} for n in (1, 2)])
        session.commit()
        assert session.info["emitted"]
        rows = session.execute(
            select(
                outbox.c.event_id,
                outbox.c.event_type,
                outbox.c.body,
                outbox.c.correlation_id,
                outbox.c.published_at,
                outbox.c.attempts,
            ).order_by(outbox.c.id)
        ).all()
    assert [row.body["data"]["member_id"] for row in rows] == ["m0", "m1", "m2"]
    assert rows[1].body["data"]["name"] == "王\t建国"
    single, bulk = rows[0], rows[1]
    assert set(single.body) == set(bulk.body) and bulk.body["event_id"] == bulk.event_id
    assert (bulk.event_type, bulk.correlation_id, bulk.body["source"], bulk.published_at, bulk.attempts) == (
        "member_joined",
        "c-1",
        "directory",
        None,
        0,
    )
    assert len({row.event_id for row in rows}) == 3


def test_the_relay_reads_the_pending_events_from_their_index_after_a_bulk_insert(databases):
    """Statistics taken while every event was relayed, then a bulk import: PostgreSQL must not read and sort
    every pending event to find the first hundred."""
    engine = make_engine(databases.create("relay"))
    metadata.create_all(engine)
    add = (
        f"INSERT INTO {OUTBOX} (event_id, event_type, body, created_at, published_at, attempts) "
        "SELECT md5(n::text), 'member_joined', '{{}}', now(), {published}, 0 "
        "FROM generate_series({first}, {last}) n"
    )
    with engine.begin() as connection:
        connection.execute(text(add.format(published="now()", first=1, last=20000)))
        connection.execute(text(f"ANALYZE {OUTBOX}"))
        connection.execute(text(add.format(published="NULL", first=20001, last=40000)))
    relay = OutboxRelay(
        engine=engine,
        table=metadata.tables[OUTBOX],
        service="directory",
        config={"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"},
        subscribed=set(),
    )
    due = relay._due_query().compile(engine)
    with engine.connect() as connection:
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {due}", due.params).scalars())
        first = connection.execute(relay._due_query()).first()
    engine.dispose()
    assert "Index Scan using ix_outbox_messages_pending" in plan and "Sort" not in plan, plan
    assert first.id == 20001


def test_select_by_keys_finds_each_key_once(engine):
    with session_of(engine) as session:
        bulk_insert(session, things, ROWS)
        found = session.execute(select_by_keys(session, things.c.id, [3, 1, 99, 3], things.c.id, things.c.name))
        assert sorted(found) == [(1, "张红梅"), (3, "")]
        assert session.scalars(select_by_keys(session, things.c.id, [2])).all() == [2]
        assert session.scalars(select_by_keys(session, things.c.id, [])).all() == []


def test_a_thousand_keys_are_looked_up_through_the_index(databases):
    """A roster import's batch looks up a thousand phones or members in a table of a city's 200,000, growing as
    it goes: given them as an IN list or a join PostgreSQL reads the whole table, ten times slower than probing
    the index a key at a time; so with the table's statistics taken or not (an import outruns them)."""
    engine = make_engine(databases.create("keys"))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO members (member_id, name) SELECT md5(n::text), 'm' || n FROM generate_series(1, 200000) n"
            )
        )
    wanted = [f"absent-{n}" for n in range(1000)] + [hashlib.md5(b"7").hexdigest()]

    def plan() -> str:
        with session_of(engine) as session:
            lookup = select_by_keys(session, members.c.member_id, wanted, members.c.name).compile(engine)
            return "\n".join(session.connection().exec_driver_sql(f"EXPLAIN {lookup}", lookup.params).scalars())

    before = plan()
    with engine.begin() as connection:
        connection.execute(text("ANALYZE members"))
    after = plan()
    with session_of(engine) as session:
        found = session.scalars(select_by_keys(session, members.c.member_id, wanted, members.c.name)).all()
    engine.dispose()
    for shown in (before, after):
        assert "Index Scan using members_pkey" in shown and "Seq Scan on members" not in shown, shown
    assert found == ["m7"]
