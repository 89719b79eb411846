"""三会一课 through the gateway with every service running: a branch committee planned and published without
approval, signed in by QR inside the geofence, its minutes recorded, counted in the archive and on the dashboard;
the branches that missed a cadence; a members' meeting's decisions by the double majority."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_PLANS_TIMER_INTERVAL_S": "1",
}
PASSWORD = "meetings-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


@pytest.fixture(scope="module")
def town(stack):
    """A town with two branches; the first's secretary and a member, the town's admin."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "会议县")
    town = stack.create_org(county, "township", "会议镇")
    branch, sister = stack.create_org(town, "branch", "甲支部"), stack.create_org(town, "branch", "乙支部")
    secretary = stack.create_member(branch, PASSWORD, name="书记")
    members = [stack.create_member(branch, PASSWORD, name=f"党员{n}") for n in range(3)]
    stack.grant(secretary, "branch_admin", branch)
    local = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai"))
    return {
        "county": county,
        "town": town,
        "branch": branch,
        "sister": sister,
        "secretary": secretary,
        "members": members,
        "month": local.strftime("%Y-%m"),
    }


def plan_meeting(stack, town, kind, theme, ends_in_s=20):
    now = datetime.now(timezone.utc)
    ends_at = now + timedelta(seconds=ends_in_s)
    drafted = stack.http.post(
        "/api/v1/plans",
        headers=town["secretary"]["headers"],
        json={
            "branch_id": town["branch"],
            "month": town["month"],
            "kind": kind,
            "theme": theme,
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": ends_at.isoformat(),
            "venue": VENUE,
            "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
        },
    )
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["kind"] == kind
    submitted = stack.http.post(
        f"/api/v1/plans/{drafted.json()['plan_id']}/submit", headers=town["secretary"]["headers"]
    )
    assert submitted.status_code == 200, submitted.text
    return submitted.json(), ends_at


def sign_in(stack, activity_id, secretary, member):
    code = stack.http.get(f"/api/v1/activities/{activity_id}/qr", params={"format": "json"}, headers=secretary).json()
    signed = stack.http.post(
        f"/api/v1/activities/{activity_id}/check-in",
        headers=member["headers"],
        json={
            "token": code["token"],
            "lat": VENUE["lat"],
            "lon": VENUE["lon"],
            "accuracy_m": 10,
            "device_id": f"phone-{member['member_id']}",
            "nonce": uuid.uuid4().hex,
        },
    )
    assert signed.status_code == 200, signed.text


