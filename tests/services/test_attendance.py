"""The attendance service on RabbitMQ and PostgreSQL: sheets from approved plans, scans, leave, closing."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from prometheus_client import REGISTRY
from sqlalchemy import event, select, text

from partyday_attendance import at_once, tokens
from partyday_attendance.models import Scan, SheetEntry, metadata
from partyday_attendance.service import AttendanceService
from partyday_attendance.settings import get_settings as attendance_settings
from partyday_common.db import Database, make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_common.tables import OUTBOX
from tests.services.helpers import publish_event, wait_until

VENUE = (33.0700, 107.0300)
ROSTER = [
    {"member_id": "m-1", "name": "张红梅", "mobile": False, "probationary": False},
    {"member_id": "m-2", "name": "李强", "mobile": False, "probationary": True},
    {"member_id": "m-3", "name": "王流动", "mobile": True, "probationary": False},
]


@pytest.fixture
def attendance(container_factory, make_config, databases):
    url = databases.create("attendance")
    upgrade("attendance", url)
    container = container_factory(AttendanceService, make_config("attendance", url=url))
    container.start()
    container.url = url
    return container


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


RULES = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}
# An activity that closes while its sign-in is still open, at its end: 09:00 to 09:10, no sign-out window.
CLOSES_AT_ITS_END = {
    "starts": "2026-12-07T09:00:00+08:00",
    "ends": "2026-12-07T09:10:00+08:00",
    "rules": {**RULES, "sign_out_window_min": 0},
}


def approve(
    container,
    starts="2026-12-07T09:00:00+08:00",
    ends="2026-12-07T11:00:00+08:00",
    roster=ROSTER,
    rules=RULES,
    kind="theme_day",
):
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
                "theme": "主题党日",
                "starts_at": starts,
                "ends_at": ends,
                "venue_name": "活动室",
                "venue_lat": VENUE[0],
                "venue_lon": VENUE[1],
                "radius_m": 300,
                "attendance_rules": rules,
                "roster": roster,
            },
        ),
    )
    wait_until(lambda: _exists(container, activity_id), message="the sheet was opened")
    return activity_id


def _exists(container, activity_id):
    try:
        return call(container, "get_activity", activity_id)
    except DomainError:
        return None


def evidence(container, activity_id, **changes):
    token = call(container, "qr_token", activity_id)["token"]
    return {
        "token": token,
        "lat": VENUE[0],
        "lon": VENUE[1],
        "accuracy_m": 10,
        "device_id": "phone-1",
        "nonce": uuid.uuid4().hex,
        **changes,
    }


def screen_code(activity_id, at: str) -> str:
    """The rotating code a venue screen showed at `at`: an offline scan with it proves its time."""
    moment = datetime.fromisoformat(at)
    return tokens.sign(
        activity_id, attendance_settings().qr_signing_keys(), moment + timedelta(minutes=5), tokens.step_of(moment)
    )


def scan(container, activity_id, member, kind, payload, at):
    return call(container, "scan", activity_id, member, kind, payload, now=at)


def refused(code, function, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        function(*args, **kwargs)
    assert raised.value.code == code, raised.value
    return raised.value


def test_a_sheet_follows_from_an_approved_plan_and_members_sign_in_and_out(attendance):
    activity = approve(attendance)
    payload = evidence(attendance, activity)
    signed = scan(attendance, activity, "m-1", "sign_in", payload, "2026-12-07T08:55:00+08:00")
    assert signed["status"] == "signed_in" and signed["sent_late"] is False
    assert scan(attendance, activity, "m-1", "sign_in", payload, "2026-12-07T08:56:00+08:00") == signed, (
        "the same nonce gets the same answer"
    )
    refused(
        "ALREADY_SIGNED_IN",
        scan,
        attendance,
        activity,
        "m-1",
        "sign_in",
        evidence(attendance, activity),
        "2026-12-07T08:57:00+08:00",
    )
    refused(
        "NOT_EXPECTED",
        scan,
        attendance,
        activity,
        "stranger",
        "sign_in",
        evidence(attendance, activity),
        "2026-12-07T08:57:00+08:00",
    )
    refused(
        "TOO_EARLY",
        scan,
        attendance,
        activity,
        "m-1",
        "sign_out",
        evidence(attendance, activity, reflection="学习体会很深刻，收获很大"),
        "2026-12-07T10:59:59+08:00",
    )
    refused(
        "REFLECTION_REQUIRED",
        scan,
        attendance,
        activity,
        "m-1",
        "sign_out",
        evidence(attendance, activity, reflection="好"),
        "2026-12-07T11:10:00+08:00",
    )
    out = scan(
        attendance,
        activity,
        "m-1",
        "sign_out",
        evidence(attendance, activity, reflection="学习体会很深刻，收获很大"),
        "2026-12-07T11:10:00+08:00",
    )
    assert out["status"] == "signed_out"

    engine = make_engine(attendance.url)
    with engine.connect() as connection:
        reasons = (
            connection.execute(select(Scan.reason).where(Scan.activity_id == activity).order_by(Scan.id))
            .scalars()
            .all()
        )
        outbox = metadata.tables["outbox_messages"]
        reflected = (
            connection.execute(select(outbox.c.body).where(outbox.c.event_type == "member_reflected")).scalars().all()
        )
    engine.dispose()
    assert reasons == [None, "ALREADY_SIGNED_IN", "NOT_EXPECTED", "TOO_EARLY", "REFLECTION_REQUIRED", None]
    assert reflected[0]["data"]["text"] == "学习体会很深刻，收获很大"
    assert (
        REGISTRY.get_sample_value(
            "partyday_scans_total", {"kind": "sign_in", "outcome": "rejected", "reason": "NOT_EXPECTED"}
        )
        >= 1
    )


@pytest.mark.parametrize(
    "changes, at, code",
    [
        ({"token": "forged.token"}, "2026-12-07T09:00:00+08:00", "TOKEN_INVALID"),
        ({"lat": VENUE[0] + 0.004}, "2026-12-07T09:00:00+08:00", "GEOFENCE_OUTSIDE"),
        ({"accuracy_m": 150}, "2026-12-07T09:00:00+08:00", "LOCATION_TOO_INACCURATE"),
        ({}, "2026-12-07T08:29:00+08:00", "WINDOW_NOT_OPEN"),
        ({}, "2026-12-07T09:16:00+08:00", "WINDOW_CLOSED"),
    ],
)
def test_a_sign_in_is_refused_for_its_reason(attendance, changes, at, code):
    activity = approve(attendance)
    refused(code, scan, attendance, activity, "m-2", "sign_in", evidence(attendance, activity, **changes), at)


def test_who_may_sign_in_is_judged_before_where_and_when(attendance):
    activity = approve(attendance)
    outside, late = {"lat": VENUE[0] + 0.004}, "2026-12-07T09:16:00+08:00"
    refused(
        "NOT_EXPECTED",
        scan,
        attendance,
        activity,
        "stranger",
        "sign_in",
        evidence(attendance, activity, **outside),
        late,
    )
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T09:00:00+08:00")
    refused(
        "ALREADY_SIGNED_IN",
        scan,
        attendance,
        activity,
        "m-1",
        "sign_in",
        evidence(attendance, activity, **outside),
        late,
    )
    refused(
        "WINDOW_CLOSED", scan, attendance, activity, "m-2", "sign_in", evidence(attendance, activity, **outside), late
    )
    refused(
        "GEOFENCE_OUTSIDE",
        scan,
        attendance,
        activity,
        "m-2",
        "sign_in",
        evidence(attendance, activity, **outside),
        "2026-12-07T09:00:00+08:00",
    )


def test_of_simultaneous_sign_ins_by_one_member_exactly_one_is_accepted(attendance):
    activity = approve(attendance)
    payloads = [evidence(attendance, activity) for _ in range(6)]

    def attempt(payload):
        try:
            return scan(attendance, activity, "m-1", "sign_in", payload, "2026-12-07T09:00:00+08:00")["status"]
        except DomainError as refusal:
            return refusal.code

    for thread in [eventlet.spawn(attempt, payload) for payload in payloads]:
        thread.wait()
    engine = make_engine(attendance.url)

    def outcomes():
        with engine.connect() as connection:
            return connection.execute(select(Scan.reason).where(Scan.activity_id == activity)).scalars().all()

    # entrypoint_hook answers the first worker of a method to finish, so wait for all six to commit.
    wait_until(lambda: len(outcomes()) == 6, message="the six sign-ins committed")
    assert sorted(outcomes(), key=str) == ["ALREADY_SIGNED_IN"] * 5 + [None]
    engine.dispose()
    sheet = call(attendance, "attendance", activity)
    assert [row["status"] for row in sheet["members"] if row["member_id"] == "m-1"] == ["signed_in"]


def test_a_token_of_another_activity_is_refused(attendance):
    first, second = approve(attendance), approve(attendance)
    refused(
        "TOKEN_INVALID",
        scan,
        attendance,
        first,
        "m-1",
        "sign_in",
        evidence(attendance, second),
        "2026-12-07T09:00:00+08:00",
    )


def test_closing_marks_absence_excuses_leave_and_counts_mobile_members_apart(attendance):
    activity = approve(attendance)
    leave = call(attendance, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00")
    call(attendance, "decide_leave", leave["leave_id"], True)
    refused(
        "LEAVE_TOO_LATE", call, attendance, "request_leave", activity, "m-1", "生病", now="2026-12-07T09:00:00+08:00"
    )
    scan(attendance, activity, "m-3", "sign_in", evidence(attendance, activity), "2026-12-07T09:05:00+08:00")
    assert call(attendance, "close_due", now="2026-12-07T11:59:00+08:00") == 0, "not before the window ends"
    assert call(attendance, "close_due", now="2026-12-08T00:00:00+08:00") == 1
    sheet = call(attendance, "attendance", activity)
    assert {m["member_id"]: m["status"] for m in sheet["members"]} == {
        "m-1": "absent",
        "m-2": "excused",
        "m-3": "no_sign_out",
    }
    assert sheet["counts"]["members"] == {"signed_out": 0, "no_sign_out": 0, "absent": 1, "excused": 1}
    assert sheet["counts"]["mobile_members"]["no_sign_out"] == 1
    engine = make_engine(attendance.url)
    outbox = metadata.tables[OUTBOX]
    with engine.connect() as connection:
        told = connection.execute(
            select(outbox.c.event_type, outbox.c.body)
            .where(outbox.c.event_type.in_(["leave_requested", "leave_decided"]))
            .order_by(outbox.c.id)
        ).all()
    engine.dispose()
    assert [(kind, body["data"]["member_id"], body["data"]["status"]) for kind, body in told] == [
        ("leave_requested", "m-2", "pending"),
        ("leave_decided", "m-2", "approved"),
    ], "the member is told the decision, and reminders pass them by"
    assert call(attendance, "close_due", now="2026-12-08T00:01:00+08:00") == 0, "closed once"


def test_a_service_that_was_down_closes_every_activity_it_missed(attendance):
    ids = [
        approve(attendance, starts=f"2026-12-0{day}T09:00:00+08:00", ends=f"2026-12-0{day}T10:00:00+08:00")
        for day in (2, 3, 4)
    ]
    assert call(attendance, "close_due", now="2026-12-20T00:00:00+08:00") == 3
    assert all(call(attendance, "get_activity", activity)["closed"] for activity in ids)


def test_three_absences_in_a_row_flag_a_member(attendance):
    for day in (2, 3, 4):
        approve(
            attendance,
            starts=f"2026-12-0{day}T09:00:00+08:00",
            ends=f"2026-12-0{day}T10:00:00+08:00",
            roster=ROSTER[:1],
        )
        call(attendance, "close_due", now=f"2026-12-0{day}T23:00:00+08:00")
    engine = make_engine(attendance.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        flagged = (
            connection.execute(select(outbox.c.body).where(outbox.c.event_type == "member_absence_flagged"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert [(f["data"]["member_id"], f["data"]["consecutive_absences"]) for f in flagged] == [("m-1", 3)]


def test_leave_requests_are_listed_for_the_branch_admin_and_decided_until_the_close(attendance):
    activity = approve(attendance)
    first = call(attendance, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00")
    call(attendance, "request_leave", activity, "m-1", "生病", now="2026-12-06T11:00:00+08:00")
    listed = call(attendance, "leave_requests", activity)
    assert [(row["name"], row["reason"], row["status"]) for row in listed["items"]] == [
        ("李强", "出差", "pending"),
        ("张红梅", "生病", "pending"),
    ]
    assert listed["items"][0]["requested_at"] == "2026-12-06T02:00:00+00:00" and listed["total"] == 2
    own = call(attendance, "leave_requests", activity, "m-1")
    assert [row["member_id"] for row in own["items"]] == ["m-1"] and own["total"] == 1
    assert call(attendance, "leave_requests", activity, page=2, page_size=1)["items"][0]["member_id"] == "m-1"
    decided = call(attendance, "decide_leave", first["leave_id"], True)
    assert decided["status"] == "approved" and decided["decided_at"]
    engine = make_engine(attendance.url)
    outbox = metadata.tables[OUTBOX]
    with engine.connect() as connection:
        acts = connection.execute(select(outbox.c.body).where(outbox.c.event_type == "administrative_act")).scalars()
        recorded = [(a["data"]["action"], a["data"]["target_id"], a["data"]["org_path"]) for a in acts]
    engine.dispose()
    assert [(action, target) for action, target, _ in recorded] == [("leave.approve", first["leave_id"])]
    assert recorded[0][2], "the record names the branch's path, by which the audit log is read"
    call(attendance, "close_due", now="2026-12-08T00:00:00+08:00")
    refused("ACTIVITY_CLOSED", call, attendance, "decide_leave", own["items"][0]["leave_id"], True)
    assert {m["member_id"]: m["status"] for m in call(attendance, "attendance", activity)["members"]}[
        "m-1"
    ] == "absent", "a request left pending is not leave"


def test_every_attempt_is_listed_with_its_evidence_for_an_audit(attendance):
    activity = approve(attendance)
    good = evidence(attendance, activity)
    scan(attendance, activity, "m-1", "sign_in", good, "2026-12-07T08:40:00+08:00")
    refused(
        "GEOFENCE_OUTSIDE",
        scan,
        attendance,
        activity,
        "m-2",
        "sign_in",
        evidence(attendance, activity, lat=VENUE[0] + 0.01),
        "2026-12-07T08:41:00+08:00",
    )
    refused(
        "NOT_EXPECTED",
        scan,
        attendance,
        activity,
        "stranger",
        "sign_in",
        evidence(attendance, activity),
        "2026-12-07T08:42:00+08:00",
    )
    log = call(attendance, "scans", activity)
    assert log["outcomes"] == {"ok": 1, "GEOFENCE_OUTSIDE": 1, "NOT_EXPECTED": 1} and log["total"] == 3
    assert [(row["member_id"], row["name"], row["reason"]) for row in log["items"]] == [
        ("stranger", None, "NOT_EXPECTED"),
        ("m-2", "李强", "GEOFENCE_OUTSIDE"),
        ("m-1", "张红梅", None),
    ]
    accepted = log["items"][2]
    assert (
        accepted["accepted"],
        accepted["kind"],
        accepted["nonce"],
        accepted["device_id"],
        accepted["lat"],
        accepted["accuracy_m"],
        accepted["server_time"],
    ) == (True, "sign_in", good["nonce"], "phone-1", VENUE[0], 10, "2026-12-07T00:40:00+00:00")
    assert accepted["token_id"] and accepted["distance_m"] == 0 and accepted["details"] is None
    assert log["items"][1]["details"]["allowed_m"] == 310
    refusals = call(attendance, "scans", activity, "refused")
    assert [row["reason"] for row in refusals["items"]] == ["NOT_EXPECTED", "GEOFENCE_OUTSIDE"]
    assert refusals["outcomes"] == log["outcomes"], "the outcomes count the whole activity"
    assert [row["member_id"] for row in call(attendance, "scans", activity, None, "m-2")["items"]] == ["m-2"]
    assert call(attendance, "scans", activity, "accepted", page=2, page_size=1)["items"] == []
    refused("OUTCOME_INVALID", call, attendance, "scans", activity, "maybe")
    refused("ACTIVITY_NOT_FOUND", call, attendance, "scans", "nowhere")


def test_a_mutating_call_sent_again_with_its_idempotency_key_gets_the_first_answer(attendance):
    activity = approve(attendance, roster=ROSTER[:2])
    before = "2026-12-07T08:50:00+08:00"
    guest = {"member_id": "g-1", "name": "王书记"}
    invited = call(attendance, "invite_guest", activity, guest, now=before, idempotency_key="invite-1")
    assert call(attendance, "invite_guest", activity, guest, now=before, idempotency_key="invite-1") == invited
    refused(
        "IDEMPOTENCY_KEY_REUSED",
        call,
        attendance,
        "invite_guest",
        activity,
        {**guest, "member_id": "g-2"},
        now=before,
        idempotency_key="invite-1",
    )
    removed = call(attendance, "remove_guest", activity, "g-1", idempotency_key="remove-1")
    assert removed["member_id"] == "g-1" and removed["guest"] is True
    assert call(attendance, "remove_guest", activity, "g-1", idempotency_key="remove-1") == removed
    refused("GUEST_NOT_FOUND", call, attendance, "remove_guest", activity, "g-1")
    engine = make_engine(attendance.url)
    outbox = metadata.tables[OUTBOX]
    with engine.connect() as connection:
        acts = connection.execute(select(outbox.c.body).where(outbox.c.event_type == "administrative_act")).scalars()
        recorded = [(a["data"]["action"], a["data"]["target_id"], a["data"]["details"]) for a in acts]
    engine.dispose()
    assert recorded == [
        ("guest.invite", activity, {"member_id": "g-1"}),
        ("guest.remove", activity, {"member_id": "g-1"}),
    ], "each invitation and withdrawal is on record once, a repeat with its key adding nothing"

    asked = call(
        attendance, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00", idempotency_key="leave-1"
    )
    assert (
        call(
            attendance,
            "request_leave",
            activity,
            "m-2",
            "出差",
            now="2026-12-06T10:00:00+08:00",
            idempotency_key="leave-1",
        )
        == asked
    )
    refused("LEAVE_EXISTS", call, attendance, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00")
    decided = call(attendance, "decide_leave", asked["leave_id"], True, idempotency_key="decide-1")
    assert call(attendance, "decide_leave", asked["leave_id"], True, idempotency_key="decide-1") == decided
    refused("LEAVE_DECIDED", call, attendance, "decide_leave", asked["leave_id"], True)

    late = [
        {
            **evidence(attendance, activity),
            "activity_id": activity,
            "kind": "sign_in",
            "scanned_at": "2026-12-07T09:00:00+08:00",
        }
    ]
    batch = call(attendance, "offline_batch", "m-1", late, now="2026-12-07T09:10:00+08:00", idempotency_key="batch-1")
    assert batch[0]["status"] == "signed_in"
    assert (
        call(attendance, "offline_batch", "m-1", late, now="2026-12-07T09:10:00+08:00", idempotency_key="batch-1")
        == batch
    )
    assert call(attendance, "close_due", now="2026-12-08T00:00:00+08:00", idempotency_key="close-1") == 1
    assert call(attendance, "close_due", now="2026-12-08T00:00:00+08:00", idempotency_key="close-1") == 1, (
        "the first answer, not a second close"
    )
    assert call(attendance, "close_due", now="2026-12-08T00:00:00+08:00") == 0


def party_days(container, days, roster=ROSTER, attending=None):
    """A party day of branch b-1 on each of `days` (November, in the past), closed; the members in
    `attending[day]` sign in to it. The last activity's id."""
    for day in days:
        activity = approve(
            container,
            starts=f"2026-11-{day:02d}T09:00:00+08:00",
            ends=f"2026-11-{day:02d}T10:00:00+08:00",
            roster=roster,
        )
        for member in (attending or {}).get(day, ()):
            scan(
                container,
                activity,
                member,
                "sign_in",
                evidence(container, activity),
                f"2026-11-{day:02d}T09:00:00+08:00",
            )
        call(container, "close_due", now=f"2026-11-{day:02d}T23:00:00+08:00")
    return activity


