"""From sign-in to the ranking, through the gateway with every service running."""

import io
import os
import signal
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pdfplumber
import pytest
from openpyxl import load_workbook

from partyday_dev import devstack
from tests.e2e.conftest import free_port
from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_VOTES_PER_ACCOUNT_PER_MINUTE": "3",
}
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
    people = {
        "member": member(first),
        "other": member(first),
        "mobile": member(first, mobile=True),
        "absent": member(second),
    }
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    ends = now + timedelta(seconds=40)
    activities = {}
    for branch in (first, second):
        plan = http.post(
            "/api/v1/plans",
            headers=admin,
            json={
                "branch_id": branch,
                "month": month,
                "theme": "学习党章",
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": ends.isoformat(),
                "venue": VENUE,
                "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
            },
        )
        assert plan.status_code == 201, plan.text
        plan_id = plan.json()["plan_id"]
        assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=admin).status_code == 200
        approved = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin)
        assert approved.status_code == 200, approved.text
        activities[branch] = approved.json()["activity_id"]
    for activity in activities.values():
        wait_for(
            lambda a=activity: http.get(f"/api/v1/activities/{a}/attendance", headers=admin).status_code == 200,
            message="attendance opened the sheet",
        )
    return {
        "county": county,
        "town": town,
        "first": first,
        "second": second,
        "people": people,
        "month": month,
        "activities": activities,
        "ends": ends,
    }


def test_from_sign_in_to_the_ranking(stack, city):
    http, admin, people = stack.http, stack.admin, city["people"]
    activity = city["activities"][city["first"]]
    member = people["member"]["headers"]
    pending = wait_for(
        lambda: (r := http.get(f"/api/v1/activities/{activity}/score", headers=member)).status_code == 200 and r.json(),
        message="scoring knows the activity",
    )
    assert pending["status"] == "pending" and pending["total"] is None

    token = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=admin).json()["token"]
    for who in ("member", "other"):
        signed = http.post(
            f"/api/v1/activities/{activity}/check-in",
            headers=people[who]["headers"],
            json={
                "token": token,
                "lat": VENUE["lat"],
                "lon": VENUE["lon"],
                "accuracy_m": 10,
                "device_id": who,
                "nonce": uuid.uuid4().hex,
            },
        )
        assert signed.status_code == 200, signed.text

    time.sleep(max(0.0, (city["ends"] - datetime.now(timezone.utc)).total_seconds()))
    scored = wait_for(
        lambda: (
            (s := http.get(f"/api/v1/activities/{activity}/score", headers=member).json())["status"] == "scored" and s
        ),
        message="the closed activity was scored",
    )
    # sign-in 2/2, no mobile likes, no comments, superior pending; media's detail score (from the plan and
    # summary it knows of) may already be there: (70 + 10 × detail) / 95 × 100
    indicators = scored["indicators"]
    detail = indicators["upload_detail"]
    assert (indicators["sign_in_rate"], indicators["mobile_like_rate"], indicators["comments"]) == (1.0, 0.0, 0.0)
    assert scored["not_applicable"] == ["superior_score"]
    assert scored["total"] == round((70 + 10 * detail) / 95 * 100, 2)

    liked = http.post(f"/api/v1/activities/{activity}/likes", headers=people["mobile"]["headers"])
    assert liked.status_code == 201, liked.text
    assert (
        http.post(f"/api/v1/activities/{activity}/likes", headers=people["mobile"]["headers"]).json()["error"]["code"]
        == "ALREADY_LIKED"
    )
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
    wait_for(
        lambda: http.get(f"/api/v1/activities/{other}/score", headers=admin).json()["status"] == "scored",
        message="the second branch was scored",
    )
    ranking = http.get("/api/v1/rankings", headers=admin, params={"org_id": city["town"], "period": city["month"]})
    assert ranking.status_code == 200, ranking.text
    assert [(item["org_id"], item["rank"]) for item in ranking.json()["items"]] == [
        (city["first"], 1),
        (city["second"], 2),
    ]
    assert ranking.json()["items"][0]["score"] == expected
    chart = http.get(
        "/api/v1/rankings/chart",
        headers=admin,
        params={"org_id": city["county"], "period": city["month"], "format": "png"},
    )
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    svg = http.get(
        "/api/v1/rankings/chart",
        headers=admin,
        params={"org_id": city["county"], "period": city["month"][:4], "format": "svg"},
    )
    assert "北关社区第一党支部" in svg.text
    assert (
        http.get(
            "/api/v1/rankings", headers=member, params={"org_id": city["town"], "period": city["month"]}
        ).status_code
        == 403
    )

    progress = http.get(
        "/api/v1/dashboards/progress", headers=admin, params={"org_id": city["county"], "month": city["month"]}
    ).json()
    assert {key: progress[key] for key in ("branches", "planned", "approved", "held", "scored")} == {
        "branches": 2,
        "planned": 2,
        "approved": 2,
        "held": 2,
        "scored": 2,
    }
    assert progress["children"][0]["org_id"] == city["town"] and progress["children"][0]["rates"]["scored"] == 1.0


