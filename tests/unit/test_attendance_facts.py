"""The activity facts each attendance process keeps for sign-ins: read once, bounded, misses not kept."""

from datetime import datetime, timezone

from partyday_attendance.facts import ACTIVITY_FACTS, ActivityFactsCache

STARTS = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
ENDS = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
RULES = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}


class Activities:
    """Stands in for `WorkerDatabase.run_alone` over the activities table, counting its reads."""

    def __init__(self, *activity_ids: str):
        self.rows = {activity_id: (33.07, 107.03, 300.0, STARTS, ENDS, RULES) for activity_id in activity_ids}
        self.reads = 0

    def __call__(self, statement, parameters):
        assert statement is ACTIVITY_FACTS
        self.reads += 1
        return self.rows.get(parameters["activity_id"])


def test_an_activity_is_read_once_and_judged_by_its_windows_and_fence():
    activities = Activities("a-1")
    cache = ActivityFactsCache()
    first = cache.get(activities, "a-1")
    assert cache.get(activities, "a-1") is first and activities.reads == 1
    assert (first.activity_id, first.venue_lat, first.venue_lon, first.radius_m) == ("a-1", 33.07, 107.03, 300)
    assert first.windows.sign_in_opens == datetime(2026, 12, 7, 0, 30, tzinfo=timezone.utc)
    assert first.windows.sign_in_closes == datetime(2026, 12, 7, 1, 15, tzinfo=timezone.utc)
    assert first.windows.sign_out_closes == datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc)


def test_an_unknown_activity_is_not_remembered_as_missing():
    activities = Activities()
    cache = ActivityFactsCache()
    assert cache.get(activities, "a-2") is None
    activities.rows["a-2"] = (33.07, 107.03, 300.0, STARTS, ENDS, RULES)
    assert cache.get(activities, "a-2").activity_id == "a-2"


def test_the_least_recently_used_are_let_go_beyond_the_bound():
    activities = Activities("a-1", "a-2", "a-3")
    cache = ActivityFactsCache(kept=2)
    for activity_id in ("a-1", "a-2", "a-1", "a-3"):
        cache.get(activities, activity_id)
    reads = activities.reads
    cache.get(activities, "a-1")
    cache.get(activities, "a-3")
    assert activities.reads == reads, "the two most recently used are kept"
    cache.get(activities, "a-2")
    assert activities.reads == reads + 1, "the least recently used was let go and is read again"