def test_a_branch_lists_its_members_absent_in_a_row_until_they_attend_again(attendance):
    last = party_days(attendance, (2, 3, 4), ROSTER[:2], attending={4: ["m-2"]})
    flags = call(attendance, "absence_flags", "b-1")
    assert (flags["threshold"], flags["total"], flags["page"]) == (3, 1, 1)
    assert flags["items"] == [
        {
            "member_id": "m-1",
            "name": "张红梅",
            "consecutive_absences": 3,
            "last_absence": {"activity_id": last, "theme": "主题党日", "starts_at": "2026-11-04T01:00:00+00:00"},
        }
    ]
    assert call(attendance, "absence_flags", "b-2")["total"] == 0

    party_days(attendance, (5,), ROSTER[:2], attending={5: ["m-2"]})
    assert call(attendance, "absence_flags", "b-1")["items"][0]["consecutive_absences"] == 4
    assert call(attendance, "absence_flags", "b-1", page=2, page_size=1)["items"] == []
    party_days(attendance, (6,), ROSTER[:2], attending={6: ["m-1"]})
    assert call(attendance, "absence_flags", "b-1")["total"] == 0, "attending again ends the streak"


def test_a_member_who_signs_in_late_leaves_or_moved_away_is_no_longer_listed(attendance):
    last = party_days(attendance, (2, 3, 4), ROSTER)
    assert [flag["member_id"] for flag in call(attendance, "absence_flags", "b-1")["items"]] == ["m-1", "m-2", "m-3"]
    late = {
        **evidence(attendance, last, token=screen_code(last, "2026-11-04T09:00:00+08:00")),
        "activity_id": last,
        "kind": "sign_in",
        "scanned_at": "2026-11-04T09:00:00+08:00",
    }
    [answer] = call(attendance, "offline_batch", "m-2", [late], now="2026-11-05T10:00:00+08:00")
    assert answer["status"] == "signed_in" and answer["sent_late"] is True
    assert [flag["member_id"] for flag in call(attendance, "absence_flags", "b-1")["items"]] == ["m-1", "m-3"], (
        "the party day signed in late ends the streak"
    )

    left = {
        "member_id": "m-1",
        "name": "张红梅",
        "branch_id": "b-1",
        "branch_path": "/c/b-1/",
        "mobile": False,
        "probationary": False,
        "lost_contact": False,
        "active": False,
        "joined_on": None,
    }
    publish_event(
        attendance.config["AMQP_URI"], "directory", Envelope(event_type="member_left", source="directory", data=left)
    )
    wait_until(
        lambda: [flag["member_id"] for flag in call(attendance, "absence_flags", "b-1")["items"]] == ["m-3"],
        message="the member who left is no longer listed",
    )
    party_days(attendance, (5,), ROSTER[:2], attending={5: ["m-2"]})
    assert call(attendance, "absence_flags", "b-1")["total"] == 0, (
        "m-3 was not on the branch's newest sheet: moved away, so not the branch's to follow up"
    )


