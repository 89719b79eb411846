"""Studied, and made up, through the gateway with every service running: a member studies a directive's materials
and the secretary sees it per member; a member absent from the party day gets a make-up study, is told, completes
it with a reflection, and the sheet shows it while the absence and the score stay as they were."""

import io
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_ATTENDANCE_MAKEUP_DUE_DAYS": "7",
}
PASSWORD = "study-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
REFLECTION = "补看了微党课《学党章》，认识到党员要在社区服务中走在前面，今后按时参加组织生活。"


@pytest.fixture(scope="module")
def branch(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch_id, other = stack.create_org(town, "branch", "一支部"), stack.create_org(town, "branch", "二支部")
    secretary = stack.create_member(branch_id, PASSWORD, name="王书记")
    stack.grant(secretary, "branch_admin", branch_id)
    month = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives", headers=admin, json={"org_id": county, "month": month, "theme": "学党章"}
    )
    assert directive.status_code == 201, directive.text
    directive_id = directive.json()["directive_id"]
    text = wait_for(
        lambda: (
            (
                r := http.post(
                    f"/api/v1/directives/{directive_id}/materials/text",
                    headers=admin,
                    json={"title": "党章第一章", "text": "中国共产党是中国工人阶级的先锋队……"},
                )
            ).status_code
            == 201
            and r.json()
        ),
        message="media knows the directive",
    )
    lesson = http.post(
        f"/api/v1/directives/{directive_id}/materials",
        headers=admin,
        files={"file": ("lesson.mp4", media_corpus.mp4(600), "video/mp4")},
        data={"title": "微党课"},
    )
    assert lesson.status_code == 201, lesson.text
    return {
        "id": branch_id,
        "other": other,
        "elsewhere": stack.create_org(
            stack.create_org(stack.create_org(root["org_id"], "county", "另一县"), "township", "另一镇"),
            "branch",
            "外县支部",
        ),
        "town": town,
        "secretary": secretary,
        "directive_id": directive_id,
        "text": text,
        "lesson": lesson.json(),
    }


def test_a_member_studies_and_the_secretary_sees_who_opened_and_finished_each_material(stack, branch):
    http = stack.http
    studious, idle = (
        stack.create_member(branch["id"], PASSWORD, name="甲"),
        stack.create_member(branch["id"], PASSWORD, name="乙"),
    )
    stranger = stack.create_member(branch["elsewhere"], PASSWORD)
    lesson, text = branch["lesson"]["material_id"], branch["text"]["material_id"]
    report = f"/api/v1/study-materials/{lesson}/progress"
    keyed = {**studious["headers"], "Idempotency-Key": uuid.uuid4().hex}
    first = http.post(report, headers=keyed, json={"position_s": 300})
    assert first.status_code == 200 and first.json()["state"] == "opened" and first.json()["percent"] == 50.0
    assert http.post(report, headers=keyed, json={"position_s": 300}).json() == first.json()
    early = http.post(report, headers=studious["headers"], json={"finished": True})
    assert early.status_code == 422 and early.json()["error"]["code"] == "LESSON_NOT_WATCHED"
    assert http.post(report, headers=studious["headers"], json={"position_s": 10}).json()["percent"] == 50.0
    done = http.post(report, headers=studious["headers"], json={"position_s": 600, "finished": True})
    assert done.json()["state"] == "finished", done.text
    assert http.post(report, headers=studious["headers"], json={"percent": 180}).status_code == 400
    assert http.post(report, headers=stranger["headers"], json={}).json()["error"]["code"] == "NOT_YOUR_MATERIAL"
    opened = http.post(f"/api/v1/study-materials/{text}/progress", headers=idle["headers"], json={})
    assert opened.json()["state"] == "opened"
    mine = http.get("/api/v1/me/study-progress", params={"material_id": [lesson, text]}, headers=studious["headers"])
    assert {key: value["state"] for key, value in mine.json().items()} == {lesson: "finished", text: "not_opened"}

    path = f"/api/v1/branches/{branch['id']}/study-progress"
    seen = http.get(path, params={"directive_id": branch["directive_id"]}, headers=branch["secretary"]["headers"])
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert [m["material_id"] for m in body["materials"]] == [text, lesson]
    states = {row["name"]: [m["state"] for m in row["materials"]] for row in body["items"]}
    assert states["甲"] == ["not_opened", "finished"] and states["乙"] == ["opened", "not_opened"]
    assert states["王书记"] == ["not_opened", "not_opened"]
    assert all(row["materials"][1]["finished_at"] for row in body["items"] if row["name"] == "甲")
    assert (
        http.get(path, params={"directive_id": branch["directive_id"]}, headers=studious["headers"]).status_code == 403
    )
    town = http.get(
        f"/api/v1/branches/{branch['town']}/study-progress",
        params={"directive_id": branch["directive_id"]},
        headers=stack.admin,
    )
    assert town.status_code == 422 and town.json()["error"]["code"] == "BRANCH_REQUIRED"