def test_a_like_sent_again_with_its_idempotency_key_gets_the_first_answer(stack, city):
    http = stack.http
    activity = city["activities"][city["first"]]
    liker = stack.create_member(city["first"], PASSWORD)["headers"]
    wait_for(
        lambda: http.get(f"/api/v1/activities/{activity}/score", headers=liker).status_code == 200,
        message="scoring knows the activity",
    )
    before = http.get(f"/api/v1/activities/{activity}/likes", headers=liker)
    assert before.status_code == 200 and before.json()["liked"] is False, before.text
    keyed = {**liker, "Idempotency-Key": uuid.uuid4().hex}
    liked = http.post(f"/api/v1/activities/{activity}/likes", headers=keyed)
    assert liked.status_code == 201, liked.text
    assert http.get(f"/api/v1/activities/{activity}/likes", headers=liker).json() == {
        "activity_id": activity,
        "liked": True,
        "likes": before.json()["likes"] + 1,
    }
    stranger = stack.create_member(city["second"], PASSWORD)["headers"]
    assert http.get(f"/api/v1/activities/{activity}/likes", headers=stranger).status_code == 403
    again = http.post(f"/api/v1/activities/{activity}/likes", headers=keyed)
    assert again.status_code == 201 and again.json() == liked.json(), "the first answer, not ALREADY_LIKED"
    unkeyed = http.post(f"/api/v1/activities/{activity}/likes", headers=liker)
    assert unkeyed.status_code == 409 and unkeyed.json()["error"]["code"] == "ALREADY_LIKED"


def test_a_campaign_counts_votes_once_and_keeps_the_ballot_secret(stack, city):
    http, admin, people = stack.http, stack.admin, city["people"]
    opened = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={"org_id": city["town"], "month": city["month"], "title": "我为主题党日打Call", "votes_per_voter": 2},
    )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    first, second = city["activities"][city["first"]], city["activities"][city["second"]]
    voter = people["absent"]["headers"]
    ballot = http.get(f"/api/v1/campaigns/{campaign}/my-ballot", headers=voter)
    assert ballot.status_code == 200, ballot.text
    assert (ballot.json()["votes_left"], ballot.json()["voted"], ballot.json()["voting"]) == (2, [], "open")
    assert (
        http.post(f"/api/v1/campaigns/{campaign}/votes", headers=voter, json={"activity_id": first}).status_code == 201
    )
    ballot = http.get(f"/api/v1/campaigns/{campaign}/my-ballot", headers=voter).json()
    assert (ballot["votes_used"], ballot["votes_left"], ballot["voted"]) == (1, 1, [first])
    others = http.get(f"/api/v1/campaigns/{campaign}/my-ballot", headers=people["member"]["headers"]).json()
    assert (others["votes_used"], others["voted"]) == (0, []), "a voter sees only their own ballot"
    again = http.post(f"/api/v1/campaigns/{campaign}/votes", headers=voter, json={"activity_id": first})
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_VOTED"
    assert (
        http.post(
            f"/api/v1/campaigns/{campaign}/votes", headers=people["member"]["headers"], json={"activity_id": first}
        ).status_code
        == 201
    )
    results = http.get(f"/api/v1/campaigns/{campaign}/results", headers=voter).json()
    assert results["total_votes"] == 2
    assert [(item["activity_id"], item["votes"]) for item in results["items"]] == [(first, 2), (second, 0)]
    assert all(set(item) == {"activity_id", "branch_id", "name", "theme", "votes"} for item in results["items"])
    shown = http.get(f"/api/v1/campaigns/{campaign}/candidates", headers=voter)
    assert shown.status_code == 200, shown.text
    assert [(item["activity_id"], item["photos"]) for item in shown.json()["items"]] == [(first, []), (second, [])]


