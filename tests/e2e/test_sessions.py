"""Members sign in on their token alone while the gateway follows ended sessions, and an ended session
stops at once: by this gateway's own logout, and by the directory's `session_ended` event."""

import re
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.helpers import wait_for

PASSWORD = "session-pass-1"
VENUE = {"name": "会议室", "lat": 33.07, "lon": 107.03, "radius_m": 200}


def metric(stack, name: str, **labels) -> float:
    text = httpx.get(stack.gateway_metrics_url, timeout=5).text
    selector = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = (
        rf"^{re.escape(name)}(?:\{{{re.escape(selector)}\}})? ([0-9.e+]+)$"
        if labels
        else rf"^{re.escape(name)} ([0-9.e+]+)$"
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def auth_context_calls(stack) -> float:
    return metric(
        stack, "partyday_gateway_rpc_duration_seconds_count", method="auth_context", outcome="ok", service="directory"
    )


@pytest.fixture(scope="module")
def activity(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    town = stack.create_org(stack.create_org(root["org_id"], "county", "县"), "township", "镇")
    branch = stack.create_org(town, "branch", "支部")
    members = [stack.create_member(branch, PASSWORD) for _ in range(3)]
    now = datetime.now(timezone.utc)
    plan = http.post(
        "/api/v1/plans",
        headers=admin,
        json={
            "branch_id": branch,
            "month": now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"),
            "theme": "主题党日",
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "venue": VENUE,
        },
    ).json()
    assert http.post(f"/api/v1/plans/{plan['plan_id']}/submit", headers=admin).status_code == 200
    activity_id = http.post(f"/api/v1/plans/{plan['plan_id']}/approve", headers=admin).json()["activity_id"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/attendance", headers=admin).status_code == 200)
    token = http.get(f"/api/v1/activities/{activity_id}/qr", params={"format": "json"}, headers=admin).json()
    wait_for(lambda: metric(stack, "partyday_gateway_following_ended_sessions") == 1)
    return {"activity_id": activity_id, "token": token["token"], "members": members}


def check_in(stack, activity, headers, lat=VENUE["lat"]):
    return stack.http.post(
        f"/api/v1/activities/{activity['activity_id']}/check-in",
        headers=headers,
        json={
            "token": activity["token"],
            "lat": lat,
            "lon": VENUE["lon"],
            "accuracy_m": 10,
            "device_id": "phone",
            "nonce": uuid.uuid4().hex,
        },
    )


def code(response) -> str:
    return response.json()["error"]["code"]


def test_a_member_signs_in_without_the_gateway_asking_the_directory(stack, activity):
    before = auth_context_calls(stack)
    signed = check_in(stack, activity, activity["members"][0]["headers"])
    assert signed.status_code == 200 and signed.json()["status"] == "signed_in", signed.text
    assert auth_context_calls(stack) == before


def test_a_logged_out_session_cannot_sign_in(stack, activity):
    member = activity["members"][1]
    assert stack.http.post("/api/v1/auth/logout", headers=member["headers"]).status_code == 204
    refused = check_in(stack, activity, member["headers"])
    assert refused.status_code == 401 and code(refused) == "SESSION_REVOKED"


def test_a_session_ended_by_the_directory_stops_as_its_event_arrives(stack, activity):
    member = activity["members"][2]
    other_phone = stack.login(member["phone"], PASSWORD)
    changed = stack.http.patch(
        f"/api/v1/members/{member['member_id']}", headers=stack.admin, json={"password": "session-pass-2"}
    )
    assert changed.status_code == 200, changed.text
    far_away = VENUE["lat"] + 0.05
    wait_for(lambda: code(check_in(stack, activity, other_phone, lat=far_away)) != "GEOFENCE_OUTSIDE")
    assert code(check_in(stack, activity, other_phone)) == "SESSION_REVOKED"
    assert code(check_in(stack, activity, member["headers"])) == "SESSION_REVOKED"
    fresh = stack.login(member["phone"], "session-pass-2")
    assert check_in(stack, activity, fresh).json()["status"] == "signed_in"