def test_offline_scans_are_judged_on_their_evidence_and_marked_late(attendance):
    activity = approve(attendance)
    good = {
        **evidence(attendance, activity, token=screen_code(activity, "2026-12-07T09:02:00+08:00")),
        "activity_id": activity,
        "kind": "sign_in",
        "scanned_at": "2026-12-07T09:02:00+08:00",
    }
    future = {
        **good,
        "token": evidence(attendance, activity)["token"],
        "nonce": uuid.uuid4().hex,
        "scanned_at": "2026-12-09T09:00:00+08:00",
    }
    outside = {**good, "nonce": uuid.uuid4().hex, "lat": VENUE[0] + 0.01}
    results = call(
        attendance, "offline_batch", "m-1", [good, future, outside, {"nonsense": True}], now="2026-12-07T12:30:00+08:00"
    )
    assert results[0]["status"] == "signed_in" and results[0]["sent_late"] is True
    assert [r["error"]["code"] for r in results[1:]] == ["SCAN_IN_FUTURE", "ALREADY_SIGNED_IN", "VALIDATION_FAILED"]
    again = call(attendance, "offline_batch", "m-1", [good], now="2026-12-07T12:31:00+08:00")
    assert again[0] == {**results[0], "index": 0}, "a batch sent twice changes nothing"
    late = {**good, "nonce": uuid.uuid4().hex}
    assert (
        call(attendance, "offline_batch", "m-2", [late], now="2026-12-10T12:00:00+08:00")[0]["error"]["code"]
        == "BATCH_TOO_LATE"
    )


