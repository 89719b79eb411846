"""Uploads recorded on SQLite (the embedded mode's database): the unique index on live uploads catching
the same file sent twice at once, and a rejection leaving room for it."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_common.tables import OUTBOX
from partyday_media import activities, duplicates, media_records, quota, reviews
from partyday_media.models import Activity, BranchUsage, Media, metadata

SHA = "a" * 64


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/media.sqlite3")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _activity() -> Activity:
    return Activity(
        id="a1",
        branch_id="b1",
        branch_path="/b1/",
        month="2026-12",
        approved=True,
        required_actions=[],
        summary_chars=0,
        sheet_closed=False,
        detail_score=0,
    )


def _stored(n: int) -> dict:
    return {"kind": "document", "keys": {"original": f"media/b1/m{n}/original.pdf"}, "stored_bytes": 40}


def test_the_same_file_recorded_twice_at_once_meets_the_unique_index(engine, monkeypatch):
    with Session(engine) as session, session.begin():
        session.add(_activity())
        first = media_records.add(
            session, session.get(Activity, "a1"), "m1", {"sha256": SHA, "format": "pdf"}, _stored(1)
        )
    monkeypatch.setattr(duplicates, "find", lambda *args, **kwargs: [])  # the race: neither saw the other
    with Session(engine) as session, session.begin():
        quota.take(session, "b1", 40, 100)
        with pytest.raises(DomainError) as raised:
            media_records.add(session, session.get(Activity, "a1"), "m2", {"sha256": SHA, "format": "pdf"}, _stored(2))
        session.rollback()
    assert (raised.value.status, raised.value.code, raised.value.details) == (
        409,
        "DUPLICATE_UPLOAD",
        {"media_id": first["media_id"]},
    )
    with Session(engine) as session:
        assert session.scalars(select(Media.id)).all() == ["m1"] and session.get(BranchUsage, "b1") is None


def test_a_rejected_upload_leaves_room_for_the_same_file(engine, monkeypatch):
    monkeypatch.setattr(activities, "rescore", lambda session, act: None)
    with Session(engine) as session, session.begin():
        session.info.update(service="media", outbox_table=metadata.tables[OUTBOX])  # the review's record
        session.add(_activity())
        quota.take(session, "b1", 40, 100)
        media_records.add(session, session.get(Activity, "a1"), "m1", {"sha256": SHA, "format": "pdf"}, _stored(1))
        reviews.decide(session, "m1", False, "模糊", "boss")
        assert session.get(BranchUsage, "b1").used_bytes == 0
        monkeypatch.setattr(duplicates, "find", lambda *args, **kwargs: [])
        assert (
            media_records.add(session, session.get(Activity, "a1"), "m2", {"sha256": SHA, "format": "pdf"}, _stored(2))[
                "status"
            ]
            == "pending"
        )
