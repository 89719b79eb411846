"""Make-up study (补学) on RabbitMQ and PostgreSQL: closing a party day gives a make-up to each member absent without
leave and to nobody else; the member completes it with a reflection; the sheet shows it while the absence, the
counts and the streak stay as they were."""

from datetime import datetime

import pytest
from sqlalchemy import select

from partyday_attendance.models import metadata
from partyday_common.db import make_engine
from tests.services.test_attendance import (  # noqa: F401 (the fixture)
    VENUE,
    approve,
    attendance,
    call,
    evidence,
    refused,
    scan,
)

DUE = datetime.fromisoformat("2026-12-22T00:00:00+08:00")
DONE_AT = datetime.fromisoformat("2026-12-10T20:00:00+08:00")
REFLECTION = "补学了当天的微党课和学习文章，体会到要把学习成果转化为为群众办实事的实际行动。"


@pytest.fixture
def service(attendance):  # noqa: F811 (the attendance service, started)
    return attendance


def _outbox(container, event_types: list[str]) -> list[tuple[str, dict]]:
    engine = make_engine(container.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbox.c.event_type, outbox.c.body).where(outbox.c.event_type.in_(event_types)).order_by(outbox.c.id)
        ).all()
    engine.dispose()
    return [(kind, body["data"]) for kind, body in rows]


def _line(container, activity, member) -> dict:
    return next(row for row in call(container, "attendance", activity)["members"] if row["member_id"] == member)


def _held_with_one_absent(container) -> str:
    """m-1 absent without leave, m-2 excused, m-3 signed in; closed at 2026-12-08 00:00 Beijing time."""
    activity = approve(container)
    leave = call(container, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00")
    call(container, "decide_leave", leave["leave_id"], True)
    scan(container, activity, "m-3", "sign_in", evidence(container, activity), "2026-12-07T09:05:00+08:00")
    assert call(container, "close_due", now="2026-12-08T00:00:00+08:00") == 1
    return activity


def test_closing_assigns_a_make_up_to_the_absent_only_due_after_the_setting_days(service):
    activity = _held_with_one_absent(service)
    assigned = _outbox(service, ["makeup_assigned"])
    assert [(data["member_id"], data["activity_id"]) for _, data in assigned] == [("m-1", activity)], (
        "the excused member and the one who came get none"
    )
    assert datetime.fromisoformat(assigned[0][1]["due_at"]) == DUE, "14 days after the close by default"
    assert _line(service, activity, "m-1")["makeup"] == {
        "state": "assigned",
        "due_at": "2026-12-21T16:00:00+00:00",
        "completed_at": None,
        "late": False,
    }
    assert _line(service, activity, "m-2")["makeup"] is None and _line(service, activity, "m-3")["makeup"] is None
    mine = call(service, "my_makeups", "m-1", now="2026-12-09T10:00:00+08:00")
    assert [(t["activity_id"], t["state"], t["theme"]) for t in mine["items"]] == [(activity, "assigned", "主题党日")]
    assert call(service, "my_makeups", "m-2")["total"] == 0
    refused("MAKEUP_NOT_FOUND", call, service, "complete_makeup", activity, "m-2", REFLECTION)


def test_a_missed_meeting_of_the_three_meetings_and_one_lesson_is_made_up_by_no_study(service):
    activity = approve(service, kind="branch_committee")
    assert call(service, "close_due", now="2026-12-08T00:00:00+08:00") == 1
    assert _line(service, activity, "m-1")["status"] == "absent", "the absence is on the meeting's sheet"
    assert _line(service, activity, "m-1")["makeup"] is None
    assert _outbox(service, ["makeup_assigned"]) == []


def test_a_make_up_completed_with_a_reflection_shows_on_the_sheet_and_the_absence_stays(service):
    activity = _held_with_one_absent(service)
    counts_before = call(service, "attendance", activity)["counts"]
    refused("MAKEUP_REFLECTION_TOO_SHORT", call, service, "complete_makeup", activity, "m-1", "学习了。" + " " * 40)
    done = call(
        service,
        "complete_makeup",
        activity,
        "m-1",
        REFLECTION,
        now="2026-12-10T20:00:00+08:00",
        idempotency_key="makeup-1",
    )
    assert (done["state"], datetime.fromisoformat(done["completed_at"]), done["late"]) == ("done", DONE_AT, False)
    again = call(
        service,
        "complete_makeup",
        activity,
        "m-1",
        REFLECTION,
        now="2026-12-10T20:00:00+08:00",
        idempotency_key="makeup-1",
    )
    assert again == done, "a repeat with its key gets the first answer"
    refused("MAKEUP_ALREADY_DONE", call, service, "complete_makeup", activity, "m-1", REFLECTION)
    line = _line(service, activity, "m-1")
    assert line["status"] == "absent", "the absence stays on record"
    assert line["makeup"]["state"] == "done" and datetime.fromisoformat(line["makeup"]["completed_at"]) == DONE_AT
    sheet = call(service, "attendance", activity)
    assert sheet["counts"] == counts_before, "the counts the score is computed from do not change"
    assert _outbox(service, ["attendance_updated"]) == [], "nothing is announced to the score"
    assert [data["member_id"] for _, data in _outbox(service, ["makeup_completed"])] == ["m-1"]


def test_an_unfinished_make_up_is_overdue_after_its_due_time_and_listed_to_the_branch(service):
    activity = _held_with_one_absent(service)
    due = "2026-12-22T00:00:00+08:00"
    assert call(service, "branch_makeups", "b-1", state="overdue", now=due)["total"] == 0, "due at, not yet overdue"
    listed = call(service, "branch_makeups", "b-1", state="overdue", now="2026-12-22T00:00:01+08:00")
    assert [(t["member_id"], t["name"], t["state"]) for t in listed["items"]] == [("m-1", "张红梅", "overdue")]
    assert call(service, "attendance", activity, now="2026-12-23T09:00:00+08:00")["members"][0]["makeup"]["state"] == (
        "overdue"
    )
    late = call(service, "complete_makeup", activity, "m-1", REFLECTION, now="2026-12-23T09:00:00+08:00")
    assert (late["state"], late["late"]) == ("done", True), "taken late, and its lateness kept"
    assert call(service, "branch_makeups", "b-1", state="overdue", now="2026-12-23T09:00:00+08:00")["total"] == 0
    assert call(service, "branch_makeups", "b-1", state="done")["items"][0]["late"] is True
    refused("STATE_INVALID", call, service, "branch_makeups", "b-1", state="lost")


def test_a_member_signed_in_after_all_by_a_superiors_decision_has_no_make_up(service):
    activity = approve(service)
    assert call(service, "close_due", now="2026-12-07T12:30:00+08:00") == 1
    assert _line(service, activity, "m-1")["makeup"]["state"] == "assigned"
    item = {
        **evidence(service, activity, lat=VENUE[0] + 0.0002),
        "activity_id": activity,
        "kind": "sign_in",
        "scanned_at": "2026-12-07T09:00:00+08:00",
    }
    assert call(service, "offline_batch", "m-1", [item], now="2026-12-07T20:00:00+08:00")[0]["status"] == "claimed"
    [record] = call(service, "reviews", "/c/")["items"]
    call(service, "decide_review", record["record_id"], {"decision": "accept", "reason": "核实到场"}, "u-county")
    assert _line(service, activity, "m-1")["makeup"] is None, "withdrawn: the member was there"
    assert call(service, "my_makeups", "m-1")["total"] == 0
    refused("MAKEUP_NOT_FOUND", call, service, "complete_makeup", activity, "m-1", REFLECTION)
