"""The directory's migration 0005 (roster imports as jobs) on a directory that already has members: it
adds the imports and their rejected rows empty, keeps every member, and goes down again to 0004 leaving
the members as they were."""

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, text

from partyday_common.db import make_engine
from partyday_common.migrations import alembic_config, upgrade

AT = datetime(2026, 12, 4, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_0005_adds_empty_import_tables_beside_existing_members_and_goes_down_again(backend, databases, tmp_path):
    url = databases.create("directory") if backend == "postgresql" else f"sqlite:///{tmp_path}/directory.sqlite3"
    upgrade("directory", url, "0004")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orgs (id, code, name, level, domain, kind, path, created_at) "
                "VALUES ('b1', 'B1', '一支部', 'branch', 'rural', 'regular', '/b1/', :at)"
            ),
            {"at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO members (id, name, phone, branch_id, probationary, mobile, lost_contact, "
                "active, created_at) VALUES ('m1', '张红梅', '13800138000', 'b1', false, false, "
                "false, true, :at)"
            ),
            {"at": AT},
        )
    upgrade("directory", url, "0005")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM roster_imports")).scalar_one() == 0
        connection.execute(
            text(
                "INSERT INTO roster_imports (id, state, storage_key, rows_read, last_row, accepted, unchanged, "
                "rejected, created_at) VALUES ('i1', 'queued', 'incoming/x', 0, 0, 0, 0, 0, :at)"
            ),
            {"at": AT},
        )
        connection.execute(
            text("INSERT INTO roster_import_rejections (import_id, row, reasons) VALUES ('i1', 2, '[\"PHONE_TAKEN\"]')")
        )
        with pytest.raises(Exception):
            with connection.begin_nested():
                connection.execute(
                    text("INSERT INTO roster_import_rejections (import_id, row, reasons) VALUES ('i1', 2, '[]')")
                )
    command.downgrade(alembic_config("directory", url), "0004")
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        members = connection.execute(text("SELECT id, phone FROM members")).all()
    engine.dispose()
    assert not {"roster_imports", "roster_import_rejections"} & tables and "members" in tables
    assert [tuple(member) for member in members] == [("m1", "13800138000")]
