"""Attendance's migration 0008 on existing data: each absence streak takes its member's name from the newest closed
sheet they were on as a member (a guest's line does not count), and the last party day they missed from their
newest absence."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from partyday_common.db import make_engine
from partyday_common.migrations import upgrade

AT = datetime(2026, 11, 7, 1, tzinfo=timezone.utc)


def _activity(activity_id, days, closed=True):
    starts = AT + timedelta(days=days)
    return {"id": activity_id, "plan_id": f"p-{activity_id}", "branch_id": "b1", "branch_path": "/b1/",
            "theme": "主题党日", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "closes_at": starts + timedelta(hours=3), "venue_name": "活动室", "venue_lat": 33.07,
            "venue_lon": 107.03, "radius_m": 300, "rules": "{}",
            "closed_at": starts + timedelta(hours=3) if closed else None}


def _entry(activity_id, member_id, name, guest=False, status="absent"):
    return {"activity_id": activity_id, "member_id": member_id, "name": name, "mobile": False, "guest": guest,
            "status": status, "sent_late": False}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_0008_gives_existing_streaks_their_name_and_last_closed_activity(backend, databases, tmp_path):
    url = databases.create("attendance") if backend == "postgresql" else f"sqlite:///{tmp_path}/attendance.sqlite3"
    upgrade("attendance", url, "0007")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO activities (id, plan_id, branch_id, branch_path, theme, starts_at, ends_at, closes_at, "
            "venue_name, venue_lat, venue_lon, radius_m, rules, closed_at) VALUES (:id, :plan_id, :branch_id, "
            ":branch_path, :theme, :starts_at, :ends_at, :closes_at, :venue_name, :venue_lat, :venue_lon, :radius_m, "
            ":rules, :closed_at)"),
            [_activity("older", 0), _activity("newer", 30), _activity("open", 60, closed=False),
             _activity("visited", 90), _activity("excused", 120)])
        connection.execute(text(
            "INSERT INTO sheet_entries (activity_id, member_id, name, mobile, guest, status, sent_late) VALUES "
            "(:activity_id, :member_id, :name, :mobile, :guest, :status, :sent_late)"),
            [_entry("older", "m1", "旧名"), _entry("newer", "m1", "张红梅"), _entry("open", "m1", "张红梅"),
             _entry("visited", "m1", "张红梅", guest=True), _entry("excused", "m1", "张红梅", status="excused"),
             _entry("older", "m2", "李强")])
        connection.execute(text("INSERT INTO absence_streaks (member_id, branch_id, streak, flagged) VALUES "
                                "('m1', 'b1', 3, true), ('m2', 'b1', 1, false), ('m3', 'b1', 0, false)"))
    upgrade("attendance", url)
    with engine.connect() as connection:
        streaks = {row.member_id: (row.name, row.last_activity_id) for row in connection.execute(
            text("SELECT member_id, name, last_activity_id FROM absence_streaks"))}
    engine.dispose()
    assert streaks == {"m1": ("张红梅", "newer"), "m2": ("李强", "older"), "m3": (None, None)}
