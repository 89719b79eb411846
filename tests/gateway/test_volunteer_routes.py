"""The volunteer request routes with the services faked: the resident's routes need no login, bodies are checked
before they reach the service, the branch's acts need `manage_plans` over the request's branch and pass the caller
and the Idempotency-Key on, a member acts as themselves, and the lists reach the node's subtree only."""

import pytest
from fastapi.testclient import TestClient

from partyday_common.settings import get_settings
from partyday_gateway import uploads
from partyday_gateway.rpc import ServiceUnavailable
from partyday_gateway.settings import GatewaySettings
from tests.gateway.conftest import NO_BROKER
from tests.gateway.fakes import FakeRpc, context
from tests.gateway.test_errors import assert_error

NODES = {
    "b1": {"path": "/root/town/b1/", "level": "branch", "name": "一支部"},
    "b2": {
        "path": "/root/town/b2/",
        "level": "branch",
        "name": "二支部",
    },
    "town": {"path": "/root/town/", "level": "township", "name": "街道"},
}
SECRETARY = context([("branch_admin", "b1", "/root/town/b1/")], org_id="b1", org_path="/root/town/b1/")
MEMBER = context(org_id="b1", org_path="/root/town/b1/", member_id="m2")
REQUEST = {
    "request_id": "r1",
    "branch_id": "b1",
    "branch_name": "一支部",
    "what": "买菜",
    "where": "3号楼",
    "wanted_by": "2099-01-01T00:00:00+00:00",
    "resident_name": "张阿姨",
    "resident_phone": "13912345678",
    "state": "submitted",
    "submitted_at": "2026-12-05T00:00:00+00:00",
    "accept_by": "2026-12-06T00:00:00+00:00",
    "decline_reason": None,
    "dispatched_to": [],
    "claimed_by": None,
    "claimed_by_name": None,
    "claimed_at": None,
    "completed_at": None,
    "completion_note": None,
    "has_photo": False,
    "rating": None,
    "rating_comment": None,
    "confirmed_at": None,
    "history": [],
}
BODY = {
    "what": "帮忙买菜",
    "where": "幸福小区3号楼",
    "wanted_by": "2099-01-01T08:00:00+08:00",
    "org_id": "b1",
    "name": "张阿姨",
    "phone": "13912345678",
    "code": "123456",
}


def anonymous(gateway) -> TestClient:
    gateway.headers.pop("Authorization")
    return gateway


def test_a_resident_posts_and_follows_a_request_without_logging_in(gateway):
    rpc = gateway.use(
        FakeRpc()
        .answer("volunteers", "submit_request", {"request": REQUEST, "token": "t" * 32})
        .answer("volunteers", "follow_request", REQUEST)
        .answer("volunteers", "confirm_request", {**REQUEST, "state": "confirmed", "rating": 4})
        .answer(
            "directory",
            "search_orgs",
            {"items": [{"org_id": "b1", "name": "一支部", "code": "B1"}], "total": 1, "page": 1, "page_size": 10},
        )
    )
    client = anonymous(gateway)
    found = client.get("/api/v1/help/communities", params={"q": "一支"})
    assert found.json()["items"] == [{"org_id": "b1", "name": "一支部"}], "only the id and the name"
    assert rpc.called("search_orgs")[0].args[0] == {"within": ["/"], "q": "一支", "level": "branch"}
    posted = client.post("/api/v1/help/requests", json=BODY, headers={"Idempotency-Key": "k1"})
    assert posted.status_code == 201 and posted.json()["token"] == "t" * 32
    assert rpc.called("submit_request")[0].kwargs == {"idempotency_key": "k1"}
    assert client.get(f"/api/v1/help/requests/{'t' * 32}").json()["request_id"] == "r1"
    rated = client.post(f"/api/v1/help/requests/{'t' * 32}/confirm", json={"rating": 4})
    assert rated.status_code == 200 and rated.json()["rating"] == 4


def test_bad_requests_never_reach_the_service(gateway):
    rpc = gateway.use(FakeRpc())
    client = anonymous(gateway)
    for wrong in ({**BODY, "code": "12"}, {**BODY, "wanted_by": "2099-01-01T08:00:00"}, {**BODY, "what": ""}):
        answer = client.post("/api/v1/help/requests", json=wrong)
        assert answer.status_code in (400, 422), answer.text
    assert client.post(f"/api/v1/help/requests/{'t' * 32}/confirm", json={"rating": 0}).status_code in (400, 422)
    assert client.get("/api/v1/help/requests/short").status_code in (400, 422)
    assert rpc.calls == []