def test_an_absent_member_makes_up_and_the_sheet_shows_it_while_the_absence_and_the_score_stay(stack, branch):
    http, secretary = stack.http, branch["secretary"]
    present = stack.create_member(branch["id"], PASSWORD, name="到场者")
    absent = stack.create_member(branch["id"], PASSWORD, name="缺席者")
    now = datetime.now(timezone.utc)
    ends = now + timedelta(seconds=20)
    rules = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0}
    activity = stack.approved_activity(
        branch["id"], now - timedelta(minutes=1), ends, theme="重温入党誓词", venue=VENUE, attendance_rules=rules
    )
    token = http.get(
        f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary["headers"]
    ).json()["token"]
    for who in (secretary, present):
        body = {"token": token, "lat": VENUE["lat"], "lon": VENUE["lon"], "accuracy_m": 10}
        body |= {"device_id": who["phone"], "nonce": uuid.uuid4().hex}
        assert (
            http.post(f"/api/v1/activities/{activity}/check-in", headers=who["headers"], json=body).status_code == 200
        )
    time.sleep(max(0.0, (ends - datetime.now(timezone.utc)).total_seconds()))
    mine = wait_for(
        lambda: (r := http.get("/api/v1/me/makeups", headers=absent["headers"]).json())["total"] == 1 and r,
        timeout=60,
        message="closing the party day assigned the make-up",
    )
    [task] = mine["items"]
    assert (task["activity_id"], task["state"], task["theme"]) == (activity, "assigned", "重温入党誓词")
    sheet_path = f"/api/v1/activities/{activity}/attendance"
    sheet = http.get(sheet_path, headers=secretary["headers"]).json()
    lines = {row["name"]: row for row in sheet["members"]}
    assert lines["缺席者"]["status"] == "absent" and lines["缺席者"]["makeup"]["state"] == "assigned"
    assert lines["到场者"]["makeup"] is None
    due = datetime.fromisoformat(lines["缺席者"]["makeup"]["due_at"])
    assert timedelta(days=7) <= due - now <= timedelta(days=7, minutes=5), "PARTYDAY_ATTENDANCE_MAKEUP_DUE_DAYS"
    assert http.get("/api/v1/me/makeups", headers=present["headers"]).json()["total"] == 0
    wait_for(
        lambda: any(
            n["kind"] == "makeup_assigned"
            for n in http.get("/api/v1/me/notifications", headers=absent["headers"]).json()["items"]
        ),
        message="the member was told of the make-up",
    )
    scored = wait_for(
        lambda: (
            (s := http.get(f"/api/v1/activities/{activity}/score", headers=secretary["headers"]).json())["status"]
            == "scored"
            and s
        ),
        message="the closed activity was scored",
    )

    complete = f"/api/v1/activities/{activity}/makeup/complete"
    short = http.post(complete, headers=absent["headers"], json={"reflection": "学习了"})
    assert short.status_code == 422 and short.json()["error"]["code"] == "MAKEUP_REFLECTION_TOO_SHORT"
    assert http.post(complete, headers=present["headers"], json={"reflection": REFLECTION}).status_code == 404
    done = http.post(complete, headers=absent["headers"], json={"reflection": REFLECTION})
    assert done.status_code == 200 and done.json()["state"] == "done", done.text
    again = http.post(complete, headers=absent["headers"], json={"reflection": REFLECTION})
    assert again.status_code == 409 and again.json()["error"]["code"] == "MAKEUP_ALREADY_DONE"

    after = http.get(sheet_path, headers=secretary["headers"]).json()
    line = next(row for row in after["members"] if row["name"] == "缺席者")
    assert line["status"] == "absent" and line["makeup"]["state"] == "done" and line["makeup"]["completed_at"]
    assert after["counts"] == sheet["counts"], "the absence count stays"
    xlsx = http.get(f"{sheet_path}.xlsx", headers=secretary["headers"])
    assert xlsx.status_code == 200, xlsx.text
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[2][-1] == "补学" and any(row[0] == "缺席者" and row[-1].startswith("已补学 ") for row in rows)
    time.sleep(2)
    rescored = http.get(f"/api/v1/activities/{activity}/score", headers=secretary["headers"]).json()
    assert rescored["indicators"]["sign_in_rate"] == scored["indicators"]["sign_in_rate"] < 1.0
    assert rescored["total"] == scored["total"], "the score's attendance does not change"
    listed = http.get(
        f"/api/v1/branches/{branch['id']}/makeups", params={"state": "done"}, headers=secretary["headers"]
    )
    assert [t["name"] for t in listed.json()["items"]] == ["缺席者"]
    overdue = http.get(
        f"/api/v1/branches/{branch['id']}/makeups", params={"state": "overdue"}, headers=secretary["headers"]
    )
    assert overdue.status_code == 200 and overdue.json()["total"] == 0
    assert http.get(f"/api/v1/branches/{branch['id']}/makeups", headers=absent["headers"]).status_code == 403
