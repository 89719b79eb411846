"""The six-haves archive and spot checks, gathered from plans, attendance and media with every service running."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1"}
PASSWORD = "archive-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
ACTION = "诵读党章"


@pytest.fixture(scope="module")
def month_of_records(stack):
    """A branch that kept every record of its month, and a sister branch that kept none of its own."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch, sister = stack.create_org(town, "branch", "甲支部"), stack.create_org(town, "branch", "乙支部")
    secretary, plain = stack.create_member(branch, PASSWORD), stack.create_member(branch, PASSWORD)
    assert (
        http.post(
            "/api/v1/role-grants",
            headers=admin,
            json={"member_id": secretary["member_id"], "role": "branch_admin", "org_id": branch},
        ).status_code
        == 201
    )
    now = datetime.now(timezone.utc)
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    month = local.strftime("%Y-%m")
    assert (
        http.post(
            "/api/v1/directives",
            headers=admin,
            json={
                "org_id": county,
                "month": month,
                "theme": "学党章",
                "required_actions": [ACTION],
                "study_materials": ["党章第一章"],
            },
        ).status_code
        == 201
    )
    assert (
        http.put(
            f"/api/v1/branches/{branch}/task-lists/{local.year}",
            headers=secretary["headers"],
            json={"items": ["学习党章", "志愿服务"]},
        ).status_code
        == 200
    )
    ends_at = now + timedelta(seconds=20)
    plan = http.post(
        "/api/v1/plans",
        headers=secretary["headers"],
        json={
            "branch_id": branch,
            "month": month,
            "theme": "主题党日",
            "required_actions": [ACTION],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": ends_at.isoformat(),
            "venue": VENUE,
            "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["plan_id"]
    assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=secretary["headers"]).status_code == 200
    activity_id = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin).json()["activity_id"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/attendance", headers=admin).status_code == 200)
    code = http.get(
        f"/api/v1/activities/{activity_id}/qr", params={"format": "json"}, headers=secretary["headers"]
    ).json()
    signed = http.post(
        f"/api/v1/activities/{activity_id}/check-in",
        headers=plain["headers"],
        json={
            "token": code["token"],
            "lat": VENUE["lat"],
            "lon": VENUE["lon"],
            "accuracy_m": 10,
            "device_id": "phone",
            "nonce": uuid.uuid4().hex,
        },
    )
    assert signed.status_code == 200, signed.text
    photo = media_corpus.jpeg(
        width=640,
        height=480,
        taken_at=local.strftime("%Y:%m:%d %H:%M:%S"),
        offset="+08:00",
        gps=(VENUE["lat"], VENUE["lon"]),
    )
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/media", headers=admin).status_code == 200)
    sent = http.post(
        f"/api/v1/activities/{activity_id}/media",
        headers=secretary["headers"],
        files={"file": ("photo.jpg", photo, "image/jpeg")},
        data={"caption": "诵读党章", "action": ACTION},
    )
    assert sent.status_code == 201, sent.text
    assert http.post(f"/api/v1/media/{sent.json()['media_id']}/approve", headers=admin).status_code == 200
    assert (
        http.post(
            f"/api/v1/branches/{branch}/months/{month}/study-notes",
            headers=plain["headers"],
            json={"text": "学习党章，坚定理想信念，做合格党员。"},
        ).status_code
        == 201
    )
    time.sleep(max(0.0, (ends_at - datetime.now(timezone.utc)).total_seconds()) + 0.5)
    summary = http.post(
        f"/api/v1/activities/{activity_id}/summary",
        headers=secretary["headers"],
        json={"text": "全体党员诵读党章，交流学习体会。"},
    )
    assert summary.status_code == 200, summary.text
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/attendance", headers=admin).json()["closed"])
    return {
        "town": town,
        "branch": branch,
        "sister": sister,
        "month": month,
        "activity_id": activity_id,
        "plan_id": plan_id,
        "member": plain["headers"],
        "media_id": sent.json()["media_id"],
        "secretary": secretary["headers"],
    }


def test_the_archive_shows_all_six_haves_of_a_complete_month_with_their_links(stack, month_of_records):
    records, http = month_of_records, stack.http
    answer = http.get(
        f"/api/v1/orgs/{records['town']}/archive", params={"month": records["month"]}, headers=stack.admin
    )
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 2 and [item["name"] for item in page["items"]] == ["乙支部", "甲支部"]
    sister, complete = page["items"]
    assert complete["present"] == 6, complete
    haves = complete["haves"]
    assert haves["monthly_plan"]["links"] == [f"/api/v1/plans/{records['plan_id']}"]
    assert haves["activity_record"]["approved_photos"] == 1
    assert f"/api/v1/media/{records['media_id']}" in haves["activity_record"]["links"]
    assert haves["study_notes"]["notes"] == 1 and haves["annual_task_list"]["tasks"] == 2
    for link in haves["sign_in_sheet"]["links"] + haves["monthly_plan"]["links"]:
        assert http.get(link, headers=stack.admin).status_code == 200, link
    assert sister["present"] == 1 and sister["haves"]["study_materials"]["present"], (
        "the county's study materials reach every branch; nothing else was kept"
    )
    second = http.get(
        f"/api/v1/orgs/{records['town']}/archive",
        headers=stack.admin,
        params={"month": records["month"], "page": 2, "page_size": 1},
    ).json()
    assert [item["branch_id"] for item in second["items"]] == [records["branch"]]


def test_the_archive_is_for_those_who_may_read_the_subtree(stack, month_of_records):
    records = month_of_records
    refused = stack.http.get(
        f"/api/v1/orgs/{records['town']}/archive", params={"month": records["month"]}, headers=records["member"]
    )
    assert refused.status_code == 403
    bad = stack.http.get(f"/api/v1/orgs/{records['town']}/archive", params={"month": "2026-13"}, headers=stack.admin)
    assert bad.status_code == 400


def test_a_spot_check_carries_the_branchs_media(stack, month_of_records):
    records = month_of_records
    answer = stack.http.post(
        "/api/v1/spot-checks", headers=stack.admin, json={"month": records["month"], "branch_ids": [records["branch"]]}
    )
    assert answer.status_code == 200, answer.text
    [record] = answer.json()["branches"]
    assert record["media"]["photos"]["approved"] == 1
    assert record["media"]["approved_photo_links"] == [f"/api/v1/media/{records['media_id']}"]
    assert record["media"]["study_notes"]["count"] == 1
    assert record["attendance"]["closed"] is True


def test_the_activity_gathers_plan_attendance_media_and_score(stack, month_of_records):
    records = month_of_records
    detail = stack.http.get(f"/api/v1/activities/{records['activity_id']}", headers=stack.admin)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["plan"]["plan_id"] == records["plan_id"] and body["closed"] is True
    assert body["media"]["counts"]["approved"] == 1 and body["media"]["detail_score"] > 0
    assert [item["media_id"] for item in body["media"]["items"]] == [records["media_id"]]
    assert body["score"]["indicators"]["sign_in_rate"] is not None


def test_a_member_sees_only_approved_uploads_in_the_activity(stack, month_of_records):
    records, http = month_of_records, stack.http
    activity = f"/api/v1/activities/{records['activity_id']}"
    pending = http.post(
        f"{activity}/media",
        headers=records["secretary"],
        data={"caption": "待审"},
        files={"file": ("more.jpg", media_corpus.jpeg(width=320, height=240, pattern=5), "image/jpeg")},
    )
    assert pending.status_code == 201, pending.text
    seen_by_admin = {item["media_id"] for item in http.get(activity, headers=stack.admin).json()["media"]["items"]}
    assert seen_by_admin == {records["media_id"], pending.json()["media_id"]}
    seen_by_member = http.get(activity, headers=records["member"]).json()["media"]["items"]
    assert [item["media_id"] for item in seen_by_member] == [records["media_id"]]


def test_a_rectification_is_answered_with_the_branchs_own_uploads(stack, month_of_records):
    records, http = month_of_records, stack.http
    notice = http.post(
        "/api/v1/rectifications",
        headers=stack.admin,
        json={"branch_id": records["branch"], "issue": "照片不清晰", "due_on": "2030-01-10"},
    ).json()
    path = f"/api/v1/rectifications/{notice['rectification_id']}/answer"
    unknown = http.post(path, headers=records["secretary"], json={"text": "已补充", "media_ids": ["no-such-upload"]})
    assert unknown.status_code == 404, unknown.text
    answered = http.post(
        path, headers=records["secretary"], json={"text": "已补充", "media_ids": [records["media_id"]]}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer_media_ids"] == [records["media_id"]]
    other = http.post(
        "/api/v1/rectifications",
        headers=stack.admin,
        json={"branch_id": records["sister"], "issue": "缺少总结", "due_on": "2030-01-10"},
    ).json()
    sister_secretary = stack.create_member(records["sister"], PASSWORD)
    stack.grant(sister_secretary, "branch_admin", records["sister"])
    borrowed = http.post(
        f"/api/v1/rectifications/{other['rectification_id']}/answer",
        headers=stack.login(sister_secretary["phone"], PASSWORD),
        json={"text": "借用照片", "media_ids": [records["media_id"]]},
    )
    assert borrowed.status_code == 422 and borrowed.json()["error"]["code"] == "MEDIA_NOT_OF_BRANCH"