def test_the_sheet_follows_the_roster_until_the_start(attendance):
    activity = approve(attendance, roster=ROSTER[:1])
    joined = {
        "member_id": "m-9",
        "name": "新党员",
        "branch_id": "b-1",
        "branch_path": "/c/b-1/",
        "mobile": False,
        "probationary": False,
        "lost_contact": False,
        "active": True,
        "joined_on": None,
    }
    publish_event(
        attendance.config["AMQP_URI"],
        "directory",
        Envelope(event_type="member_joined", source="directory", data=joined),
    )
    wait_until(lambda: "m-9" in {m["member_id"] for m in call(attendance, "attendance", activity)["members"]})


def test_an_imported_batch_joins_the_sheets_of_its_members_branches_in_one_event(attendance):
    activity = approve(attendance, roster=ROSTER[:1])

    def member(member_id: str, branch_id: str) -> dict:
        return {
            "member_id": member_id,
            "name": f"党员{member_id}",
            "branch_id": branch_id,
            "branch_path": f"/c/{branch_id}/",
            "mobile": member_id == "m-11",
            "probationary": False,
            "lost_contact": False,
            "active": True,
            "joined_on": None,
        }

    batch = [member("m-10", "b-1"), member("m-11", "b-1"), member("m-12", "b-2"), member(ROSTER[0]["member_id"], "b-1")]
    publish_event(
        attendance.config["AMQP_URI"],
        "directory",
        Envelope(event_type="members_imported", source="directory", data={"import_id": "i-1", "members": batch}),
    )

    def sheet() -> dict:
        return {m["member_id"]: m["mobile"] for m in call(attendance, "attendance", activity)["members"]}

    wait_until(lambda: "m-11" in sheet())
    assert sheet() == {ROSTER[0]["member_id"]: ROSTER[0]["mobile"], "m-10": False, "m-11": True}