def test_the_branchs_acts_need_manage_plans_over_its_branch_and_pass_the_caller_on(gateway):
    rpc = gateway.use(
        FakeRpc(caller=SECRETARY, nodes=NODES)
        .answer("volunteers", "get_request", REQUEST, {**REQUEST, "branch_id": "b2"})
        .answer("volunteers", "accept_request", {**REQUEST, "state": "accepted"})
    )
    accepted = gateway.post("/api/v1/volunteer-requests/r1/accept", headers={"Idempotency-Key": "a1"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert rpc.called("accept_request")[0].args == ("r1", "m1") and rpc.called("accept_request")[0].kwargs == {
        "idempotency_key": "a1"
    }
    elsewhere = gateway.post("/api/v1/volunteer-requests/r1/accept")
    assert elsewhere.status_code == 403 and elsewhere.json()["error"]["details"]["needs"] == "manage_plans"


def test_a_member_claims_as_themselves_and_does_not_administer(gateway):
    rpc = gateway.use(
        FakeRpc(caller=MEMBER, nodes=NODES)
        .answer("volunteers", "get_request", REQUEST)
        .answer("volunteers", "claim_request", {**REQUEST, "state": "claimed", "claimed_by": "m2"})
        .answer("volunteers", "member_open_requests", {"items": [], "total": 0, "page": 1, "page_size": 20})
    )
    assert gateway.post("/api/v1/volunteer-requests/r1/claim").json()["claimed_by"] == "m2"
    assert rpc.called("claim_request")[0].args == ("r1", "m2")
    assert gateway.get("/api/v1/me/volunteer-requests").status_code == 200
    assert rpc.called("member_open_requests")[0].args == ("m2",)
    assert gateway.post("/api/v1/volunteer-requests/r1/publish").status_code == 403
    assert gateway.get("/api/v1/volunteer-requests/r1").status_code == 403, "the phone is for who reads the branch"


def test_lists_overdue_and_counts_reach_the_nodes_subtree(gateway):
    page = {"items": [], "total": 0, "page": 1, "page_size": 20}
    rpc = gateway.use(
        FakeRpc(caller=SECRETARY, nodes=NODES)
        .answer("volunteers", "branch_requests", page)
        .answer("volunteers", "overdue_requests", page)
        .answer(
            "volunteers", "branch_stats", {"month": "2026-12", "items": [], "totals": {"received": 0, "completed": 0}}
        )
    )
    listed = gateway.get("/api/v1/volunteer-requests", params=[("org_id", "b1"), ("state", "submitted")])
    assert listed.status_code == 200
    assert rpc.called("branch_requests")[0].args == ("/root/town/b1/", ["submitted"])
    assert gateway.get("/api/v1/orgs/b1/volunteer-overdue").status_code == 200
    assert rpc.called("overdue_requests")[0].args == ("/root/town/b1/",)
    stats = gateway.get("/api/v1/orgs/b1/volunteer-stats", params={"month": "2026-12"})
    assert stats.status_code == 200 and stats.json()["org_id"] == "b1"
    assert gateway.get("/api/v1/orgs/town/volunteer-overdue").status_code == 403
    assert gateway.get("/api/v1/orgs/b1/volunteer-stats", params={"month": "2026-13"}).status_code in (400, 422)


@pytest.fixture
def gateway_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()
    yield GatewaySettings(amqp_uri=NO_BROKER)
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()


def stored(tmp_path) -> list:
    return [path for path in (tmp_path / "storage").rglob("*") if path.is_file()]


def test_the_completion_photo_is_removed_when_the_volunteers_service_is_not_there(gateway, tmp_path):
    fake = gateway.use(FakeRpc(caller=MEMBER, nodes=NODES))
    fake.answer("volunteers", "complete_request", ServiceUnavailable("volunteers", "no consumer"))
    answer = gateway.post(
        "/api/v1/volunteer-requests/r1/complete",
        files={"file": ("done.jpg", b"\xff\xd8\xffphoto")},
        data={"note": "好"},
    )
    assert_error(answer, 503, "SERVICE_UNAVAILABLE")
    assert stored(tmp_path) == []


def test_the_resident_sees_the_completion_photo_in_the_page(gateway):
    uploads.media_storage().put_bytes("media/volunteers-r1/web.jpg", b"\xff\xd8\xffphoto", "image/jpeg")
    fake = gateway.use(FakeRpc(nodes=NODES))
    fake.answer(
        "volunteers",
        "photo_by_token",
        {"key": "media/volunteers-r1/web.jpg", "content_type": "image/jpeg", "branch_id": "b1"},
        {"key": None, "content_type": None, "branch_id": "b1"},
    )
    client = anonymous(gateway)
    shown = client.get(f"/api/v1/help/requests/{'t' * 32}/photo")
    assert shown.status_code == 200 and shown.content == b"\xff\xd8\xffphoto"
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith('inline; filename="web.jpg"')
    assert_error(client.get(f"/api/v1/help/requests/{'t' * 32}/photo"), 404, "PHOTO_NOT_FOUND")
