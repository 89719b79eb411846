"""From sign-in to the ranking, through the gateway with every service running."""
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1"}
PASSWORD = "score-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}


@pytest.fixture(scope="module")
def city(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    def org(parent, level, name):
        return stack.create_org(parent, level, name, domain="community")

    def member(branch, mobile=False):
        return stack.create_member(branch, PASSWORD, mobile=mobile)

    county = org(root["org_id"], "county", "汉台区委")
    town = org(county, "township", "北关街道")
    first, second = org(town, "branch", "北关社区第一党支部"), org(town, "branch", "北关社区第二党支部")
    people = {"member": member(first), "other": member(first), "mobile": member(first, mobile=True),
              "absent": member(second)}
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    ends = now + timedelta(seconds=25)
    activities = {}
    for branch in (first, second):
        plan = http.post("/api/v1/plans", headers=admin, json={
            "branch_id": branch, "month": month, "theme": "学习党章",
            "starts_at": (now - timedelta(minutes=1)).isoformat(), "ends_at": ends.isoformat(), "venue": VENUE,
            "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0}})
        assert plan.status_code == 201, plan.text
        plan_id = plan.json()["plan_id"]
        assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=admin).status_code == 200
        approved = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin)
        assert approved.status_code == 200, approved.text
        activities[branch] = approved.json()["activity_id"]
    for activity in activities.values():
        wait_for(lambda a=activity: http.get(f"/api/v1/activities/{a}/attendance", headers=admin).status_code == 200,
                 message="attendance opened the sheet")
    return {"county": county, "town": town, "first": first, "second": second, "people": people, "month": month,
            "activities": activities, "ends": ends}


def test_from_sign_in_to_the_ranking(stack, city):
    http, admin, people = stack.http, stack.admin, city["people"]
    activity = city["activities"][city["first"]]
    member = people["member"]["headers"]
    pending = wait_for(lambda: (r := http.get(f"/api/v1/activities/{activity}/score", headers=member)).status_code
                       == 200 and r.json(), message="scoring knows the activity")
    assert pending["status"] == "pending" and pending["total"] is None

    token = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=admin).json()["token"]
    for who in ("member", "other"):
        signed = http.post(f"/api/v1/activities/{activity}/check-in", headers=people[who]["headers"], json={
            "token": token, "lat": VENUE["lat"], "lon": VENUE["lon"], "accuracy_m": 10, "device_id": who,
            "nonce": uuid.uuid4().hex})
        assert signed.status_code == 200, signed.text

    time.sleep(max(0.0, (city["ends"] - datetime.now(timezone.utc)).total_seconds()))
    scored = wait_for(lambda: (s := http.get(f"/api/v1/activities/{activity}/score", headers=member).json())[
        "status"] == "scored" and s, message="the closed activity was scored")
    # sign-in 2/2, no mobile likes, no comments, superior pending; media's detail score (from the plan and
    # summary it knows of) may already be there: (70 + 10 × detail) / 95 × 100
    indicators = scored["indicators"]
    detail = indicators["upload_detail"]
    assert (indicators["sign_in_rate"], indicators["mobile_like_rate"], indicators["comments"]) == (1.0, 0.0, 0.0)
    assert scored["not_applicable"] == ["superior_score"]
    assert scored["total"] == round((70 + 10 * detail) / 95 * 100, 2)

    liked = http.post(f"/api/v1/activities/{activity}/likes", headers=people["mobile"]["headers"])
    assert liked.status_code == 201, liked.text
    assert http.post(f"/api/v1/activities/{activity}/likes",
                     headers=people["mobile"]["headers"]).json()["error"]["code"] == "ALREADY_LIKED"
    commented = http.post(f"/api/v1/activities/{activity}/comments", headers=member, json={"text": "很有收获"})
    assert commented.status_code == 201, commented.text
    outsider = http.post(f"/api/v1/activities/{activity}/likes", headers=people["absent"]["headers"])
    assert outsider.status_code == 403

    refused = http.post(f"/api/v1/activities/{activity}/superior-score", headers=member, json={"score": 100})
    assert refused.status_code == 403
    bad = http.post(f"/api/v1/activities/{activity}/superior-score", headers=admin, json={"score": 101})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_FAILED"
    given = http.post(f"/api/v1/activities/{activity}/superior-score", headers=admin, json={"score": 80})
    assert given.status_code == 200, given.text
    # 70 + 10×1 (the one mobile member liked) + 10×detail + 5×(1/3 commented) + 5×0.8
    expected = round(70 + 10 + 10 * given.json()["indicators"]["upload_detail"] + 5 / 3 + 4, 2)
    assert given.json()["indicators"]["mobile_like_rate"] == 1.0 and given.json()["total"] == expected

    other = city["activities"][city["second"]]
    wait_for(lambda: http.get(f"/api/v1/activities/{other}/score", headers=admin).json()["status"] == "scored",
             message="the second branch was scored")
    ranking = http.get("/api/v1/rankings", headers=admin, params={"org_id": city["town"], "period": city["month"]})
    assert ranking.status_code == 200, ranking.text
    assert [(item["org_id"], item["rank"]) for item in ranking.json()["items"]] == [(city["first"], 1),
                                                                                    (city["second"], 2)]
    assert ranking.json()["items"][0]["score"] == expected
    chart = http.get("/api/v1/rankings/chart", headers=admin,
                     params={"org_id": city["county"], "period": city["month"], "format": "png"})
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    svg = http.get("/api/v1/rankings/chart", headers=admin,
                   params={"org_id": city["county"], "period": city["month"][:4], "format": "svg"})
    assert "北关社区第一党支部" in svg.text
    assert http.get("/api/v1/rankings", headers=member,
                    params={"org_id": city["town"], "period": city["month"]}).status_code == 403

    progress = http.get("/api/v1/dashboards/progress", headers=admin,
                        params={"org_id": city["county"], "month": city["month"]}).json()
    assert {key: progress[key] for key in ("branches", "planned", "approved", "held", "scored")} == \
        {"branches": 2, "planned": 2, "approved": 2, "held": 2, "scored": 2}
    assert progress["children"][0]["org_id"] == city["town"] and progress["children"][0]["rates"]["scored"] == 1.0


