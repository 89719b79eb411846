"""Media's migration 0004 on existing data: live duplicates of one file for an activity (the race the
new unique index closes) keep their earliest upload, and the branches' usage rows count what is stored."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from partyday_common.db import make_engine
from partyday_common.migrations import upgrade

AT = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)


def _media(media_id, activity_id, branch_id, sha256, status, stored_bytes, minutes):
    return {
        "id": media_id,
        "activity_id": activity_id,
        "branch_id": branch_id,
        "branch_path": f"/{branch_id}/",
        "kind": "document",
        "format": "pdf",
        "status": status,
        "stored_bytes": stored_bytes,
        "sha256": sha256,
        "keys": "{}",
        "duplicates": "[]",
        "uploaded_at": AT + timedelta(minutes=minutes),
    }


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_0004_rejects_later_live_duplicates_and_counts_usage(backend, databases, tmp_path):
    url = databases.create("media") if backend == "postgresql" else f"sqlite:///{tmp_path}/media.sqlite3"
    upgrade("media", url, "0003")
    engine = make_engine(url)
    same, other = "s" * 64, "t" * 64
    rows = [
        _media("m1", "a1", "b1", same, "approved", 100, 0),
        _media("m2", "a1", "b1", same, "pending", 100, 1),
        _media("m3", "a1", "b1", same, "rejected", 100, 2),
        _media("m4", "a2", "b1", same, "pending", 30, 3),
        _media("m5", "a3", "b2", other, "pending", 7, 4),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO media (id, activity_id, branch_id, branch_path, kind, format, status, stored_bytes, "
                "sha256, keys, duplicates, uploaded_at) VALUES (:id, :activity_id, :branch_id, :branch_path, :kind, "
                ":format, :status, :stored_bytes, :sha256, :keys, :duplicates, :uploaded_at)"
            ),
            rows,
        )
    upgrade("media", url)
    with engine.connect() as connection:
        statuses = dict(connection.execute(text("SELECT id, status FROM media")).all())
        usage = dict(connection.execute(text("SELECT branch_id, used_bytes FROM branch_usage")).all())
    engine.dispose()
    assert statuses == {"m1": "approved", "m2": "rejected", "m3": "rejected", "m4": "pending", "m5": "pending"}
    assert usage == {"b1": 130, "b2": 7}
