"""The attendance routes with the services faked: every mutating route but check-in and check-out (deduplicated by
their nonce) hands its Idempotency-Key on to attendance."""
import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings
from tests.gateway.test_errors import CITY_ADMIN, assert_error

SCAN = {"token": "t", "lat": 33.07, "lon": 107.03, "accuracy_m": 10, "device_id": "phone", "nonce": "nonce-0001"}
OFFLINE_SCAN = {**SCAN, "activity_id": "a1", "kind": "sign_in", "scanned_at": "2026-12-07T09:00:00+08:00"}
LEAVE = {"leave_id": "l1", "activity_id": "a1", "member_id": "m1", "reason": "出差", "status": "pending",
         "requested_at": "2026-12-06T02:00:00+00:00", "decided_at": None}
LINE = {"member_id": "g1", "name": "王书记", "mobile": False, "guest": True, "status": "expected", "signed_in_at": None,
        "signed_out_at": None, "sent_late": False}
ANSWERS = {
    "get_activity": {"activity_id": "a1", "branch_id": "b1"},
    "get_member": {"member_id": "g1", "name": "王书记", "active": True},
    "leave_activity": "a1",
    "invite_guest": LINE, "remove_guest": LINE, "request_leave": LEAVE, "decide_leave": LEAVE,
    "offline_batch": [{"index": 0, "status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": True}],
    "scan": {"status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": False},
}


class AttendanceRpc:
    ready = True

    def __init__(self):
        self.calls = []

    async def call(self, service, method, *args, **kwargs):
        if method == "auth_context":
            return CITY_ADMIN
        if method == "org_paths":
            return {org_id: {"path": f"/root/{org_id}/", "level": "branch", "name": "x"} for org_id in args[0]}
        self.calls.append((service, method, args, kwargs))
        return ANSWERS[method]

    async def close(self):
        pass


@pytest.fixture
def gateway():
    app = create_app(GatewaySettings(amqp_uri="amqp://guest:guest@127.0.0.1:1/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.rpc = client.rpc = AttendanceRpc()
        app.state.authz.org_paths.rpc = app.state.rpc
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _attendance_calls(gateway, method):
    return [call for call in gateway.rpc.calls if call[:2] == ("attendance", method)]


MUTATING = [
    ("post", "/api/v1/activities/a1/guests", {"json": {"member_id": "g1"}}, "invite_guest", 201),
    ("delete", "/api/v1/activities/a1/guests/g1", {}, "remove_guest", 204),
    ("post", "/api/v1/activities/a1/leave-requests", {"json": {"reason": "出差"}}, "request_leave", 201),
    ("post", "/api/v1/leave-requests/l1/approve", {}, "decide_leave", 200),
    ("post", "/api/v1/leave-requests/l1/reject", {}, "decide_leave", 200),
    ("post", "/api/v1/attendance/offline-batch", {"json": [OFFLINE_SCAN]}, "offline_batch", 200),
]


@pytest.mark.parametrize("verb, path, body, method, status", MUTATING, ids=[row[3] + ":" + row[1] for row in MUTATING])
def test_mutating_routes_pass_their_idempotency_key_on(gateway, verb, path, body, method, status):
    answer = getattr(gateway, verb)(path, headers={"Idempotency-Key": "k-1"}, **body)
    assert answer.status_code == status, answer.text
    (_, _, _, kwargs), = _attendance_calls(gateway, method)
    assert kwargs["idempotency_key"] == "k-1"


@pytest.mark.parametrize("verb, path, body, method, status", MUTATING, ids=[row[3] + ":" + row[1] for row in MUTATING])
def test_without_a_key_the_call_is_not_deduplicated(gateway, verb, path, body, method, status):
    assert getattr(gateway, verb)(path, **body).status_code == status
    (_, _, _, kwargs), = _attendance_calls(gateway, method)
    assert kwargs["idempotency_key"] is None


def test_an_empty_idempotency_key_is_refused_before_attendance_is_asked(gateway):
    assert_error(gateway.post("/api/v1/activities/a1/leave-requests", json={"reason": "出差"},
                              headers={"Idempotency-Key": ""}), 400, "VALIDATION_FAILED")
    assert _attendance_calls(gateway, "request_leave") == []


@pytest.mark.parametrize("path", ["/api/v1/activities/a1/check-in", "/api/v1/activities/a1/check-out"])
def test_check_in_and_out_keep_to_their_nonce(gateway, path):
    assert gateway.post(path, json=SCAN, headers={"Idempotency-Key": "k-1"}).status_code == 200
    (_, _, args, kwargs), = _attendance_calls(gateway, "scan")
    assert args[3]["nonce"] == "nonce-0001" and "idempotency_key" not in kwargs