def test_a_campaign_counts_votes_once_and_keeps_the_ballot_secret(stack, city):
    http, admin, people = stack.http, stack.admin, city["people"]
    opened = http.post("/api/v1/campaigns", headers=admin, json={"org_id": city["town"], "month": city["month"],
                                                                 "title": "我为主题党日打Call", "votes_per_voter": 2})
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    first, second = city["activities"][city["first"]], city["activities"][city["second"]]
    voter = people["absent"]["headers"]
    assert http.post(f"/api/v1/campaigns/{campaign}/votes", headers=voter, json={"activity_id": first}).status_code \
        == 201
    again = http.post(f"/api/v1/campaigns/{campaign}/votes", headers=voter, json={"activity_id": first})
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_VOTED"
    assert http.post(f"/api/v1/campaigns/{campaign}/votes", headers=people["member"]["headers"],
                     json={"activity_id": first}).status_code == 201
    results = http.get(f"/api/v1/campaigns/{campaign}/results", headers=voter).json()
    assert results["total_votes"] == 2
    assert [(item["activity_id"], item["votes"]) for item in results["items"]] == [(first, 2), (second, 0)]
    assert all(set(item) == {"activity_id", "branch_id", "name", "theme", "votes"} for item in results["items"])
    shown = http.get(f"/api/v1/campaigns/{campaign}/candidates", headers=voter)
    assert shown.status_code == 200, shown.text
    assert [(item["activity_id"], item["photos"]) for item in shown.json()["items"]] == [(first, []), (second, [])]
