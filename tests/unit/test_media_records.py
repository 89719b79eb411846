"""Media's records on SQLite (the embedded mode's database): the quota taken in one conditional update,
and the unique index on live uploads catching the same file sent twice at once."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_media import records
from partyday_media.models import Activity, BranchUsage, Media, metadata

SHA = "a" * 64


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/media.sqlite3")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _activity() -> Activity:
    return Activity(id="a1", branch_id="b1", branch_path="/b1/", month="2026-12", approved=True, required_actions=[],
                    summary_chars=0, sheet_closed=False, detail_score=0)


def _stored(n: int) -> dict:
    return {"kind": "document", "keys": {"original": f"media/b1/m{n}/original.pdf"}, "stored_bytes": 40}


def test_the_quota_is_taken_in_one_conditional_update(engine):
    with Session(engine) as session, session.begin():
        records.take_quota(session, "b1", 60, 100)
        with pytest.raises(DomainError) as raised:
            records.take_quota(session, "b1", 60, 100)
        records.take_quota(session, "b1", 40, 100)
    assert (raised.value.status, raised.value.code, raised.value.details) == (
        413, "QUOTA_EXCEEDED", {"used_bytes": 60, "quota_bytes": 100})
    with Session(engine) as session:
        assert session.get(BranchUsage, "b1").used_bytes == 100


def test_the_same_file_recorded_twice_at_once_meets_the_unique_index(engine, monkeypatch):
    with Session(engine) as session, session.begin():
        session.add(_activity())
        first = records.add_media(session, session.get(Activity, "a1"), "m1", {"sha256": SHA, "format": "pdf"},
                                  _stored(1))
    monkeypatch.setattr(records, "find_duplicates", lambda *args, **kwargs: [])  # the race: neither saw the other
    with Session(engine) as session, session.begin():
        records.take_quota(session, "b1", 40, 100)
        with pytest.raises(DomainError) as raised:
            records.add_media(session, session.get(Activity, "a1"), "m2", {"sha256": SHA, "format": "pdf"},
                              _stored(2))
        session.rollback()
    assert (raised.value.status, raised.value.code, raised.value.details) == (
        409, "DUPLICATE_UPLOAD", {"media_id": first["media_id"]})
    with Session(engine) as session:
        assert session.scalars(select(Media.id)).all() == ["m1"] and session.get(BranchUsage, "b1") is None


def test_a_rejected_upload_leaves_room_for_the_same_file(engine, monkeypatch):
    monkeypatch.setattr(records, "rescore", lambda session, act: None)
    with Session(engine) as session, session.begin():
        session.add(_activity())
        records.take_quota(session, "b1", 40, 100)
        records.add_media(session, session.get(Activity, "a1"), "m1", {"sha256": SHA, "format": "pdf"}, _stored(1))
        records.review(session, "m1", False, "模糊", "boss")
        assert session.get(BranchUsage, "b1").used_bytes == 0
        monkeypatch.setattr(records, "find_duplicates", lambda *args, **kwargs: [])
        assert records.add_media(session, session.get(Activity, "a1"), "m2", {"sha256": SHA, "format": "pdf"},
                                 _stored(2))["status"] == "pending"
