"""Every stored time is an instant, on SQLite (the embedded default) and PostgreSQL alike: each service's every
time column (its own tables and its bus tables) gives back the instant it was given, whatever the offset it came
with, from −12:00 to +14:00 in every quarter hour, and orders rows by instant in SQL."""

from datetime import date, datetime, timedelta, timezone
from importlib import import_module

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.types import TypeDecorator

from partyday_common.db import make_engine
from partyday_common.instants import Instant, NaiveTime
from partyday_common.settings import SERVICES as SERVICE_NAMES

# Every service's tables, a service added later included.
SERVICES = {name: import_module(f"partyday_{name}.models").metadata for name in SERVICE_NAMES}
# Every UTC offset a place has had, in quarter hours: −12:00 … +14:00.
OFFSETS = [timezone(timedelta(minutes=minutes)) for minutes in range(-12 * 60, 14 * 60 + 1, 15)]


def moment(row: int, column: int) -> datetime:
    """A different instant per row and column, its wall clock in the row's offset, spread over years, days and
    the hours around midnight (where a date changes with the offset), with microseconds."""
    wall = datetime(1971 + (row * 37) % 128, 1 + row % 12, 1 + row % 28, row % 24, (row * 7 + column) % 60)
    return wall.replace(second=(row * 13) % 60, microsecond=(row * 9973) % 1_000_000, tzinfo=OFFSETS[row])


def value_for(column, row: int, instant_columns: list[str]):
    """A value of the column's type, the same in every table for a row (so a foreign key finds its row)."""
    kind = column.type
    if isinstance(kind, Instant):
        return moment(row, instant_columns.index(column.name))
    if isinstance(kind, JSON):
        return {"row": row}
    if isinstance(kind, Boolean):
        return row % 2 == 0
    if isinstance(kind, Date):
        return date(2026, 1, 1) + timedelta(days=row)
    if isinstance(kind, Float):
        return float(row)
    if isinstance(kind, Integer):
        return row + 1
    if isinstance(kind, (String, Text)):
        return f"v{row}"
    raise AssertionError(f"no test value for {column.table.name}.{column.name} ({kind!r})")


def time_columns(metadata) -> list:
    """Every column of the metadata that stores a time, whatever its declared type."""
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, DateTime)
        or (isinstance(column.type, TypeDecorator) and isinstance(column.type.impl_instance, DateTime))
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_time_column_is_an_instant(service):
    columns = time_columns(SERVICES[service])
    assert columns, "the bus tables have times at least"
    assert [f"{c.table.name}.{c.name}" for c in columns if not isinstance(c.type, Instant)] == [], (
        "DateTime(timezone=True) drops the offset on SQLite: store times as partyday_common.instants.Instant"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_for(request, databases, tmp_path):
    engines = []

    def make(service: str):
        url = databases.create(service) if request.param == "postgresql" else f"sqlite:///{tmp_path}/{service}.sqlite3"
        engine = make_engine(url)
        SERVICES[service].create_all(engine)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_every_stored_time_comes_back_as_the_same_instant_in_utc(engine_for, service):
    metadata, engine = SERVICES[service], engine_for(service)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            instants = [c.name for c in table.columns if isinstance(c.type, Instant)]
            rows = [{c.name: value_for(c, row, instants) for c in table.columns} for row in range(len(OFFSETS))]
            connection.execute(insert(table), rows)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            instants = [c for c in table.columns if isinstance(c.type, Instant)]
            if not instants:
                continue
            key = list(table.primary_key.columns)
            names = [c.name for c in instants]
            stored = {
                tuple(found[: len(key)]): found[len(key) :] for found in connection.execute(select(*key, *instants))
            }
            assert len(stored) == len(OFFSETS)
            for row in range(len(OFFSETS)):
                back = stored[tuple(value_for(c, row, names) for c in key)]
                for index, column in enumerate(instants):
                    given = moment(row, index)
                    assert back[index] == given, (
                        f"{table.name}.{column.name}: {given.isoformat()} came back as {back[index]}"
                    )
                    assert back[index].utcoffset() == timedelta(0), f"{table.name}.{column.name} is read back in UTC"
            first = instants[0]
            in_order = connection.execute(select(first).order_by(first)).scalars().all()
            assert in_order == sorted(moment(row, 0) for row in range(len(OFFSETS))), (
                f"{table.name}.{first.name} orders by instant in SQL"
            )


@pytest.mark.parametrize("service", ["plans"])
def test_a_time_without_an_offset_is_refused_not_guessed(engine_for, service):
    engine = engine_for(service)
    outbox = SERVICES[service].tables["outbox_messages"]
    row = {"event_id": "e-1", "event_type": "t", "body": {}, "created_at": datetime(2026, 12, 7, 9)}
    with pytest.raises(StatementError, match="has no UTC offset") as raised, engine.begin() as connection:
        connection.execute(insert(outbox), [row])
    assert isinstance(raised.value.orig, NaiveTime)
