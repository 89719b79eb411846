"""The attendance routes with the services faked: every mutating route but check-in and check-out (deduplicated by
their nonce) hands its Idempotency-Key on to attendance; printed documents show the organisation's time zone."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.gateway.fakes import FakeRpc, context, under_root
from tests.gateway.test_errors import assert_error

SCAN = {"token": "t", "lat": 33.07, "lon": 107.03, "accuracy_m": 10, "device_id": "phone", "nonce": "nonce-0001"}
OFFLINE_SCAN = {**SCAN, "activity_id": "a1", "kind": "sign_in", "scanned_at": "2026-12-07T09:00:00+08:00"}
LEAVE = {
    "leave_id": "l1",
    "activity_id": "a1",
    "member_id": "m1",
    "reason": "出差",
    "status": "pending",
    "requested_at": "2026-12-06T02:00:00+00:00",
    "decided_at": None,
}
LINE = {
    "member_id": "g1",
    "name": "王书记",
    "mobile": False,
    "guest": True,
    "status": "expected",
    "signed_in_at": None,
    "signed_out_at": None,
    "sent_late": False,
}
ANSWERS = {
    ("attendance", "get_activity"): {"activity_id": "a1", "branch_id": "b1"},
    ("directory", "get_member"): {"member_id": "g1", "name": "王书记", "active": True},
    ("attendance", "leave_activity"): "a1",
    ("attendance", "invite_guest"): LINE,
    ("attendance", "remove_guest"): LINE,
    ("attendance", "request_leave"): LEAVE,
    ("attendance", "decide_leave"): LEAVE,
    ("attendance", "offline_batch"): [
        {"index": 0, "status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": True}
    ],
    ("attendance", "scan"): {"status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": False},
}


@pytest.fixture
def attendance(gateway):
    """The gateway as member m1, an admin of the city, with attendance and the directory faked."""
    fake = FakeRpc(caller=context([("city_admin", "root", "/root/")]), nodes=under_root("branch"))
    for (service, method), answer in ANSWERS.items():
        fake.answer(service, method, answer)
    return gateway.use(fake)


MUTATING = [
    ("post", "/api/v1/activities/a1/guests", {"json": {"member_id": "g1"}}, "invite_guest", 201),
    ("delete", "/api/v1/activities/a1/guests/g1", {}, "remove_guest", 204),
    ("post", "/api/v1/activities/a1/leave-requests", {"json": {"reason": "出差"}}, "request_leave", 201),
    ("post", "/api/v1/leave-requests/l1/approve", {}, "decide_leave", 200),
    ("post", "/api/v1/leave-requests/l1/reject", {}, "decide_leave", 200),
    ("post", "/api/v1/attendance/offline-batch", {"json": [OFFLINE_SCAN]}, "offline_batch", 200),
]


@pytest.mark.parametrize("verb, path, body, method, status", MUTATING, ids=[row[3] + ":" + row[1] for row in MUTATING])
def test_mutating_routes_pass_their_idempotency_key_on(gateway, attendance, verb, path, body, method, status):
    answer = getattr(gateway, verb)(path, headers={"Idempotency-Key": "k-1"}, **body)
    assert answer.status_code == status, answer.text
    ((_, _, _, kwargs),) = attendance.called(method)
    assert kwargs["idempotency_key"] == "k-1"


@pytest.mark.parametrize("verb, path, body, method, status", MUTATING, ids=[row[3] + ":" + row[1] for row in MUTATING])
def test_without_a_key_the_call_is_not_deduplicated(gateway, attendance, verb, path, body, method, status):
    assert getattr(gateway, verb)(path, **body).status_code == status
    ((_, _, _, kwargs),) = attendance.called(method)
    assert kwargs["idempotency_key"] is None


def test_an_empty_idempotency_key_is_refused_before_attendance_is_asked(gateway, attendance):
    assert_error(
        gateway.post("/api/v1/activities/a1/leave-requests", json={"reason": "出差"}, headers={"Idempotency-Key": ""}),
        400,
        "VALIDATION_FAILED",
    )
    assert attendance.called("request_leave") == []


@pytest.mark.parametrize("path", ["/api/v1/activities/a1/check-in", "/api/v1/activities/a1/check-out"])
def test_check_in_and_out_keep_to_their_nonce(gateway, attendance, path):
    assert gateway.post(path, json=SCAN, headers={"Idempotency-Key": "k-1"}).status_code == 200
    ((_, _, args, kwargs),) = attendance.called("scan")
    assert args[3]["nonce"] == "nonce-0001" and "idempotency_key" not in kwargs


RECORD = {
    "record_id": 7,
    "activity_id": "a1",
    "branch_id": "b1",
    "theme": "主题党日",
    "member_id": "m2",
    "name": "李强",
    "kind": "sign_in",
    "review": "claimed",
    "server_time": "2026-12-07T12:00:00+00:00",
    "scanned_at": "2026-12-07T01:00:00+00:00",
    "sent_late": True,
    "lat": 33.07,
    "lon": 107.03,
    "accuracy_m": 10.0,
    "distance_m": 3.0,
    "device_id": "phone",
    "token_id": "abc",
    "client_ip": None,
    "signals": {"score": 0.0, "threshold": 1.0, "flagged": False, "items": []},
    "decided_by": None,
    "decided_at": None,
    "decision_reason": None,
}


def _reviewer(gateway, roles, org_id="elsewhere"):
    fake = FakeRpc(caller=context(roles, org_id=org_id), nodes=under_root("branch"))
    fake.answer(
        "attendance", "reviews", {"org_path": "/root/", "items": [RECORD], "total": 1, "page": 1, "page_size": 50}
    )
    fake.answer("attendance", "review_record", {"record_id": 7, "activity_id": "a1", "branch_id": "b1"})
    fake.answer("attendance", "decide_review", {**RECORD, "review": "accepted", "decided_by": "m1"})
    return gateway.use(fake)


def test_a_superior_lists_the_subtrees_review_queue_and_decides_with_a_reason(gateway):
    fake = _reviewer(gateway, [("org_admin", "root", "/root/")])
    page = gateway.get("/api/v1/attendance/reviews", params={"org_id": "root"})
    assert page.status_code == 200, page.text
    assert page.json()["items"][0]["review"] == "claimed"
    ((_, _, args, _),) = fake.called("reviews")
    assert args == ("/root/root/",)
    decided = gateway.post(
        "/api/v1/attendance/reviews/7/accept", json={"reason": "核实到场"}, headers={"Idempotency-Key": "k-7"}
    )
    assert decided.status_code == 200, decided.text
    ((_, _, args, kwargs),) = fake.called("decide_review")
    assert args == (7, {"decision": "accept", "reason": "核实到场"}, "m1") and kwargs["idempotency_key"] == "k-7"


def test_the_branchs_own_people_and_its_admin_never_decide_its_records(gateway):
    _reviewer(gateway, [("org_admin", "root", "/root/")], org_id="b1")
    assert_error(gateway.post("/api/v1/attendance/reviews/7/void", json={"reason": "代签"}), 403, "OWN_BRANCH")
    fake = _reviewer(gateway, [("branch_admin", "b1", "/root/b1/")], org_id="b1")
    assert_error(gateway.post("/api/v1/attendance/reviews/7/void", json={"reason": "代签"}), 403, "FORBIDDEN")
    assert_error(gateway.get("/api/v1/attendance/reviews", params={"org_id": "b1"}), 403, "FORBIDDEN")
    assert not fake.called("decide_review")


def test_a_decision_needs_a_reason_and_is_accept_or_void(gateway):
    fake = _reviewer(gateway, [("city_admin", "root", "/root/")])
    assert gateway.post("/api/v1/attendance/reviews/7/accept", json={"reason": ""}).status_code == 400
    assert gateway.post("/api/v1/attendance/reviews/7/approve", json={"reason": "x"}).status_code == 400
    assert not fake.called("decide_review")


PRINTED_ACTIVITY = {
    "activity_id": "a1",
    "branch_id": "b1",
    "theme": "主题党日",
    "venue_name": "党员活动室",
    "starts_at": "2026-12-07T01:00:00+00:00",
    "ends_at": "2026-12-07T03:00:00+00:00",
}
PRINTED_SHEET = {
    "activity_id": "a1",
    "closed": True,
    "counts": {group: {} for group in ("members", "mobile_members", "guests")},
    "members": [{**LINE, "status": "signed_in", "signed_in_at": "2026-12-07T00:55:00+00:00"}],
}


@pytest.mark.parametrize("time_zone, shown", [("Asia/Shanghai", "09:00 – 11:00"), ("Asia/Urumqi", "07:00 – 09:00")])
def test_printed_documents_show_times_in_the_organisations_time_zone(gateway, attendance, time_zone, shown):
    attendance.answer("attendance", "get_activity", PRINTED_ACTIVITY)
    attendance.answer("attendance", "qr_token", {"token": "t", "url": "http://x/m/checkin?activity=a1&token=t"})
    attendance.answer("attendance", "attendance", PRINTED_SHEET)
    attendance.answer("directory", "get_org", {"org_id": "b1", "name": "一支部"})
    attendance.answer("plans", "find_activity", {"plan_id": "p1", "branch_id": "b1", "time_zone": time_zone})
    for path in ("/api/v1/activities/a1/qr?format=pdf", "/api/v1/activities/a1/attendance.pdf"):
        printed = gateway.get(path)
        assert printed.status_code == 200, printed.text
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages)
        assert f"2026年12月07日 {shown}" in text, path
    workbook = load_workbook(io.BytesIO(gateway.get("/api/v1/activities/a1/attendance.xlsx").content))
    assert shown in str(list(workbook.active.iter_rows(values_only=True))[1])