def test_an_invited_guest_signs_in_and_is_counted_apart_without_an_absence_streak(attendance):
    activity = approve(attendance, roster=ROSTER[:1])
    outsider = evidence(attendance, activity)
    refused("NOT_EXPECTED", scan, attendance, activity, "g-1", "sign_in", outsider, "2026-12-07T08:55:00+08:00")
    guest = call(
        attendance, "invite_guest", activity, {"member_id": "g-1", "name": "王书记"}, now="2026-12-07T08:56:00+08:00"
    )
    assert guest["guest"] is True and guest["status"] == "expected"
    refused(
        "ALREADY_ON_SHEET",
        call,
        attendance,
        "invite_guest",
        activity,
        {"member_id": "m-1", "name": "张红梅"},
        now="2026-12-07T08:56:00+08:00",
    )
    call(
        attendance, "invite_guest", activity, {"member_id": "g-2", "name": "未到嘉宾"}, now="2026-12-07T08:57:00+08:00"
    )
    signed = scan(
        attendance, activity, "g-1", "sign_in", {**outsider, "nonce": uuid.uuid4().hex}, "2026-12-07T08:58:00+08:00"
    )
    assert signed["status"] == "signed_in"
    refused("GUEST_SIGNED_IN", call, attendance, "remove_guest", activity, "g-1")
    refused("GUEST_NOT_FOUND", call, attendance, "remove_guest", activity, "m-1")
    refused(
        "WINDOW_CLOSED",
        call,
        attendance,
        "invite_guest",
        activity,
        {"member_id": "g-3", "name": "迟到"},
        now="2026-12-07T09:15:00+08:00",
    )
    call(attendance, "close_due", now="2026-12-08T00:00:00+08:00")
    counts = call(attendance, "attendance", activity)["counts"]
    assert counts["expected"] == 1, "guests are not expected of the branch"
    assert counts["members"]["absent"] == 1
    assert counts["guests"] == {"signed_out": 0, "no_sign_out": 1, "absent": 1, "excused": 0}
    engine = make_engine(attendance.url)
    with engine.connect() as connection:
        streaks = connection.execute(select(metadata.tables["absence_streaks"].c.member_id)).scalars().all()
    engine.dispose()
    assert streaks == ["m-1"], "a guest who did not come is not absent from their own branch"
    refused("ACTIVITY_CLOSED", call, attendance, "invite_guest", activity, {"member_id": "g-4", "name": "晚"})


def test_sheet_summaries_count_sign_ins_and_reflections_per_activity(attendance):
    activity = approve(attendance)
    token = evidence(attendance, activity)
    scan(attendance, activity, "m-1", "sign_in", {**token, "nonce": "nonce-0001"}, "2026-12-07T08:55:00+08:00")
    scan(attendance, activity, "m-2", "sign_in", {**token, "nonce": "nonce-0002"}, "2026-12-07T08:56:00+08:00")
    reflection = {**token, "nonce": "nonce-0003", "reflection": "重温入党誓词，深受教育。"}
    scan(attendance, activity, "m-1", "sign_out", reflection, "2026-12-07T11:05:00+08:00")
    assert call(attendance, "sheet_summaries", [activity, "unknown"]) == {
        activity: {"closed": False, "signed_in": 2, "reflections": 1}
    }
    call(attendance, "close_due", now="2026-12-08T00:00:00+08:00")
    assert call(attendance, "sheet_summaries", [activity])[activity]["closed"] is True
    refused("ACTIVITIES_INVALID", call, attendance, "sheet_summaries", "not a list")


