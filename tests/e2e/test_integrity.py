"""Superiors decide the doubtful records, and the score follows: through the gateway with every service running
(issue 19)."""

import time
import uuid
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import wait_for

# Closing and weighing run every second, so that a party day closes and its scans are weighed within the test.
STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_ASSESS_INTERVAL_S": "1",
}
PASSWORD = "integrity-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}


def _scan(token, device, north_m, **changes):
    return {
        "token": token,
        "lat": VENUE["lat"] + north_m / 111_195,
        "lon": VENUE["lon"],
        "accuracy_m": 12,
        "device_id": device,
        "nonce": uuid.uuid4().hex,
        **changes,
    }


def _sign_in_rate(http, activity, headers, previous=None) -> float:
    return wait_for(
        lambda: (
            (score := http.get(f"/api/v1/activities/{activity}/score", headers=headers).json())["status"] == "scored"
            and score["indicators"]["sign_in_rate"] != previous
            and score["indicators"]["sign_in_rate"]
        ),
        message="the score follows the sheet",
    )


def test_a_claim_accepted_by_the_county_raises_the_branchs_score_and_a_voided_proxy_lowers_it(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch, elsewhere = stack.create_org(town, "branch", "一支部"), stack.create_org(town, "branch", "二支部")
    secretary = stack.create_member(branch, PASSWORD)
    stack.grant(secretary, "branch_admin", branch)
    home, proxy, claimer = (stack.create_member(branch, PASSWORD) for _ in range(3))
    county_admin = stack.create_member(elsewhere, PASSWORD)
    stack.grant(county_admin, "org_admin", county)

    now = datetime.now(timezone.utc)
    activity = stack.approved_activity(
        branch,
        now - timedelta(seconds=50),
        now + timedelta(seconds=25),
        theme="主题党日",
        venue=VENUE,
        attendance_rules={"opens_before_min": 30, "grace_min": 1, "sign_out_window_min": 0},
    )
    poster = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=admin).json()["token"]
    # one phone signs in two members, each at a plausible position: accepted, then flagged
    for member, north in ((home, 20), (proxy, 35)):
        signed = http.post(
            f"/api/v1/activities/{activity}/check-in", headers=member["headers"], json=_scan(poster, "one-phone", north)
        )
        assert signed.status_code == 200, signed.text
    # after sign-in closed, a member at home sends a poster scan dated inside the window: kept as a claim
    time.sleep(max(0.0, (now + timedelta(seconds=11) - datetime.now(timezone.utc)).total_seconds()))
    backdated = {
        **_scan(poster, "home-phone", 10),
        "activity_id": activity,
        "kind": "sign_in",
        "scanned_at": (now - timedelta(seconds=40)).isoformat(),
    }
    [claimed] = http.post("/api/v1/attendance/offline-batch", headers=claimer["headers"], json=[backdated]).json()
    assert claimed["status"] == "claimed" and claimed["waiting_for_decision"] is True, claimed

    before = _sign_in_rate(http, activity, county_admin["headers"])
    queue = wait_for(
        lambda: (
            (
                page := http.get(
                    "/api/v1/attendance/reviews", params={"org_id": county}, headers=county_admin["headers"]
                )
            ).status_code
            == 200
            and page.json()["total"] == 3
            and page.json()
        ),
        message="the claim and the two flagged sign-ins wait for the county",
    )
    records = {item["member_id"]: item for item in queue["items"]}
    assert records[claimer["member_id"]]["review"] == "claimed"
    assert records[proxy["member_id"]]["review"] == "flagged"
    assert records[proxy["member_id"]]["signals"]["items"][0]["signal"] == "shared_device"

    own = http.post(
        f"/api/v1/attendance/reviews/{records[proxy['member_id']]['record_id']}/void",
        headers=secretary["headers"],
        json={"reason": "本支部自查"},
    )
    assert own.status_code == 403, own.text

    accepted = http.post(
        f"/api/v1/attendance/reviews/{records[claimer['member_id']]['record_id']}/accept",
        headers={**county_admin["headers"], "Idempotency-Key": uuid.uuid4().hex},
        json={"reason": "会议记录与照片核实到场"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["review"] == "accepted" and accepted.json()["decided_by"] == county_admin["member_id"]
    raised = _sign_in_rate(http, activity, county_admin["headers"], previous=before)
    assert raised > before

    voided = http.post(
        f"/api/v1/attendance/reviews/{records[proxy['member_id']]['record_id']}/void",
        headers=county_admin["headers"],
        json={"reason": "代签：同一手机"},
    )
    assert voided.status_code == 200, voided.text
    lowered = _sign_in_rate(http, activity, county_admin["headers"], previous=raised)
    assert lowered < raised
    sheet = http.get(f"/api/v1/activities/{activity}/attendance", headers=county_admin["headers"]).json()
    statuses = {row["member_id"]: row["status"] for row in sheet["members"]}
    assert statuses[proxy["member_id"]] == "absent" and statuses[claimer["member_id"]] == "no_sign_out"