def test_the_reports_open_with_their_written_summary(stack, city):
    http, admin = stack.http, stack.admin
    _both_scored(stack, city)
    month = city["month"]
    label = f"{month[:4]}年{int(month[5:])}月"
    params = {"org_id": city["town"], "period": month}
    preview = http.get("/api/v1/reports/inspection", headers=admin, params={**params, "format": "json"})
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert found["heading"] == f"关于{label}主题党日督查情况的报告"
    overview, scores, comparison = found["summary_text"]
    assert overview.startswith(
        f"{label}，北关街道共有2个党支部，已报送方案2个，审批通过2个，已开展主题党日2个，开展率100.0%"
    )
    assert scores.startswith("本月2个支部有得分") and "北关社区第一党支部" in scores
    assert comparison == "上月没有可比的数据，暂不作比较。"
    assert [item["name"] for item in found["ranking"]][0] == "北关社区第一党支部"

    document = http.get("/api/v1/reports/inspection", headers=admin, params={**params, "format": "pdf"})
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(document.content)) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
        assert sum(len(page.images) for page in pdf.pages) == 1, "the ranking chart is drawn in"
    for paragraph in (found["heading"], *found["summary_text"]):
        assert paragraph in text, paragraph

    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    bulletin = http.get(
        "/api/v1/reports/bulletin", headers=admin, params={"org_id": city["town"], "period": quarter, "format": "xlsx"}
    )
    assert bulletin.status_code == 200, bulletin.text
    sheet = load_workbook(io.BytesIO(bulletin.content))["概况"]
    assert "北关街道共有2个党支部" in sheet["A2"].value and "上季度" in sheet["A4"].value
    member = city["people"]["member"]["headers"]
    assert http.get("/api/v1/reports/bulletin", headers=member, params={**params, "period": quarter}).status_code == 403


def _both_scored(stack, city):
    for activity in city["activities"].values():
        wait_for(
            lambda a=activity: (
                stack.http.get(f"/api/v1/activities/{a}/score", headers=stack.admin).json()["status"] == "scored"
            ),
            message="the activity was scored",
        )


def _another_gateway(stack) -> tuple:
    """A second gateway process on the same services (with its own metrics port), and its client."""
    port = free_port()
    environment = {**stack.environment, "PARTYDAY_GATEWAY_METRICS_PORT": str(free_port())}
    process = devstack.spawn("gateway-2", devstack.gateway_command("127.0.0.1", port), environment, stack.log_dir)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15)

    def answers():
        try:
            return client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    wait_for(answers, message="the second gateway started")
    return process, client


def _stop(process) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_vote_rate_limits_are_shared_by_gateways_and_outlive_a_restart(stack, city):
    _both_scored(stack, city)
    http, admin = stack.http, stack.admin
    opened = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={"org_id": city["county"], "month": city["month"], "title": "全区打Call", "votes_per_voter": 1},
    )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    first, second = city["activities"][city["first"]], city["activities"][city["second"]]
    voter = stack.create_member(city["second"], PASSWORD)["headers"]
    process, other = _another_gateway(stack)
    try:
        if datetime.now().second > 30:
            time.sleep(61 - datetime.now().second)  # the attempts below share one minute's window
        votes = f"/api/v1/campaigns/{campaign}/votes"
        assert http.post(votes, headers=voter, json={"activity_id": first}).status_code == 201
        assert other.post(votes, headers=voter, json={"activity_id": first}).json()["error"]["code"] == "ALREADY_VOTED"
        assert (
            http.post(votes, headers=voter, json={"activity_id": second}).json()["error"]["code"]
            == "VOTE_LIMIT_REACHED"
        )
        limited = other.post(votes, headers=voter, json={"activity_id": second})
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "VOTE_RATE_LIMITED", limited.text
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        _stop(process)
        process, other = _another_gateway(stack)
        again = other.post(votes, headers=voter, json={"activity_id": second})
        assert again.status_code == 429, "a restarted gateway still knows the account's attempts"
        assert http.post(votes, headers=voter, json={"activity_id": second}).status_code == 429
    finally:
        other.close()
        _stop(process)