def test_a_committee_meeting_is_published_signed_in_recorded_archived_and_counted(stack, town):
    http, secretary = stack.http, town["secretary"]["headers"]
    published, ends_at = plan_meeting(stack, town, "branch_committee", "支委会：研究发展党员")
    assert published["status"] == "published" and published["activity_id"], "no approval needed by default"
    activity_id = published["activity_id"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/attendance", headers=secretary).status_code == 200)
    sign_in(stack, activity_id, secretary, town["members"][0])
    time.sleep(max(0.0, (ends_at - datetime.now(timezone.utc)).total_seconds()) + 0.5)
    minutes = http.post(
        f"/api/v1/activities/{activity_id}/summary", headers=secretary, json={"text": "会议研究了发展党员工作。"}
    )
    assert minutes.status_code == 200, minutes.text

    def archived():
        page = http.get(f"/api/v1/orgs/{town['town']}/archive", params={"month": town["month"]}, headers=stack.admin)
        counts = {item["name"]: item["meetings"] for item in page.json()["items"]}
        return counts["甲支部"]["branch_committee"] == 1 and counts

    counts = wait_for(archived, message="the archive counts the committee meeting")
    assert counts["乙支部"]["branch_committee"] == 0

    def counted():
        progress = http.get(
            "/api/v1/dashboards/progress", params={"org_id": town["town"], "month": town["month"]}, headers=stack.admin
        ).json()
        return progress["meetings"]["branch_committee"]["held"] == 1 and progress

    progress = wait_for(counted, message="the dashboard counts the committee meeting")
    assert progress["planned"] == 0, "a meeting is not the theme day's plan"
    listed = http.get(
        "/api/v1/plans",
        params={"org_id": town["town"], "month": town["month"], "kind": "branch_committee"},
        headers=stack.admin,
    ).json()
    assert [plan["plan_id"] for plan in listed["items"]] == [published["plan_id"]]
    assert http.get(f"/api/v1/activities/{activity_id}/score", headers=stack.admin).status_code == 404, (
        "a meeting is never scored"
    )


def test_branches_that_missed_a_cadence_are_listed_and_the_settings_say_which(stack, town):
    http = stack.http
    last_month = previous_month(town["month"])
    overdue = http.get(
        f"/api/v1/orgs/{town['town']}/meetings/overdue",
        params={"month": last_month, "kind": "branch_committee"},
        headers=stack.admin,
    )
    assert overdue.status_code == 200, overdue.text
    assert [(item["name"], item["period"]) for item in overdue.json()["items"]] == [
        ("乙支部", last_month),
        ("甲支部", last_month),
    ]
    this_month = http.get(
        f"/api/v1/orgs/{town['town']}/meetings/overdue", params={"month": town["month"]}, headers=stack.admin
    ).json()
    assert this_month["items"] == [], "the current month has not ended"
    refused = http.get(
        f"/api/v1/orgs/{town['town']}/meetings/overdue",
        params={"month": last_month},
        headers=town["secretary"]["headers"],
    )
    assert refused.status_code == 403

    settings = http.put(
        f"/api/v1/orgs/{town['county']}/meeting-settings",
        headers={**stack.admin, "Idempotency-Key": uuid.uuid4().hex},
        json={"kinds": {"branch_committee": {"requires_approval": False, "cadence": "quarterly"}}},
    )
    assert settings.status_code == 200, settings.text
    followed = http.get(f"/api/v1/orgs/{town['branch']}/meeting-settings", headers=town["secretary"]["headers"])
    assert followed.json()["kinds"]["branch_committee"] == {
        "requires_approval": False,
        "cadence": "quarterly",
        "own": False,
        "from_org_id": town["county"],
    }
    not_allowed = http.put(
        f"/api/v1/orgs/{town['branch']}/meeting-settings",
        headers=town["secretary"]["headers"],
        json={"kinds": {"members_meeting": {"requires_approval": False, "cadence": "monthly"}}},
    )
    assert not_allowed.status_code == 403
    bad = http.put(
        f"/api/v1/orgs/{town['county']}/meeting-settings",
        headers=stack.admin,
        json={"kinds": {"members_meeting": {"requires_approval": False, "cadence": "weekly"}}},
    )
    assert bad.status_code in (400, 422), bad.text


def test_a_members_meetings_decisions_pass_by_the_double_majority(stack, town):
    http, secretary = stack.http, town["secretary"]["headers"]
    published, _ = plan_meeting(stack, town, "members_meeting", "党员大会：接收预备党员", ends_in_s=600)
    activity_id = published["activity_id"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/attendance", headers=secretary).status_code == 200)
    for member in (town["secretary"], *town["members"][:2]):
        sign_in(stack, activity_id, secretary, member)

    def record(in_favour, against=0, abstaining=0):
        return http.post(
            f"/api/v1/activities/{activity_id}/decisions",
            headers=secretary,
            json={"title": "接收预备党员", "in_favour": in_favour, "against": against, "abstaining": abstaining},
        )

    passed = record(2, against=1)
    assert passed.status_code == 201, passed.text
    assert {key: passed.json()[key] for key in ("expected", "present", "passed")} == {
        "expected": 4,
        "present": 3,
        "passed": True,
    }
    assert record(1, against=1, abstaining=1).json()["passed"] is False
    too_many = record(3, against=1)
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "VOTES_EXCEED_PRESENT", too_many.text
    listed = http.get(f"/api/v1/activities/{activity_id}/decisions", headers=town["members"][2]["headers"])
    assert listed.status_code == 200, listed.text
    assert [d["passed"] for d in listed.json()["items"]] == [True, False]
    assert record(1).status_code == 201
    member_refused = http.post(
        f"/api/v1/activities/{activity_id}/decisions",
        headers=town["members"][0]["headers"],
        json={"title": "x", "in_favour": 0, "against": 0, "abstaining": 0},
    )
    assert member_refused.status_code == 403
