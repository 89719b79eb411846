"""The activity facts each attendance process keeps for sign-ins: read once, bounded, misses not kept."""
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from partyday_attendance.facts import ActivityFactsCache
from partyday_attendance.models import Activity, metadata

STARTS = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
ENDS = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
RULES = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}


@pytest.fixture
def database():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    reads = []
    event.listen(engine, "before_cursor_execute", lambda *args: reads.append(args[2]))

    @contextmanager
    def session_factory():
        with Session(engine) as session, session.begin():
            yield session

    session_factory.reads = reads
    yield session_factory
    engine.dispose()


def add(session_factory, activity_id: str) -> None:
    with session_factory() as session:
        session.add(Activity(id=activity_id, plan_id="p", branch_id="b", branch_path="/c/b/", theme="主题党日",
                             starts_at=STARTS, ends_at=ENDS, closes_at=ENDS, venue_name="活动室", venue_lat=33.07,
                             venue_lon=107.03, radius_m=300, rules=RULES))


def test_an_activity_is_read_once_and_judged_by_its_windows_and_fence(database):
    add(database, "a-1")
    cache = ActivityFactsCache()
    first = cache.get(database, "a-1")
    reads = len(database.reads)
    assert cache.get(database, "a-1") is first and len(database.reads) == reads
    assert (first.venue_lat, first.venue_lon, first.radius_m) == (33.07, 107.03, 300)
    assert first.windows.sign_in_opens == datetime(2026, 12, 7, 0, 30, tzinfo=timezone.utc)
    assert first.windows.sign_in_closes == datetime(2026, 12, 7, 1, 15, tzinfo=timezone.utc)


def test_an_unknown_activity_is_not_remembered_as_missing(database):
    cache = ActivityFactsCache()
    assert cache.get(database, "a-2") is None
    add(database, "a-2")
    assert cache.get(database, "a-2").activity_id == "a-2"


def test_the_least_recently_used_are_let_go_beyond_the_bound(database):
    for activity_id in ("a-1", "a-2", "a-3"):
        add(database, activity_id)
    cache = ActivityFactsCache(kept=2)
    cache.get(database, "a-1")
    cache.get(database, "a-2")
    cache.get(database, "a-1")
    cache.get(database, "a-3")
    reads = len(database.reads)
    cache.get(database, "a-1")
    cache.get(database, "a-3")
    assert len(database.reads) == reads, "the two most recently used are kept"
    cache.get(database, "a-2")
    assert len(database.reads) > reads, "the least recently used was let go and is read again"