def test_votes_outside_a_campaigns_voting_window_are_refused(stack, city):
    http, admin = stack.http, stack.admin
    now = datetime.now(timezone.utc)
    later = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={
            "org_id": city["first"],
            "month": city["month"],
            "title": "稍后打Call",
            "votes_per_voter": 1,
            "opens_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    assert later.status_code == 201, later.text
    assert datetime.fromisoformat(later.json()["opens_at"]) == now + timedelta(hours=1)
    closed = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={
            "org_id": city["second"],
            "month": city["month"],
            "title": "已结束",
            "votes_per_voter": 1,
            "opens_at": (now - timedelta(hours=2)).isoformat(),
            "closes_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    assert closed.status_code == 201, closed.text
    voter = stack.create_member(city["first"], PASSWORD)["headers"]
    for found, activity, refusal in (
        (later.json(), city["activities"][city["first"]], "VOTING_NOT_OPEN"),
        (closed.json(), city["activities"][city["second"]], "VOTING_CLOSED"),
    ):
        shown = http.get(f"/api/v1/campaigns/{found['campaign_id']}", headers=voter).json()
        assert (shown["opens_at"], shown["closes_at"]) == (found["opens_at"], found["closes_at"])
        refused = http.post(
            f"/api/v1/campaigns/{found['campaign_id']}/votes", headers=voter, json={"activity_id": activity}
        )
        assert refused.status_code == 422 and refused.json()["error"]["code"] == refusal, refused.text
    inverted = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={
            "org_id": city["county"],
            "month": "2020-01",
            "title": "x",
            "votes_per_voter": 1,
            "closes_at": "2019-12-01T00:00:00+08:00",
        },
    )
    assert inverted.status_code == 422 and inverted.json()["error"]["code"] == "VOTING_WINDOW_INVALID"


def test_the_working_group_reviews_first_the_committee_second_and_judging_ends_with_the_first(stack, city):
    _both_scored(stack, city)
    http, admin = stack.http, stack.admin
    first, second = city["activities"][city["first"]], city["activities"][city["second"]]
    bodies = {}
    for role, org in (("working_group", city["county"]), ("committee", city["town"])):
        sitting = stack.create_member(city["second"], PASSWORD)
        granted = http.post(
            "/api/v1/role-grants", headers=admin, json={"member_id": sitting["member_id"], "role": role, "org_id": org}
        )
        assert granted.status_code == 201, granted.text
        bodies[role] = sitting["headers"]
    opened = http.post(
        "/api/v1/evaluations",
        headers=admin,
        json={
            "org_id": city["town"],
            "kind": "monthly",
            "period": city["month"],
            "best_slots": 1,
            "excellent_slots": 1,
            # about the bodies' steps: every activity eligible (neither has its summary on file)
            "eligibility": {"min_sign_in_rate": 0, "summary_required": False},
        },
    )
    assert opened.status_code == 201, opened.text
    base = f"/api/v1/evaluations/{opened.json()['evaluation_id']}"
    marks = {"theme": 18, "content": 17, "form": 16, "organisation": 19, "effect": 15}
    assert http.post(f"{base}/judgements", headers=admin, json={"activity_id": first, **marks}).status_code == 200
    assert (
        http.post(
            f"{base}/judgements", headers=bodies["working_group"], json={"activity_id": first, **marks}
        ).status_code
        == 403
    ), "judges are the admins"

    def refused(response, status, code):
        assert response.status_code == status and response.json()["error"]["code"] == code, response.text

    shortlist = {"shortlist": [first, second]}
    refused(http.post(f"{base}/first-review", headers=admin, json=shortlist), 403, "WORKING_GROUP_ONLY")
    refused(http.post(f"{base}/first-review", headers=bodies["committee"], json=shortlist), 403, "WORKING_GROUP_ONLY")
    assert http.get(base, headers=bodies["working_group"]).json()["candidates"][0]["judged"]["judges"] == 1
    # Judging, the first review and the second review are three different people (issue 18).
    judge = stack.create_member(city["second"], PASSWORD)
    for role in ("org_admin", "working_group"):
        stack.grant(judge, role, city["county"])
    judge_headers = stack.login(judge["phone"], PASSWORD)
    assert (
        http.post(f"{base}/judgements", headers=judge_headers, json={"activity_id": first, **marks}).status_code == 200
    )
    refused(http.post(f"{base}/first-review", headers=judge_headers, json=shortlist), 403, "REVIEWER_JUDGED")
    reviewed = http.post(f"{base}/first-review", headers=bodies["working_group"], json=shortlist)
    assert reviewed.status_code == 200 and reviewed.json()["stage"] == "second_review", reviewed.text
    refused(
        http.post(f"{base}/judgements", headers=admin, json={"activity_id": first, **marks, "theme": 20}),
        409,
        "EVALUATION_STAGE",
    )
    refused(
        http.post(f"{base}/judgements", headers=admin, json={"activity_id": second, **marks}), 409, "EVALUATION_STAGE"
    )
    winners = {"best": [first], "excellent": [second]}
    refused(http.post(f"{base}/second-review", headers=admin, json=winners), 403, "COMMITTEE_ONLY")
    refused(http.post(f"{base}/second-review", headers=bodies["working_group"], json=winners), 403, "COMMITTEE_ONLY")
    assert http.post(f"{base}/second-review", headers=bodies["committee"], json=winners).status_code == 200
    refused(http.post(f"{base}/publish", headers=admin), 403, "COMMITTEE_ONLY")
    assert http.post(f"{base}/publish", headers=bodies["committee"]).json()["stage"] == "published"
    published = http.get(f"{base}/winners", headers=city["people"]["member"]["headers"]).json()["winners"]
    assert [(w["award"], w["activity_id"]) for w in published] == [("best", first), ("excellent", second)]
    assert http.get(base, headers=bodies["committee"]).json()["candidates"][0]["judged"]["criteria"]["theme"] == 18


def test_golden_ideas_admit_eligible_activities_and_ideas_the_branches_propose(stack, city):
    _both_scored(stack, city)
    http, admin = stack.http, stack.admin
    first = city["activities"][city["first"]]
    year, month = city["month"].split("-")
    bodies = {}
    for role in ("working_group", "committee"):
        sitting = stack.create_member(city["second"], PASSWORD)
        stack.grant(sitting, role, city["county"])
        bodies[role] = stack.login(sitting["phone"], PASSWORD)
    secretary = stack.create_member(city["first"], PASSWORD)
    stack.grant(secretary, "branch_admin", city["first"])
    secretary_headers = stack.login(secretary["phone"], PASSWORD)
    opened = http.post(
        "/api/v1/evaluations",
        headers=admin,
        json={"org_id": city["county"], "kind": "golden_ideas", "period": f"{year}-Q{(int(month) - 1) // 3 + 1}"},
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["eligibility"] == {"min_sign_in_rate": 0.8, "summary_required": True}
    base = f"/api/v1/evaluations/{opened.json()['evaluation_id']}"
    taking_part = http.get("/api/v1/evaluations", headers=secretary_headers, params={"org_id": city["first"]}).json()
    assert opened.json()["evaluation_id"] in [e["evaluation_id"] for e in taking_part["items"]]

    def refused(response, status, code):
        assert response.status_code == status and response.json()["error"]["code"] == code, response.text
        return response.json()["error"]

    # Neither party day has its summary on file: neither may be shortlisted, and the refusal says why.
    error = refused(
        http.post(f"{base}/first-review", headers=bodies["working_group"], json={"shortlist": [first]}),
        422,
        "NOT_ELIGIBLE",
    )
    [refusal] = error["details"]["activities"]
    # (numbers in a refusal's details arrive as text: nameko serialises an exception's arguments so)
    assert refusal["activity_id"] == first and "summary" in [failed["condition"] for failed in refusal["failed"]]
    candidate = next(c for c in http.get(base, headers=admin).json()["candidates"] if c["activity_id"] == first)
    assert {"condition": "summary", "required": True, "actual": False} in candidate["ineligible_because"]
    assert [failed["condition"] for failed in candidate["ineligible_because"]] == [
        failed["condition"] for failed in refusal["failed"]
    ]

    # The first branch's secretary proposes an idea; its members, superiors and other branches do not.
    idea = {"branch_id": city["first"], "title": "党员积分超市", "text": "以志愿服务积分兑换生活用品", "media_ids": []}
    refused(http.post(f"{base}/ideas", headers=city["people"]["member"]["headers"], json=idea), 403, "FORBIDDEN")
    refused(http.post(f"{base}/ideas", headers=admin, json=idea), 403, "FORBIDDEN")
    refused(
        http.post(f"{base}/ideas", headers=secretary_headers, json={**idea, "branch_id": city["second"]}),
        403,
        "FORBIDDEN",
    )
    unknown = http.post(f"{base}/ideas", headers=secretary_headers, json={**idea, "media_ids": ["no-such-upload"]})
    assert unknown.status_code == 404, unknown.text
    proposed = http.post(f"{base}/ideas", headers=secretary_headers, json=idea)
    assert proposed.status_code == 201, proposed.text
    idea_id = proposed.json()["idea_id"]
    assert proposed.json()["proposed_by"] == secretary["member_id"]
    shown = next(c for c in http.get(base, headers=admin).json()["candidates"] if c["candidate_id"] == idea_id)
    assert (shown["kind"], shown["branch_id"], shown["theme"], shown["idea"]["text"]) == (
        "idea",
        city["first"],
        "党员积分超市",
        "以志愿服务积分兑换生活用品",
    )
    marks = {"theme": 18, "content": 17, "form": 16, "organisation": 19, "effect": 15}
    judged = http.post(f"{base}/judgements", headers=admin, json={"activity_id": idea_id, **marks})
    assert judged.status_code == 200, judged.text
    reviewed = http.post(f"{base}/first-review", headers=bodies["working_group"], json={"shortlist": [idea_id]})
    assert reviewed.status_code == 200, reviewed.text
    refused(http.post(f"{base}/ideas", headers=secretary_headers, json=idea), 409, "EVALUATION_STAGE")
    assert http.post(f"{base}/second-review", headers=bodies["committee"], json={"best": [idea_id]}).status_code == 200
    assert http.post(f"{base}/publish", headers=bodies["committee"]).json()["stage"] == "published"
    [winner] = http.get(f"{base}/winners", headers=city["people"]["member"]["headers"]).json()["winners"]
    assert (winner["candidate_id"], winner["kind"], winner["idea"]["title"]) == (idea_id, "idea", "党员积分超市")


def test_a_moved_branch_ranks_within_its_new_parent(stack, city):
    _both_scored(stack, city)
    http, admin = stack.http, stack.admin
    town2 = stack.create_org(city["county"], "township", "新建街道", domain="community")
    moved = http.patch(f"/api/v1/orgs/{city['second']}", headers=admin, json={"parent_id": town2})
    assert moved.status_code == 200, moved.text

    def ranked(org_id):
        return [
            item["org_id"]
            for item in http.get("/api/v1/rankings", headers=admin, params={"org_id": org_id, "period": city["month"]})
            .json()
            .get("items", [])
        ]

    wait_for(lambda: ranked(town2) == [city["second"]], message="the moved branch ranks within its new parent")
    assert ranked(city["town"]) == [city["first"]]
    children = http.get(
        "/api/v1/rankings",
        headers=admin,
        params={"org_id": city["county"], "period": city["month"], "group": "children"},
    ).json()["items"]
    assert {item["org_id"] for item in children} == {city["town"], town2}


def test_a_created_campaign_is_found_again_in_the_list_of_its_nodes_readers(stack, city):
    http, admin = stack.http, stack.admin
    opened = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={"org_id": city["county"], "month": "2026-01", "title": "区委一月打Call", "votes_per_voter": 2},
    )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    township_admin = stack.create_member(city["second"], PASSWORD)
    stack.grant(township_admin, "org_admin", city["town"])
    reader = stack.login(township_admin["phone"], PASSWORD)
    listed = http.get("/api/v1/campaigns", params={"org_id": city["town"], "month": "2026-01"}, headers=reader)
    assert listed.status_code == 200, listed.text
    assert [(item["campaign_id"], item["org_id"], item["title"]) for item in listed.json()["items"]] == [
        (campaign, city["county"], "区委一月打Call")
    ]
    paged = http.get("/api/v1/campaigns", params={"org_id": city["county"], "page_size": 1}, headers=admin).json()
    assert paged["page_size"] == 1 and len(paged["items"]) == 1 and paged["total"] >= 1
    member_only = http.get(
        "/api/v1/campaigns", params={"org_id": city["county"]}, headers=city["people"]["member"]["headers"]
    )
    assert member_only.status_code == 403 and member_only.json()["error"]["code"] == "FORBIDDEN"
    malformed = http.get("/api/v1/campaigns", params={"org_id": city["town"], "month": "2026-13"}, headers=admin)
    assert 400 <= malformed.status_code < 500 and malformed.json()["error"]["code"], malformed.text


def test_a_township_admin_changes_a_campaigns_window_and_closes_its_voting_early(stack, city):
    http, admin = stack.http, stack.admin
    now = datetime.now(timezone.utc)
    opened = http.post(
        "/api/v1/campaigns",
        headers=admin,
        json={
            "org_id": city["town"],
            "month": "2025-06",
            "title": "街道打Call",
            "votes_per_voter": 1,
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert opened.status_code == 201, opened.text
    campaign = f"/api/v1/campaigns/{opened.json()['campaign_id']}"
    township_admin = stack.create_member(city["second"], PASSWORD)
    stack.grant(township_admin, "org_admin", city["town"])
    runner = stack.login(township_admin["phone"], PASSWORD)
    member = city["people"]["member"]["headers"]
    later = (now + timedelta(days=2)).isoformat()

    refused = http.patch(campaign, headers=member, json={"closes_at": later})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert http.post(f"{campaign}/close", headers=member).status_code == 403
    moved = http.patch(campaign, headers=runner, json={"title": "街道六月打Call", "closes_at": later})
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == "街道六月打Call"
    assert datetime.fromisoformat(moved.json()["closes_at"]) == datetime.fromisoformat(later)
    start = http.patch(campaign, headers=runner, json={"opens_at": later})
    assert start.status_code == 422 and start.json()["error"]["code"] == "VOTING_ALREADY_OPEN", start.text

    closed = http.post(f"{campaign}/close", headers={**runner, "Idempotency-Key": "close-town-2025-06"})
    assert closed.status_code == 200, closed.text
    assert datetime.fromisoformat(closed.json()["closes_at"]) <= datetime.now(timezone.utc)
    again = http.post(f"{campaign}/close", headers={**runner, "Idempotency-Key": "close-town-2025-06"})
    assert again.json() == closed.json(), "the same key gets the first answer"
    vote = http.post(f"{campaign}/votes", headers=member, json={"activity_id": city["activities"][city["first"]]})
    assert vote.status_code == 422 and vote.json()["error"]["code"] == "VOTING_CLOSED"
    reopened = http.patch(campaign, headers=runner, json={"closes_at": later})
    assert reopened.status_code == 409 and reopened.json()["error"]["code"] == "CAMPAIGN_CLOSED"
    assert http.get(campaign, headers=member).json()["closes_at"] == closed.json()["closes_at"]