def test_late_offline_scans_at_once_on_a_closed_activity_all_count_and_each_recount_has_a_new_version(attendance):
    activity = approve(attendance)
    token = evidence(attendance, activity, token=screen_code(activity, "2026-12-07T08:58:00+08:00"))
    assert call(attendance, "close_due", now="2026-12-07T12:30:00+08:00") == 1

    def late(member):
        scan = {
            **token,
            "nonce": uuid.uuid4().hex,
            "activity_id": activity,
            "kind": "sign_in",
            "scanned_at": "2026-12-07T08:58:00+08:00",
        }
        return call(attendance, "offline_batch", member, [scan], now="2026-12-07T13:00:00+08:00")

    for thread in [eventlet.spawn(late, member) for member in ("m-1", "m-2", "m-3")]:
        thread.wait()
    engine = make_engine(attendance.url)
    tables = metadata.tables

    def accepted():
        with engine.connect() as connection:
            return connection.execute(select(tables["scans"].c.member_id).where(tables["scans"].c.accepted)).all()

    # entrypoint_hook answers the first worker of a method to finish, so wait for all three to commit.
    wait_until(lambda: len(accepted()) == 3, message="the three late scans committed")
    counts = call(attendance, "attendance", activity)["counts"]
    assert counts["members"]["no_sign_out"] == 2 and counts["members"]["absent"] == 0, counts
    assert counts["mobile_members"]["no_sign_out"] == 1
    with engine.connect() as connection:
        bodies = (
            connection.execute(
                select(tables["outbox_messages"].c.body)
                .where(tables["outbox_messages"].c.event_type.in_(["activity_closed", "attendance_updated"]))
                .order_by(tables["outbox_messages"].c.id)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert [body["data"]["counts_version"] for body in bodies] == [1, 2, 3, 4], "one version per recount"
    assert bodies[-1]["data"]["members"]["no_sign_out"] == 2, "the last announcement counts every late scan"


def test_a_members_history_lists_their_sheets_newest_first_a_page_at_a_time(attendance):
    older = approve(attendance, starts="2026-11-07T09:00:00+08:00", ends="2026-11-07T11:00:00+08:00")
    newer = approve(attendance)
    scan(attendance, newer, "m-1", "sign_in", evidence(attendance, newer), "2026-12-07T08:55:00+08:00")
    first = call(attendance, "member_history", "m-1", page=1, page_size=1)
    assert first["total"] == 2 and [item["activity_id"] for item in first["items"]] == [newer]
    assert first["items"][0]["status"] == "signed_in" and first["items"][0]["theme"] == "主题党日"
    second = call(attendance, "member_history", "m-1", page=2, page_size=1)
    assert [(item["activity_id"], item["status"]) for item in second["items"]] == [(older, "expected")]
    assert call(attendance, "member_history", "nobody")["total"] == 0
    refused("PAGE_SIZE_INVALID", call, attendance, "member_history", "m-1", page_size=0)


def _statements_through_sqlalchemy(container):
    """Statements the service runs through SQLAlchemy (a DBAPI cursor of its own is not among them). The outbox
    relay's polls are left out: they come every second on their own, and a slow machine saw one in a test."""
    engine = next(extension for extension in container.extensions if isinstance(extension, Database)).engine
    statements = []
    event.listen(
        engine, "before_cursor_execute", lambda *args: None if OUTBOX in args[2] else statements.append(args[2])
    )
    return statements


def test_a_sign_in_that_passes_every_rule_is_one_statement_that_keeps_all_its_evidence(attendance):
    activity = approve(attendance)
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T09:00:00+08:00")
    statements = _statements_through_sqlalchemy(attendance)
    payload = evidence(attendance, activity, lat=VENUE[0] + 0.001, device_id="phone-7")
    del statements[:]
    with entrypoint_hook(attendance, "scan", context_data={"client_ip": "10.1.2.3"}) as hook:
        signed = hook(activity, "m-2", "sign_in", payload, now="2026-12-07T09:01:00+08:00")
    assert signed == {"status": "signed_in", "at": "2026-12-07T09:01:00+08:00", "sent_late": False}
    assert statements == [], "the activity's facts were known and the sign-in went out as one statement"
    assert scan(attendance, activity, "m-2", "sign_in", payload, "2026-12-07T09:02:00+08:00") == signed, (
        "the same nonce gets its first answer"
    )
    engine = make_engine(attendance.url)
    with engine.connect() as connection:
        kept = connection.execute(select(Scan).where(Scan.activity_id == activity, Scan.member_id == "m-2")).one()
    engine.dispose()
    assert (kept.kind, kept.accepted, kept.reason, kept.device_id, kept.nonce, kept.client_ip, kept.sent_late) == (
        "sign_in",
        True,
        None,
        "phone-7",
        payload["nonce"],
        "10.1.2.3",
        False,
    )
    assert kept.lat == payload["lat"] and kept.accuracy_m == 10 and 105 < kept.distance_m < 118
    assert kept.token_id and kept.server_time == kept.scanned_at and kept.answer == signed
    sheet = call(attendance, "attendance", activity)
    assert [row["status"] for row in sheet["members"] if row["member_id"] == "m-2"] == ["signed_in"]


def test_a_sign_in_on_a_closed_activity_is_judged_in_full_and_recounts_it(attendance):
    activity = approve(attendance, **CLOSES_AT_ITS_END)
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T08:50:00+08:00")
    assert call(attendance, "close_due", now="2026-12-07T10:00:00+08:00") == 1
    closed = call(attendance, "attendance", activity)["counts"]
    assert closed["members"]["absent"] == 1
    scan(attendance, activity, "m-2", "sign_in", evidence(attendance, activity), "2026-12-07T09:10:00+08:00")
    counts = call(attendance, "attendance", activity)["counts"]
    assert counts["members"]["absent"] == 0 and counts["members"]["no_sign_out"] == 2, counts


@pytest.mark.parametrize(
    "changes, code, token_kept",
    [
        ({"token": "forged.token"}, "TOKEN_INVALID", False),
        ({"lat": VENUE[0] + 0.004}, "GEOFENCE_OUTSIDE", True),
    ],
)
def test_a_refused_sign_in_is_one_statement_that_keeps_its_evidence(attendance, changes, code, token_kept):
    activity = approve(attendance)
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T09:00:00+08:00")
    statements = _statements_through_sqlalchemy(attendance)
    payload = evidence(attendance, activity, device_id="phone-9", **changes)
    del statements[:]
    first = refused(code, scan, attendance, activity, "m-2", "sign_in", payload, "2026-12-07T09:01:00+08:00")
    assert statements == [], "the refusal went out as one statement"
    again = refused(code, scan, attendance, activity, "m-2", "sign_in", payload, "2026-12-07T09:05:00+08:00")
    assert again.details == first.details, "the same nonce gets its first answer"
    engine = make_engine(attendance.url)
    with engine.connect() as connection:
        kept = connection.execute(select(Scan).where(Scan.activity_id == activity, Scan.member_id == "m-2")).one()
    engine.dispose()
    assert (kept.accepted, kept.reason, kept.device_id, kept.nonce, kept.distance_m) == (
        False,
        code,
        "phone-9",
        payload["nonce"],
        None,
    )
    assert bool(kept.token_id) is token_kept and kept.answer["error"]["code"] == code
    assert call(attendance, "attendance", activity)["members"][1]["status"] == "expected"


def test_a_refusal_that_needs_the_sheet_is_judged_in_full(attendance):
    activity = approve(attendance)
    outside = {"lat": VENUE[0] + 0.004}
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T09:00:00+08:00")
    refused(
        "ALREADY_SIGNED_IN",
        scan,
        attendance,
        activity,
        "m-1",
        "sign_in",
        evidence(attendance, activity, **outside),
        "2026-12-07T09:01:00+08:00",
    )
    refused(
        "NOT_EXPECTED",
        scan,
        attendance,
        activity,
        "stranger",
        "sign_in",
        evidence(attendance, activity, **outside),
        "2026-12-07T09:01:00+08:00",
    )


# --- one table of sign-in cases, through the one-statement path and through the transaction ----------------------

METRES_PER_DEGREE_LAT = 111_194.9
CST_0900 = "2026-12-07T09:00:00+08:00"


@dataclass(frozen=True)
class SignInCase:
    """A sign-in of the activity of 09:00 to 11:00 (sign-in 08:30 to 09:15, a fence of 300 m; or to `ends`, and
    sign-in then closes at the end if that comes before the grace has run out): its answer's
    refusal `code` (None: signed in), and whether the one-statement path judges it (`at_once`) or leaves it to
    the transaction. `before` is what happened first: `signed_in` (another scan of the member's), `closed` (the
    activity closed at 12:30), `same_nonce` (this very scan, at 09:00)."""

    at: str = CST_0900
    code: str | None = None
    at_once: bool = True
    ends: str = "2026-12-07T11:00:00+08:00"
    member: str = "m-2"
    changes: tuple = ()
    token: str = "own"
    before: str | None = None


def _north(metres: float) -> tuple:
    return (("lat", VENUE[0] + metres / METRES_PER_DEGREE_LAT),)


SIGN_IN_CASES = {
    "inside": SignInCase(),
    "window-opens": SignInCase(at="2026-12-07T08:30:00+08:00"),
    "grace-ends": SignInCase(at="2026-12-07T09:15:00+08:00"),
    "before-opening": SignInCase(at="2026-12-07T08:29:59+08:00", code="WINDOW_NOT_OPEN"),
    "after-grace": SignInCase(at="2026-12-07T09:15:01+08:00", code="WINDOW_CLOSED"),
    "shorter-than-its-grace-at-its-end": SignInCase(at="2026-12-07T09:10:00+08:00", ends="2026-12-07T09:10:00+08:00"),
    "shorter-than-its-grace-after-its-end": SignInCase(
        at="2026-12-07T09:10:01+08:00", ends="2026-12-07T09:10:00+08:00", code="WINDOW_CLOSED"
    ),
    "fence-edge-inside": SignInCase(changes=_north(309)),
    "fence-edge-outside": SignInCase(changes=_north(311), code="GEOFENCE_OUTSIDE"),
    "accuracy-100-m": SignInCase(changes=(("accuracy_m", 100),)),
    "accuracy-150-m": SignInCase(changes=(("accuracy_m", 150),), code="LOCATION_TOO_INACCURATE"),
    "forged-token": SignInCase(token="forged", code="TOKEN_INVALID"),
    "expired-token": SignInCase(token="expired", code="TOKEN_EXPIRED"),
    "another-activitys-token": SignInCase(token="another", code="TOKEN_INVALID"),
    "not-on-the-sheet": SignInCase(member="stranger", code="NOT_EXPECTED", at_once=False),
    "not-on-the-sheet-late-and-outside": SignInCase(
        member="stranger", at="2026-12-07T09:16:00+08:00", changes=_north(400), code="NOT_EXPECTED", at_once=False
    ),
    "not-on-the-sheet-forged-token": SignInCase(member="stranger", token="forged", code="TOKEN_INVALID"),
    "already-signed-in": SignInCase(before="signed_in", code="ALREADY_SIGNED_IN", at_once=False),
    "already-signed-in-late-and-outside": SignInCase(
        before="signed_in", at="2026-12-07T09:16:00+08:00", changes=_north(400), code="ALREADY_SIGNED_IN", at_once=False
    ),
    "closed-activity": SignInCase(before="closed", at_once=False),
    "closed-activity-after-grace": SignInCase(before="closed", at="2026-12-07T09:16:00+08:00", code="WINDOW_CLOSED"),
    "repeated-nonce": SignInCase(before="same_nonce", at="2026-12-07T09:05:00+08:00"),
    "repeated-nonce-late": SignInCase(before="same_nonce", at="2026-12-07T09:20:00+08:00"),
    "repeated-nonce-of-a-refusal": SignInCase(before="same_nonce", token="forged", code="TOKEN_INVALID"),
}


def _case_token(container, activity, kind):
    keys = attendance_settings().qr_signing_keys()
    if kind == "own":
        return call(container, "qr_token", activity)["token"]
    if kind == "expired":
        return tokens.sign(activity, keys, datetime(2026, 12, 7, 0, 59, tzinfo=timezone.utc))
    if kind == "another":
        return tokens.sign(uuid.uuid4().hex, keys, datetime(2026, 12, 9, tzinfo=timezone.utc))
    return "forged.token"


def _sign_in_from_the_venue_network(container, activity, member, payload, at) -> dict:
    try:
        with entrypoint_hook(container, "scan", context_data={"client_ip": "10.1.2.3"}) as hook:
            return {"answer": hook(activity, member, "sign_in", payload, now=at)}
    except DomainError as refusal:
        return {"code": refusal.code, "status": refusal.status, "details": refusal.details}


def _sign_in_case(container, case: SignInCase, statements: list) -> dict:
    """Run the case on a new activity: its answer, the statements its scan sent through SQLAlchemy, every scan kept
    for the member (without its row id and activity) and the member's line on the sheet."""
    activity = approve(container, ends=case.ends)
    payload = {
        **evidence(container, activity, nonce="case-nonce-1", device_id="phone-case", **dict(case.changes)),
        "token": _case_token(container, activity, case.token),
    }
    if case.before == "signed_in":
        scan(
            container,
            activity,
            case.member,
            "sign_in",
            evidence(container, activity, nonce="case-nonce-0"),
            "2026-12-07T08:50:00+08:00",
        )
    if case.before == "closed":
        assert call(container, "close_due", now="2026-12-07T12:30:00+08:00") == 1
    if case.before == "same_nonce":
        _sign_in_from_the_venue_network(container, activity, case.member, payload, CST_0900)
    del statements[:]
    answer = _sign_in_from_the_venue_network(container, activity, case.member, payload, case.at)
    sent = list(statements)
    engine = make_engine(container.url)
    with engine.connect() as connection:
        kept = [
            {**row, "token_id": bool(row["token_id"])}
            for row in connection.execute(
                select(Scan).where(Scan.activity_id == activity, Scan.member_id == case.member).order_by(Scan.id)
            ).mappings()
        ]
        line = connection.execute(
            select(SheetEntry.status, SheetEntry.signed_in_at, SheetEntry.sent_late).where(
                SheetEntry.activity_id == activity, SheetEntry.member_id == case.member
            )
        ).first()
    engine.dispose()
    for row in kept:
        # signals and review are weighed later, by a timer that may tick between the two paths
        del row["id"], row["activity_id"], row["signals"], row["review"]
    return {"answer": answer, "statements": sent, "scans": kept, "line": line and tuple(line)}


@pytest.mark.parametrize("case", list(SIGN_IN_CASES.values()), ids=list(SIGN_IN_CASES))
def test_both_paths_give_the_same_answer_and_keep_the_same_evidence(attendance, monkeypatch, case):
    statements = _statements_through_sqlalchemy(attendance)
    fast = _sign_in_case(attendance, case, statements)
    with monkeypatch.context() as forced:
        forced.setattr(at_once, "sign_in", lambda *args: None)
        in_full = _sign_in_case(attendance, case, statements)
    assert fast["answer"].get("code") == case.code, fast["answer"]
    assert (fast["statements"] == []) is case.at_once, (
        "the one-statement path judged it" if case.at_once else "the one-statement path left it to the transaction"
    )
    assert in_full["statements"], "forced off, the scan was judged in a transaction"
    assert fast["answer"] == in_full["answer"]
    assert fast["scans"] == in_full["scans"], "the same evidence is kept"
    assert fast["line"] == in_full["line"]
    kept = fast["scans"][-1]
    assert (kept["accepted"], kept["reason"], kept["client_ip"], kept["device_id"], kept["nonce"]) == (
        case.code is None,
        case.code,
        "10.1.2.3",
        "phone-case",
        "case-nonce-1",
    )
    assert len([row for row in fast["scans"] if row["nonce"] == "case-nonce-1"]) == 1, "a nonce is kept once"


def _waiting_for_locks(url) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar()
    engine.dispose()
    return waiting


def _sign_in_racing_the_close(attendance, hold: str, parameters: dict, sign_in_first: bool) -> dict:
    """Hold a lock that the first of the close and a sign-in of m-2 needs (`hold`, in a transaction of its
    own), send both over RPC, wait until both are held up, and let go: the sheet afterwards."""
    engine = make_engine(attendance.url)
    with engine.connect() as blocker, ClusterRpcProxy({"AMQP_URI": attendance.config["AMQP_URI"]}, timeout=30) as proxy:
        blocker.execute(text(hold), parameters)
        sent = []
        for sign_in in (sign_in_first, not sign_in_first):
            sent.append(
                proxy.attendance.scan.call_async(
                    parameters["activity_id"], "m-2", "sign_in", parameters["payload"], now="2026-12-07T09:10:00+08:00"
                )
                if sign_in
                else proxy.attendance.close_due.call_async(now="2026-12-07T10:00:00+08:00")
            )
            wait_until(lambda: _waiting_for_locks(attendance.url) == len(sent), message="held up")
        blocker.rollback()
        answers = [reply.result() for reply in sent]
    engine.dispose()
    assert sorted(answers, key=str) == sorted(
        [1, {"status": "signed_in", "at": "2026-12-07T09:10:00+08:00", "sent_late": False}], key=str
    )
    return call(attendance, "attendance", parameters["activity_id"])


def test_a_sign_in_held_up_by_a_close_in_progress_is_judged_after_it_and_counted(attendance):
    activity = approve(attendance, **CLOSES_AT_ITS_END)
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T08:50:00+08:00")
    payload = evidence(attendance, activity)
    sheet = _sign_in_racing_the_close(
        attendance,
        "INSERT INTO absence_streaks (member_id, branch_id, streak, flagged) VALUES ('m-2', 'b-1', 0, false)",
        {"activity_id": activity, "payload": payload},
        sign_in_first=False,
    )
    assert [row["status"] for row in sheet["members"] if row["member_id"] == "m-2"] == ["signed_in"]
    assert sheet["counts"]["members"] == {"signed_out": 0, "no_sign_out": 2, "absent": 0, "excused": 0}


def test_a_close_held_up_by_a_sign_in_in_progress_counts_it(attendance):
    activity = approve(attendance, **CLOSES_AT_ITS_END)
    scan(attendance, activity, "m-1", "sign_in", evidence(attendance, activity), "2026-12-07T08:50:00+08:00")
    payload = evidence(attendance, activity)
    sheet = _sign_in_racing_the_close(
        attendance,
        "INSERT INTO scans (activity_id, member_id, kind, accepted, server_time, scanned_at, lat, lon, "
        "accuracy_m, device_id, nonce, sent_late, answer) VALUES (:activity_id, 'm-2', 'sign_in', false, "
        "now(), now(), 0, 0, 0, 'blocker', :nonce, false, '{}')",
        {"activity_id": activity, "payload": payload, "nonce": payload["nonce"]},
        sign_in_first=True,
    )
    assert [row["status"] for row in sheet["members"] if row["member_id"] == "m-2"] == ["no_sign_out"]
    assert sheet["counts"]["members"] == {"signed_out": 0, "no_sign_out": 2, "absent": 0, "excused": 0}


def test_a_venue_screen_shows_a_rotating_code_only_while_a_window_is_open(attendance):
    activity = approve(attendance)
    before = call(attendance, "screen_code", activity, now="2026-12-07T08:00:00+08:00")
    assert (before["state"], before["code"], before["theme"]) == ("not_open", None, "主题党日")
    assert datetime.fromisoformat(before["until"]) == datetime.fromisoformat("2026-12-07T08:30:00+08:00")

    shown = call(attendance, "screen_code", activity, now="2026-12-07T08:59:50+08:00")
    assert shown["state"] == "sign_in"
    assert datetime.fromisoformat(shown["code"]["refresh_at"]) == datetime.fromisoformat("2026-12-07T09:00:00+08:00")
    assert datetime.fromisoformat(shown["code"]["expires_at"]) > datetime.fromisoformat(shown["code"]["refresh_at"])
    claims = tokens.verify(
        shown["code"]["token"],
        activity,
        attendance_settings().qr_signing_keys(),
        datetime.fromisoformat("2026-12-07T08:59:55+08:00"),
    )
    assert claims.step == tokens.step_of(datetime.fromisoformat("2026-12-07T08:59:50+08:00"))
    assert activity in shown["code"]["url"] and shown["code"]["token"] in shown["code"]["url"]
    after = call(attendance, "screen_code", activity, now="2026-12-07T12:30:00+08:00")
    assert (after["state"], after["until"], after["code"]) == ("closed", None, None)
