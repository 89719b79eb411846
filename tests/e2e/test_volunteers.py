"""Volunteer requests through the gateway with every service running: a resident finds their community's branch,
proves their phone with the voters' one-time code and posts a request; the branch's secretary is told, takes it in
and publishes it; a member is told, claims it and records it done with a photo; the resident follows it, confirms
and rates it; an illegal step is 409; the overdue list and the month's counts per branch."""

import io
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.e2e.helpers import code_sent_to, wait_for

# A branch has 3.6 seconds to take a request in, so that the overdue list is seen within the test.
STACK_ENVIRONMENT = {"PARTYDAY_VOLUNTEERS_ACCEPT_WITHIN_H": "0.001", "PARTYDAY_RPC_TIMEOUT_S": "6"}
PASSWORD = "volunteer-e2e-1"


@pytest.fixture(scope="module")
def community(stack):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    tag = uuid.uuid4().hex[:6]
    county = stack.create_org(root["org_id"], "county", f"汉台区委{tag}")
    town = stack.create_org(county, "township", f"北关街道{tag}")
    branch = stack.create_org(town, "branch", f"幸福社区党支部{tag}", domain="community")
    secretary = stack.create_member(branch, PASSWORD)
    stack.grant(secretary, "branch_admin", branch)
    return {
        "tag": tag,
        "county": county,
        "branch": branch,
        "secretary": secretary,
        "member": stack.create_member(branch, PASSWORD),
        "other": stack.create_member(branch, PASSWORD),
    }


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def post_request(stack, community, phone: str, **fields) -> dict:
    found = stack.http.get("/api/v1/help/communities", params={"q": f"幸福社区党支部{community['tag']}"})
    assert found.status_code == 200, found.text
    assert found.json()["items"] == [{"org_id": community["branch"], "name": f"幸福社区党支部{community['tag']}"}]
    assert stack.http.post("/api/v1/auth/public-code", json={"phone": phone}).status_code == 202
    body = {
        "what": "帮行动不便的老人取药",
        "where": "幸福小区5号楼2单元",
        "wanted_by": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat(),
        "org_id": community["branch"],
        "name": "刘阿姨",
        "phone": phone,
        "code": code_sent_to(stack, phone),
        **fields,
    }
    posted = stack.http.post("/api/v1/help/requests", json=body, headers={"Idempotency-Key": f"post-{phone}"})
    assert posted.status_code == 201, posted.text
    return posted.json()


def inbox_kinds(stack, headers) -> list[str]:
    return [item["kind"] for item in stack.http.get("/api/v1/me/notifications", headers=headers).json()["items"]]


