"""The directory's mutating routes hand the Idempotency-Key header to the directory, with the services faked."""

import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings
from tests.gateway.test_errors import CITY_ADMIN

ORG = {
    "org_id": "b1",
    "code": "HZ-1",
    "name": "一支部",
    "parent_id": "t1",
    "level": "branch",
    "domain": "rural",
    "kind": "regular",
    "path": "/root/t1/b1/",
    "venue_lat": None,
    "venue_lon": None,
}
MEMBER = {
    "member_id": "m2",
    "name": "张红梅",
    "phone": "13900000001",
    "branch_id": "b1",
    "mobile": False,
    "probationary": False,
    "lost_contact": False,
    "active": True,
    "joined_on": None,
}
GRANT = {
    "grant_id": "g2",
    "member_id": "m2",
    "role": "branch_admin",
    "org_id": "b1",
    "org_path": "/root/t1/b1/",
    "active": True,
}
LOST = {
    "entry_id": "e1",
    "member_id": "m2",
    "member_name": "张红梅",
    "last_branch_id": "b1",
    "last_branch_name": "一支部",
    "since": "2026-03-01",
    "last_contact": None,
    "status": "open",
    "registered_by": "m1",
    "registered_at": "2026-12-05T09:00:00+00:00",
    "closed_by": None,
    "closed_at": None,
    "outcome_note": None,
    "transferred_to_org_id": None,
    "steps": [],
}
ANSWERS = {
    "create_org": ORG,
    "update_org": ORG,
    "create_member": MEMBER,
    "update_member": MEMBER,
    "transfer_member": MEMBER,
    "leave_member": MEMBER,
    "get_member": {**MEMBER, "grants": []},
    "grant_role": GRANT,
    "get_grant": GRANT,
    "revoke_grant": {**GRANT, "active": False},
    "reset_password": {"member_id": "m2", "password_change_required": True},
    "change_password": {"member_id": "m1", "password_change_required": False},
    "list_members": {"items": [MEMBER], "total": 1, "page": 1, "page_size": 50},
    "list_grants": {"items": [], "total": 0, "page": 1, "page_size": 50},
    "get_lost_member": LOST,
    "register_lost_member": LOST,
    "add_lost_member_step": LOST,
    "lost_member_found": {**LOST, "status": "found"},
    "lost_member_transferred": {**LOST, "status": "transferred"},
}


class DirectoryRpc:
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
        app.state.rpc = client.rpc = DirectoryRpc()
        app.state.authz.org_paths.rpc = app.state.rpc
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


MUTATIONS = {
    "create_org": ("POST", "/api/v1/orgs", {"name": "二支部", "level": "branch", "parent_id": "t1"}),
    "update_org": ("PATCH", "/api/v1/orgs/b1", {"name": "第一支部"}),
    "create_member": ("POST", "/api/v1/members", {"name": "李四", "phone": "13900000002", "branch_id": "b1"}),
    "update_member": ("PATCH", "/api/v1/members/m2", {"mobile": True}),
    "transfer_member": ("POST", "/api/v1/members/m2/transfer", {"to_org_id": "b2"}),
    "leave_member": ("POST", "/api/v1/members/m2/leave", None),
    "grant_role": ("POST", "/api/v1/role-grants", {"member_id": "m2", "role": "branch_admin", "org_id": "b1"}),
    "revoke_grant": ("DELETE", "/api/v1/role-grants/g2", None),
    "reset_password": ("POST", "/api/v1/members/m2/password-reset", {"password": "temporary-42"}),
    "change_password": (
        "POST",
        "/api/v1/me/password",
        {"current_password": "old-secret-1", "new_password": "new-secret-2"},
    ),
    "register_lost_member": ("POST", "/api/v1/lost-members", {"member_id": "m2", "since": "2026-03-01"}),
    "add_lost_member_step": ("POST", "/api/v1/lost-members/e1/steps", {"what": "电话联系"}),
    "lost_member_found": ("POST", "/api/v1/lost-members/e1/found", {}),
    "lost_member_transferred": ("POST", "/api/v1/lost-members/e1/transferred", {"to_org_id": "b2"}),
}


def send(gateway, mutation, **headers):
    method, path, body = MUTATIONS[mutation]
    return gateway.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_key_reaches_the_directory(gateway, mutation):
    response = send(gateway, mutation, **{"Idempotency-Key": "key-1"})
    assert 200 <= response.status_code < 300, response.text
    [(service, method, _, kwargs)] = [call for call in gateway.rpc.calls if call[1] == mutation]
    assert (service, kwargs["idempotency_key"]) == ("directory", "key-1")


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_without_a_key_the_directory_is_asked_to_do_the_work_afresh(gateway, mutation):
    assert 200 <= send(gateway, mutation).status_code < 300
    [(_, _, _, kwargs)] = [call for call in gateway.rpc.calls if call[1] == mutation]
    assert kwargs["idempotency_key"] is None


def test_a_key_longer_than_200_characters_is_refused_before_the_directory_is_asked(gateway):
    response = send(gateway, "grant_role", **{"Idempotency-Key": "k" * 201})
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_FAILED"
    assert gateway.rpc.calls == []


def test_a_transfers_and_a_leaves_reason_reach_the_directory(gateway):
    moved = gateway.post("/api/v1/members/m2/transfer", json={"to_org_id": "b2", "reason": "工作调动"})
    left = gateway.post("/api/v1/members/m2/leave", json={"reason": "迁出本市"})
    assert (moved.status_code, left.status_code) == (200, 200)
    reasons = {method: kwargs["reason"] for _, method, _, kwargs in gateway.rpc.calls if "reason" in kwargs}
    assert reasons == {"transfer_member": "工作调动", "leave_member": "迁出本市"}
    blank = gateway.post("/api/v1/members/m2/leave", json={"reason": "\u200b"})
    assert (blank.status_code, blank.json()["error"]["code"]) == (422, "TEXT_NOT_VISIBLE")


def test_members_are_searched_with_only_the_filters_given(gateway):
    assert gateway.get("/api/v1/orgs/t1/members", params={"q": "张", "mobile": "true"}).status_code == 200
    assert gateway.get("/api/v1/orgs/t1/members", params={"lost_contact": "false"}).status_code == 200
    asked = [kwargs["filters"] for _, method, _, kwargs in gateway.rpc.calls if method == "list_members"]
    assert asked == [{"q": "张", "mobile": True}, {"lost_contact": False}]
    assert gateway.get("/api/v1/orgs/t1/members", params={"q": "x" * 51}).status_code == 400


def test_grants_are_listed_by_node_or_by_member_and_one_of_them_is_required(gateway):
    refused = gateway.get("/api/v1/role-grants")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "FILTER_REQUIRED")
    assert gateway.get("/api/v1/role-grants", params={"org_id": "t1"}).status_code == 200
    assert gateway.get("/api/v1/role-grants", params={"member_id": "m2", "page_size": 5}).status_code == 200
    asked = [kwargs for _, method, _, kwargs in gateway.rpc.calls if method == "list_grants"]
    assert [(a["org_id"], a["member_id"], a["page_size"]) for a in asked] == [("t1", None, 50), (None, "m2", 5)]
