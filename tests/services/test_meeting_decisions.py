"""A members' meeting's decisions in attendance: a meeting's sheet opens like the theme day's, and its decisions
are recorded against the sheet's expected and present members (双过半)."""

import uuid

import pytest
from sqlalchemy import select

from partyday_attendance.models import metadata
from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from tests.services.helpers import publish_event, wait_until
from tests.services.test_attendance import (  # noqa: F401 (the fixture)
    RULES,
    VENUE,
    _exists,
    attendance,
    call,
    evidence,
    refused,
    scan,
)

ROSTER = [
    {"member_id": f"m-{number}", "name": f"党员{number}", "mobile": False, "probationary": False}
    for number in range(1, 6)
]
DURING = "2026-12-07T19:05:00+08:00"


@pytest.fixture
def service(attendance):  # noqa: F811 (the attendance service, started)
    return attendance


def open_meeting(container, kind):
    activity_id = uuid.uuid4().hex
    publish_event(
        container.config["AMQP_URI"],
        "plans",
        Envelope(
            event_type="plan_approved",
            source="plans",
            data={
                "plan_id": uuid.uuid4().hex,
                "activity_id": activity_id,
                "branch_id": "b-1",
                "branch_path": "/c/b-1/",
                "month": "2026-12",
                "kind": kind,
                "theme": "党员大会：选举支部委员",
                "starts_at": "2026-12-07T19:00:00+08:00",
                "ends_at": "2026-12-07T21:00:00+08:00",
                "venue_name": "活动室",
                "venue_lat": VENUE[0],
                "venue_lon": VENUE[1],
                "radius_m": 300,
                "attendance_rules": RULES,
                "roster": ROSTER,
            },
        ),
    )
    wait_until(lambda: _exists(container, activity_id), message="the sheet was opened")
    return activity_id


def sign_in(container, activity_id, *members):
    for member in members:
        scan(container, activity_id, member, "sign_in", evidence(container, activity_id), DURING)


def vote(container, activity_id, in_favour, against=0, abstaining=0, title="选举支部委员", at=DURING):
    payload = {"title": title, "in_favour": in_favour, "against": against, "abstaining": abstaining}
    return call(container, "record_decision", activity_id, payload, now=at)


def test_a_meetings_sheet_opens_with_its_kind_and_members_sign_in_as_on_the_theme_day(service):
    activity = open_meeting(service, "branch_committee")
    assert call(service, "get_activity", activity)["kind"] == "branch_committee"
    sign_in(service, activity, "m-1")
    [line] = [e for e in call(service, "attendance", activity)["members"] if e["member_id"] == "m-1"]
    assert line["status"] == "signed_in"


def test_a_decision_passes_only_by_the_double_majority(service):
    activity = open_meeting(service, "members_meeting")
    sign_in(service, activity, "m-1", "m-2")
    two_of_five = vote(service, activity, in_favour=2)
    assert (two_of_five["expected"], two_of_five["present"], two_of_five["passed"]) == (5, 2, False), (
        "two of five present is not more than half"
    )
    sign_in(service, activity, "m-3", "m-4")
    half_in_favour = vote(service, activity, in_favour=2, against=2, at="2026-12-07T19:20:00+08:00")
    assert (half_in_favour["present"], half_in_favour["passed"]) == (4, False), "exactly half in favour fails"
    passed = vote(service, activity, in_favour=3, against=1, title="接收预备党员", at="2026-12-07T19:30:00+08:00")
    assert passed["passed"] is True
    listed = call(service, "decisions", activity)
    assert [d["passed"] for d in listed["items"]] == [False, False, True]
    assert (listed["expected"], listed["present"], listed["total"]) == (5, 4, 3)


def test_more_votes_than_members_present_or_a_vote_at_another_meeting_is_refused(service):
    activity = open_meeting(service, "members_meeting")
    sign_in(service, activity, "m-1", "m-2", "m-3")
    error = refused("VOTES_EXCEED_PRESENT", vote, service, activity, in_favour=3, abstaining=1)
    assert error.status == 422 and error.details == {"cast": 4, "present": 3}
    committee = open_meeting(service, "branch_committee")
    refused("NOT_A_MEMBERS_MEETING", vote, service, committee, in_favour=0)
    refused("NOT_A_MEMBERS_MEETING", call, service, "decisions", committee)
    refused("ACTIVITY_NOT_FOUND", vote, service, "nope", in_favour=0)
    with pytest.raises(Exception) as raised:
        call(service, "record_decision", activity, {"title": "x", "in_favour": -1, "against": 0, "abstaining": 0})
    assert raised.value.status == 400


def test_missed_meetings_of_other_kinds_flag_nobody_for_absence(service):
    for _ in range(3):
        open_meeting(service, "branch_committee")
    assert call(service, "close_due", now="2026-12-08T00:00:00+08:00") == 3
    engine = make_engine(service.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        flagged = connection.execute(select(outbox.c.body).where(outbox.c.event_type == "member_absence_flagged")).all()
    engine.dispose()
    assert flagged == [], "only missed theme days make a streak"
    assert call(service, "absence_flags", "b-1")["items"] == []