def test_a_request_goes_from_the_resident_through_the_branch_to_a_member_and_back(stack, community):
    secretary, member, other = community["secretary"]["headers"], community["member"], community["other"]
    wrong = stack.http.post(
        "/api/v1/help/requests",
        json={
            "what": "帮忙",
            "where": "小区",
            "wanted_by": "2099-01-01T00:00:00+08:00",
            "org_id": community["branch"],
            "name": "某人",
            "phone": "13700000001",
            "code": "000000",
        },
    )
    assert wrong.status_code in (401, 429) and wrong.json()["error"]["code"].startswith("CODE_")

    posted = post_request(stack, community, "13700000002")
    request_id, token = posted["request"]["request_id"], posted["token"]
    assert posted["request"]["state"] == "submitted" and posted["request"]["resident_phone"] == "137****0002"
    wait_for(lambda: "volunteer_request_submitted" in inbox_kinds(stack, secretary), message="the secretary told")

    listed = stack.http.get("/api/v1/volunteer-requests", params={"org_id": community["branch"]}, headers=secretary)
    assert [item["request_id"] for item in listed.json()["items"]] == [request_id]
    assert listed.json()["items"][0]["resident_phone"] == "13700000002"
    detail = stack.http.get(f"/api/v1/volunteer-requests/{request_id}", headers=member["headers"])
    assert detail.status_code == 403, "a member reads the phone only once they claim the work"
    assert (
        stack.http.post(f"/api/v1/volunteer-requests/{request_id}/accept", headers=member["headers"]).status_code == 403
    )
    accepted = stack.http.post(
        f"/api/v1/volunteer-requests/{request_id}/accept", headers={**secretary, "Idempotency-Key": "accept-1"}
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    again = stack.http.post(
        f"/api/v1/volunteer-requests/{request_id}/accept", headers={**secretary, "Idempotency-Key": "accept-1"}
    )
    assert again.json() == accepted.json()
    illegal = stack.http.post(f"/api/v1/volunteer-requests/{request_id}/accept", headers=secretary)
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "REQUEST_STATE_CONFLICT"

    published = stack.http.post(f"/api/v1/volunteer-requests/{request_id}/publish", headers=secretary)
    assert published.status_code == 200 and published.json()["state"] == "published"
    wait_for(lambda: "volunteer_request_dispatched" in inbox_kinds(stack, member["headers"]), message="member told")
    open_ones = stack.http.get("/api/v1/me/volunteer-requests", headers=member["headers"]).json()
    assert [item["request_id"] for item in open_ones["items"]] == [request_id]
    claimed = stack.http.post(f"/api/v1/volunteer-requests/{request_id}/claim", headers=member["headers"])
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == member["member_id"]
    late = stack.http.post(f"/api/v1/volunteer-requests/{request_id}/claim", headers=other["headers"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "REQUEST_STATE_CONFLICT"
    assert stack.http.post(f"/api/v1/help/requests/{token}/cancel").status_code == 409

    files = {"file": ("done.jpg", jpeg(), "image/jpeg")}
    not_theirs = stack.http.post(
        f"/api/v1/volunteer-requests/{request_id}/complete", headers=other["headers"], files=files
    )
    assert not_theirs.status_code == 403 and not_theirs.json()["error"]["code"] == "NOT_YOUR_CLAIM"
    done = stack.http.post(
        f"/api/v1/volunteer-requests/{request_id}/complete",
        headers={**member["headers"], "Idempotency-Key": "complete-1"},
        files=files,
        data={"note": "药已送到"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done" and done.json()["has_photo"]
    mine = stack.http.get("/api/v1/me/volunteer-requests", params={"view": "claimed"}, headers=member["headers"])
    assert [item["state"] for item in mine.json()["items"]] == ["done"]

    followed = stack.http.get(f"/api/v1/help/requests/{token}")
    assert followed.status_code == 200 and followed.json()["state"] == "done"
    photo = stack.http.get(f"/api/v1/help/requests/{token}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert stack.http.get(f"/api/v1/volunteer-requests/{request_id}/photo", headers=secretary).status_code == 200
    rated = stack.http.post(f"/api/v1/help/requests/{token}/confirm", json={"rating": 5, "comment": "非常感谢"})
    assert rated.status_code == 200 and rated.json()["state"] == "confirmed" and rated.json()["rating"] == 5
    assert stack.http.post(f"/api/v1/help/requests/{token}/confirm", json={"rating": 9}).status_code == 400
    history = [step["action"] for step in rated.json()["history"]]
    assert history == ["submit", "accept", "publish", "claim", "complete", "confirm"]

    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    stats = stack.http.get(
        f"/api/v1/orgs/{community['county']}/volunteer-stats", params={"month": month}, headers=stack.admin
    )
    assert stats.status_code == 200, stats.text
    assert stats.json()["items"] == [
        {
            "branch_id": community["branch"],
            "name": f"幸福社区党支部{community['tag']}",
            "received": 1,
            "completed": 1,
            "average_rating": 5.0,
        }
    ]

    def audited() -> bool:
        answer = stack.http.get("/api/v1/audit", params={"target_id": request_id}, headers=stack.admin)
        assert answer.status_code == 200, answer.text
        return {entry["action"] for entry in answer.json()["items"]} == {
            "volunteer_request.accept",
            "volunteer_request.publish",
        }

    wait_for(audited, message="the secretary's acts in the audit log")


def test_a_request_not_taken_in_in_time_is_listed_overdue_until_it_is_declined(stack, community):
    secretary = community["secretary"]["headers"]
    posted = post_request(stack, community, "13700000003")
    request_id = posted["request"]["request_id"]

    def overdue() -> list:
        answer = stack.http.get(f"/api/v1/orgs/{community['county']}/volunteer-overdue", headers=stack.admin)
        assert answer.status_code == 200, answer.text
        return [(item["request_id"], item["overdue"]) for item in answer.json()["items"]]

    wait_for(lambda: (request_id, "not_taken_in") in overdue(), timeout=15, message="the request listed overdue")
    declined = stack.http.post(
        f"/api/v1/volunteer-requests/{request_id}/decline", json={"reason": "请联系物业"}, headers=secretary
    )
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "请联系物业"
    assert request_id not in [found for found, _ in overdue()]
    followed = stack.http.get(f"/api/v1/help/requests/{posted['token']}").json()
    assert followed["state"] == "declined" and followed["decline_reason"] == "请联系物业"
    outsider = stack.http.get(f"/api/v1/orgs/{community['county']}/volunteer-overdue", headers=secretary)
    assert outsider.status_code == 403
