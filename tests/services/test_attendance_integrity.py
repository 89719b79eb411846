"""Integrity on RabbitMQ and PostgreSQL: backdated poster scans kept as claims, signals weighed on accepted
scans, and a superior's decisions that the sheet and the announced counts follow (issue 19)."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from sqlalchemy import select

from partyday_attendance import device_keys
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
    screen_code,
)


@pytest.fixture
def service(attendance):  # noqa: F811 (the attendance service, started)
    return attendance


def _announced(container) -> list[dict]:
    engine = make_engine(container.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        bodies = (
            connection.execute(
                select(outbox.c.body)
                .where(outbox.c.event_type.in_(["activity_closed", "attendance_updated"]))
                .order_by(outbox.c.id)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return [body["data"] for body in bodies]


def _status(container, activity, member) -> str:
    sheet = call(container, "attendance", activity)
    return next(row["status"] for row in sheet["members"] if row["member_id"] == member)


def _offline(container, activity, member, scanned_at, now, **changes):
    item = {
        **evidence(container, activity, lat=VENUE[0] + 0.0002, **changes),
        "activity_id": activity,
        "kind": "sign_in",
        "scanned_at": scanned_at,
    }
    return call(container, "offline_batch", member, [item], now=now)[0]


def test_a_backdated_poster_scan_is_claimed_counts_for_nothing_and_a_superiors_acceptance_signs_in(service):
    activity = approve(service)
    assert call(service, "close_due", now="2026-12-07T12:30:00+08:00") == 1
    claimed = _offline(service, activity, "m-1", "2026-12-07T09:00:00+08:00", "2026-12-07T20:00:00+08:00")
    assert claimed["status"] == "claimed" and claimed["waiting_for_decision"] is True
    assert _status(service, activity, "m-1") == "absent"
    sheet = call(service, "attendance", activity)
    assert sheet["integrity"] == {"claimed": 1, "flagged": 0}, "claims are shown apart"
    assert [row["review"] for row in sheet["members"] if row["member_id"] == "m-1"] == ["claimed"]
    assert [counts["counts_version"] for counts in _announced(service)] == [1], "a claim changes no count"
    [line] = call(service, "member_history", "m-1")["items"]
    assert line["waiting_for_decision"] is True, "the member is told their scan waits for a decision"
    again = _offline(service, activity, "m-1", "2026-12-07T09:01:00+08:00", "2026-12-07T20:01:00+08:00")
    assert again["error"]["code"] == "ALREADY_CLAIMED"

    queue = call(service, "reviews", "/c/")
    assert queue["total"] == 1
    [record] = queue["items"]
    assert (record["member_id"], record["review"], record["branch_id"], record["sent_late"]) == (
        "m-1",
        "claimed",
        "b-1",
        True,
    )
    assert call(service, "reviews", "/d/")["total"] == 0, "another subtree's queue"
    assert call(service, "review_record", record["record_id"])["branch_id"] == "b-1"

    refused("VALIDATION_FAILED", call, service, "decide_review", record["record_id"], {"decision": "accept"}, "u-9")
    decided = call(
        service,
        "decide_review",
        record["record_id"],
        {"decision": "accept", "reason": "签到表原件核实到场"},
        "u-county",
        now="2026-12-08T10:00:00+08:00",
        idempotency_key="decide-1",
    )
    assert (decided["review"], decided["decided_by"], decided["decision_reason"]) == (
        "accepted",
        "u-county",
        "签到表原件核实到场",
    )
    assert _status(service, activity, "m-1") == "no_sign_out"
    assert call(service, "member_history", "m-1")["items"][0]["waiting_for_decision"] is False
    engine = make_engine(service.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        acts = connection.execute(select(outbox.c.body).where(outbox.c.event_type == "administrative_act")).scalars()
        recorded = [(a["data"]["action"], a["data"]["target_id"], a["data"]["details"]["reason"]) for a in acts]
    engine.dispose()
    assert recorded == [("sign_in.accept", str(record["record_id"]), "签到表原件核实到场")], "the decision is on record"
    last = _announced(service)[-1]
    assert last["counts_version"] == 2 and last["members"]["no_sign_out"] == 1 and last["members"]["absent"] == 1
    assert call(service, "reviews", "/c/")["total"] == 0
    refused(
        "NOT_WAITING_FOR_DECISION",
        call,
        service,
        "decide_review",
        record["record_id"],
        {"decision": "void", "reason": "再议"},
        "u-county",
    )


def test_a_rotating_code_scanned_offline_outside_its_step_is_refused(service):
    activity = approve(service)
    answer = _offline(
        service,
        activity,
        "m-1",
        "2026-12-07T09:00:00+08:00",
        "2026-12-07T09:05:00+08:00",
        token=screen_code(activity, "2026-12-07T09:03:00+08:00"),
    )
    assert answer["error"]["code"] == "SCAN_TIME_MISMATCH"


def test_one_device_signing_in_three_members_flags_all_three_and_a_voided_sign_in_becomes_absent(service):
    activity = approve(service)
    for index, member in enumerate(("m-1", "m-2", "m-3")):
        payload = evidence(service, activity, device_id="one-phone", lat=VENUE[0] + 0.0001 * (index + 1))
        assert scan(service, activity, member, "sign_in", payload, "2026-12-07T09:00:00+08:00")["status"] == (
            "signed_in"
        ), "a signal refuses nothing"
    call(service, "assess_pending")  # the timer may have weighed some already
    queue = call(service, "reviews", "/c/b-1/")["items"]
    assert {item["member_id"]: item["review"] for item in queue} == {
        "m-1": "flagged",
        "m-2": "flagged",
        "m-3": "flagged",
    }
    first = next(item for item in queue if item["member_id"] == "m-1")
    [shared] = first["signals"]["items"]
    assert shared["signal"] == "shared_device" and shared["evidence"]["other_members"] == ["m-2", "m-3"]

    assert call(service, "attendance", activity)["integrity"] == {"claimed": 0, "flagged": 3}
    assert call(service, "close_due", now="2026-12-07T12:30:00+08:00") == 1
    second = next(item for item in queue if item["member_id"] == "m-2")
    call(service, "decide_review", second["record_id"], {"decision": "void", "reason": "代签"}, "u-county")
    assert _status(service, activity, "m-2") == "absent"
    [line] = [row for row in call(service, "attendance", activity)["members"] if row["member_id"] == "m-2"]
    assert line["makeup"]["state"] == "assigned", "a voided sign-in leaves a make-up to do, as any absence"
    last = _announced(service)[-1]
    assert last["counts_version"] == 2 and last["members"]["absent"] == 1 and last["members"]["no_sign_out"] == 1
    call(service, "decide_review", first["record_id"], {"decision": "accept", "reason": "本人手机"}, "u-county")
    assert _status(service, activity, "m-1") == "no_sign_out"
    assert len(_announced(service)) == 2, "accepting a flagged record changes no count"


def test_honest_members_behind_one_address_with_their_own_phones_and_gps_noise_are_not_flagged(service):
    activity = approve(service)
    offsets = {"m-1": (0.0001, 0.0002), "m-2": (-0.00025, 0.0001), "m-3": (0.0003, -0.0002)}
    for member, (d_lat, d_lon) in offsets.items():
        payload = evidence(
            service,
            activity,
            device_id=f"phone-{member}",
            lat=VENUE[0] + d_lat,
            lon=VENUE[1] + d_lon,
            fix_at="2026-12-07T08:59:40+08:00",
        )
        scan(service, activity, member, "sign_in", payload, "2026-12-07T09:00:00+08:00")
    call(service, "assess_pending")  # the timer may have weighed some already
    assert call(service, "assess_pending") == 0, "each scan is weighed once"
    assert call(service, "reviews", "/c/")["total"] == 0
    log = call(service, "scans", activity)["items"]
    assert [item["signals"]["items"] for item in log] == [[], [], []]


def _device_key():
    key = ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(spki).decode()


def _signed(key, item: dict) -> dict:
    """The scan signed as WebCrypto signs: ECDSA P-256 over the JSON text, r and s side by side, base64url."""
    payload = json.dumps({field: item[field] for field in device_keys.SIGNED_FIELDS})
    r, s = decode_dss_signature(key.sign(payload.encode(), ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {**item, "signed_payload": payload, "signature": base64.urlsafe_b64encode(raw).decode().rstrip("=")}


def test_offline_scans_of_a_registered_device_must_carry_its_signature_over_the_very_scan(service):
    activity = approve(service)
    mine, public = _device_key()
    other, _ = _device_key()
    refused("DEVICE_KEY_INVALID", call, service, "register_device_key", "m-1", {"device_id": "p", "public_key": "eA=="})
    registered = call(service, "register_device_key", "m-1", {"device_id": "phone-m1", "public_key": public})
    assert registered["device_id"] == "phone-m1"

    def item(device="phone-m1", at="2026-12-07T09:02:00+08:00"):
        return {
            **evidence(service, activity, token=screen_code(activity, at), device_id=device, lat=VENUE[0] + 0.0002),
            "activity_id": activity,
            "kind": "sign_in",
            "scanned_at": at,
        }

    def send(member, scan):
        return call(service, "offline_batch", member, [scan], now="2026-12-07T09:20:00+08:00")[0]

    assert send("m-1", item())["error"]["code"] == "SIGNATURE_REQUIRED"
    assert send("m-1", _signed(other, item()))["error"]["code"] == "SIGNATURE_INVALID", "another device's key"
    backdated = {**_signed(mine, item()), "scanned_at": "2026-12-07T09:01:00+08:00"}
    assert send("m-1", backdated)["error"]["code"] == "SIGNATURE_INVALID", "changed after it was signed"
    assert send("m-1", _signed(mine, item()))["status"] == "signed_in"
    elsewhere = send("m-2", item(device="unregistered"))
    assert elsewhere["status"] == "signed_in", "a member who never registered a device is not held to one"
    call(service, "register_device_key", "m-3", {"device_id": "phone-m3", "public_key": _device_key()[1]})
    written_later = send("m-3", _signed(other, item(device="a-laptop")))
    assert written_later["status"] == "claimed", "a device the member never registered proves nothing"


def test_a_new_phone_since_the_last_party_day_is_noted_but_not_flagged(service):
    first = approve(service, starts="2026-12-07T09:00:00+08:00", ends="2026-12-07T11:00:00+08:00")
    second = approve(service, starts="2026-12-14T09:00:00+08:00", ends="2026-12-14T11:00:00+08:00")
    near = {"lat": VENUE[0] + 0.0002}
    scan(
        service, first, "m-1", "sign_in", evidence(service, first, device_id="old", **near), "2026-12-07T09:00:00+08:00"
    )
    scan(
        service,
        second,
        "m-1",
        "sign_in",
        evidence(service, second, device_id="new", **near),
        "2026-12-14T09:00:00+08:00",
    )
    call(service, "assess_pending")  # the timer may have weighed some already
    [changed] = call(service, "scans", second)["items"]
    assert [item["signal"] for item in changed["signals"]["items"]] == ["device_changed"]
    assert changed["signals"]["items"][0]["evidence"] == {"previous_device": "old", "device_id": "new"}
    assert changed["review"] is None, "a new phone alone is not flagged"
