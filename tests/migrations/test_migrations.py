"""Each service's migrations build exactly its models' schema, on PostgreSQL and on SQLite."""

import importlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from partyday_common.db import make_engine
from partyday_common.migrations import alembic_config, upgrade
from partyday_common.settings import SERVICES


def _metadata(service):
    return importlib.import_module(f"partyday_{service}.models").metadata


def _differences(url, service):
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _metadata(service))
    engine.dispose()
    return differences


@pytest.mark.parametrize("service", SERVICES)
def test_postgres_migrations_match_the_models(service, databases):
    url = databases.create(service)
    upgrade(service, url)
    assert _differences(url, service) == []


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_go_down_and_up_again(service, databases):
    url = databases.create(service)
    upgrade(service, url)
    command.downgrade(alembic_config(service, url), "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(service, url)
    assert _differences(url, service) == []


@pytest.mark.parametrize("service", SERVICES)
def test_sqlite_migrations_match_the_models(service, tmp_path):
    url = f"sqlite:///{tmp_path / service}.sqlite3"
    upgrade(service, url)
    assert _differences(url, service) == []


def test_sheet_entries_leave_room_on_each_page_for_signing_in_and_out_in_place(databases):
    url = databases.create("attendance")
    upgrade("attendance", url)
    engine = make_engine(url)
    with engine.connect() as connection:
        options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'sheet_entries'")).scalar()
    engine.dispose()
    assert options == ["fillfactor=75"]
