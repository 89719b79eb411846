"""Study quizzes through the gateway with every service running: a county admin imports a question bank from an
XLSX (a wrong row reported with its number, the others kept), sets a quiz on a micro lesson of the month's directive
(a lesson of another directive, or one media does not have, refused by the quizzes service, which asks media); a
member of a branch below takes it on their phone, a late answer is refused, a member of another county may not take
it; the results and the participation per branch follow, and the secretary reads their branch only."""

import io
import time
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook

from tests.e2e.helpers import wait_for

PASSWORD = "quiz-pass-1"
STACK_ENVIRONMENT = {"PARTYDAY_QUIZZES_GRACE_S": "1", "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
MONTH = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")


def bank_file(template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.active
    sheet.append(["单选", "党的最高理想是什么？", "实现共产主义", "发家致富", "", "", "", "", "A", ""])
    sheet.append(["判断", "题目缺答案", "", "", "", "", "", "", "", ""])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def study_material(stack, directive_id: str, title: str) -> str:
    """A text study material on the directive, once media has followed it; its id."""
    added = wait_for(
        lambda: (
            (
                answer := stack.http.post(
                    f"/api/v1/directives/{directive_id}/materials/text",
                    headers=stack.admin,
                    json={"title": title, "text": "不忘初心，牢记使命。"},
                )
            ).status_code
            == 201
            and answer
        ),
        message="media followed the directive",
    )
    return added.json()["material_id"]


def test_a_quiz_from_an_imported_bank_taken_on_the_phone(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "测试县")
    town = stack.create_org(county, "township", "测试镇")
    branch_a = stack.create_org(town, "branch", "测试一支部")
    branch_b = stack.create_org(town, "branch", "测试二支部")
    elsewhere = stack.create_org(stack.create_org(root["org_id"], "county", "别的县"), "township", "别的镇")
    outside = stack.create_org(elsewhere, "branch", "别的支部")
    county_admin = stack.create_member(branch_b, PASSWORD, name="县管理员")
    stack.grant(county_admin, "org_admin", county)
    secretary = stack.create_member(branch_a, PASSWORD, name="王书记")
    stack.grant(secretary, "branch_admin", branch_a)
    member = stack.create_member(branch_a, PASSWORD, name="李党员")
    stack.create_member(branch_b, PASSWORD, name="赵党员")
    stranger = stack.create_member(outside, PASSWORD, name="外县党员")
    headers = county_admin["headers"]

    template = http.get("/api/v1/quiz-bank/template.xlsx", headers=headers)
    assert template.status_code == 200 and template.content.startswith(b"PK")
    upload = {"file": ("bank.xlsx", io.BytesIO(bank_file(template.content)), "application/octet-stream")}
    imported = http.post(f"/api/v1/orgs/{county}/questions/import", headers=headers, files=upload)
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert report["accepted"] == 4 and [r["row"] for r in report["rejected"]] == [6]
    assert report["rejected"][0]["reasons"][0]["code"] == "ANSWER_UNREADABLE"
    refused_import = http.post(
        f"/api/v1/orgs/{county}/questions/import",
        headers=secretary["headers"],
        files={"file": ("bank.xlsx", io.BytesIO(b"x"), "application/octet-stream")},
    )
    assert refused_import.status_code == 403
    bank = http.get(f"/api/v1/orgs/{county}/questions", headers=headers).json()
    assert bank["total"] == 4

    directive = http.post(
        "/api/v1/directives",
        headers=headers,
        json={"org_id": county, "month": MONTH, "theme": "学习测试月", "required_actions": ["学习党章"]},
    )
    assert directive.status_code == 201, directive.text
    directive_id = directive.json()["directive_id"]
    lesson = study_material(stack, directive_id, "微党课：初心")
    other_directive = http.post(
        "/api/v1/directives",
        headers=headers,
        json={"org_id": county, "month": MONTH, "theme": "另一任务", "required_actions": ["学习党史"]},
    )
    assert other_directive.status_code == 201, other_directive.text
    other_lesson = study_material(stack, other_directive.json()["directive_id"], "别的微党课")
    now = datetime.now(timezone.utc)
    body = {
        "directive_id": directive_id,
        "org_id": county,
        "title": "本月学习测试",
        "question_ids": [q["question_id"] for q in bank["items"]],
        "draw_count": 3,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(seconds=25)).isoformat(),
        "time_limit_minutes": 10,
    }
    not_its_lesson = http.post("/api/v1/quizzes", headers=headers, json={**body, "lesson_id": other_lesson})
    assert not_its_lesson.status_code == 422, not_its_lesson.text
    assert not_its_lesson.json()["error"]["code"] == "LESSON_NOT_OF_DIRECTIVE"
    assert not_its_lesson.json()["error"]["details"] == {"lesson_id": other_lesson}
    no_lesson = http.post("/api/v1/quizzes", headers=headers, json={**body, "lesson_id": "no-such-lesson"})
    assert no_lesson.status_code == 404 and no_lesson.json()["error"]["code"] == "STUDY_MATERIAL_NOT_FOUND"
    body["lesson_id"] = lesson
    created = wait_for(
        lambda: (answer := http.post("/api/v1/quizzes", headers=headers, json=body)).status_code == 201 and answer,
        message="quizzes followed the directive",
    )
    quiz = created.json()
    assert quiz["question_count"] == 3 and quiz["state"] == "open"
    assert quiz["lesson_id"] == lesson and quiz["lesson_title"] == "微党课：初心"
    forbidden = http.post("/api/v1/quizzes", headers=secretary["headers"], json={**body, "org_id": county})
    assert forbidden.status_code == 403

    mine = http.get("/api/v1/me/quizzes", headers=member["headers"]).json()
    assert [q["quiz_id"] for q in mine["items"]] == [quiz["quiz_id"]] and mine["items"][0]["attempts_left"] == 1
    started = http.post(f"/api/v1/quizzes/{quiz['quiz_id']}/attempts", headers=member["headers"])
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert len(attempt["questions"]) == 3 and "answer" not in attempt["questions"][0]
    assert attempt["deadline_at"] and 0 < attempt["seconds_left"] <= 25, "the quiz's close cuts the time limit"
    answers = {q["question_id"]: q["answer"] for q in bank["items"]}
    submitted = http.post(
        f"/api/v1/quiz-attempts/{attempt['attempt_id']}/answers",
        headers=member["headers"],
        json={"answers": {q["id"]: answers[q["id"]] for q in attempt["questions"]}},
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["score"] == 100.0
    again = http.post(f"/api/v1/quizzes/{quiz['quiz_id']}/attempts", headers=member["headers"])
    assert again.status_code == 422 and again.json()["error"]["code"] == "ATTEMPTS_EXHAUSTED"
    not_for_them = http.post(f"/api/v1/quizzes/{quiz['quiz_id']}/attempts", headers=stranger["headers"])
    assert not_for_them.status_code == 403 and not_for_them.json()["error"]["code"] == "QUIZ_NOT_FOR_YOU"

    late_attempt = http.post(f"/api/v1/quizzes/{quiz['quiz_id']}/attempts", headers=secretary["headers"]).json()
    deadline = datetime.fromisoformat(late_attempt["deadline_at"])
    time.sleep(max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds()) + 2)
    late = http.post(
        f"/api/v1/quiz-attempts/{late_attempt['attempt_id']}/answers",
        headers=secretary["headers"],
        json={"answers": {}},
    )
    assert late.status_code == 422 and late.json()["error"]["code"] == "TIME_LIMIT_EXCEEDED", late.text
    closed = http.post(f"/api/v1/quizzes/{quiz['quiz_id']}/attempts", headers=member["headers"])
    assert closed.status_code == 422 and closed.json()["error"]["code"] in ("QUIZ_CLOSED", "ATTEMPTS_EXHAUSTED")

    results = http.get(f"/api/v1/quizzes/{quiz['quiz_id']}/results", headers=headers, params={"org_id": county})
    assert results.status_code == 200, results.text
    assert [(r["name"], r["best_score"]) for r in results.json()["items"]] == [("李党员", 100.0)]
    participation = wait_for(
        lambda: (
            (page := http.get(f"/api/v1/quizzes/{quiz['quiz_id']}/participation", headers=headers).json())["expected"]
            == 4
            and page
        ),
        message="quizzes followed the members",
    )
    by_branch = {b["name"]: (b["took"], b["expected"]) for b in participation["items"]}
    assert by_branch == {"测试一支部": (1, 2), "测试二支部": (0, 2)}, "the county admin is a member of 二支部"
    own = http.get(
        f"/api/v1/quizzes/{quiz['quiz_id']}/results", headers=secretary["headers"], params={"org_id": branch_a}
    )
    assert own.status_code == 200 and own.json()["total"] == 1
    other_branch = http.get(
        f"/api/v1/quizzes/{quiz['quiz_id']}/results", headers=secretary["headers"], params={"org_id": branch_b}
    )
    assert other_branch.status_code == 403
    wait_for(
        lambda: http.get("/api/v1/audit", headers=admin, params={"action": "quiz_created"}).json()["total"] == 1,
        message="the quiz's creation in the audit log",
    )
