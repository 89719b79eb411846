"""The monthly cycle through the gateway: directive, plan, review, activity, summary, with its permissions."""

import csv
import io
import itertools
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
PASSWORD = "plans-pass-1"
# Months that have not ended, whenever the tests run: plans refuse a month that has (MONTH_CLOSED).
_AHEAD = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=40)
MONTH = f"{_AHEAD:%Y-%m}"
NEXT_MONTH = f"{_AHEAD.year + _AHEAD.month // 12}-{_AHEAD.month % 12 + 1:02d}"
_phones = itertools.count(13500000000)


class Cycle:
    def __init__(self, stack):
        self.stack = stack
        self.http = stack.http
        admin = stack.admin
        root = self.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
        self.nodes = {}
        for side in ("a", "b"):
            county = self.org(root["org_id"], "county", f"{side}县")
            town = self.org(county["org_id"], "township", f"{side}镇")
            self.nodes[side] = {
                "county": county,
                "town": town,
                "branch": self.org(town["org_id"], "branch", f"{side}一支部"),
                "home": self.org(town["org_id"], "branch", f"{side}机关支部"),
            }
        self.headers = {"city_admin": admin}
        self.ids = {}
        for actor, home, role, scope in (
            ("member", "branch", None, None),
            ("branch_admin", "branch", "branch_admin", "branch"),
            ("admin_a", "home", "org_admin", "county"),
            ("admin_b", "home", "org_admin", "county"),
            ("auditor", "home", "auditor", "county"),
            ("own_admin", "branch", "org_admin", "county"),
        ):
            side = "b" if actor == "admin_b" else "a"
            member = self.member(self.nodes[side][home]["org_id"])
            if role:
                granted = self.http.post(
                    "/api/v1/role-grants",
                    headers=admin,
                    json={"member_id": member["member_id"], "role": role, "org_id": self.nodes[side][scope]["org_id"]},
                )
                assert granted.status_code == 201, granted.text
            self.headers[actor] = stack.login(member["phone"], PASSWORD)
            self.ids[actor] = member["member_id"]

    def org(self, parent_id, level, name):
        response = self.http.post(
            "/api/v1/orgs",
            headers=self.stack.admin,
            json={"name": name, "level": level, "parent_id": parent_id, "code": f"P{uuid.uuid4().hex[:10]}"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def member(self, branch_id):
        phone = str(next(_phones))
        response = self.http.post(
            "/api/v1/members",
            headers=self.stack.admin,
            json={"name": "党员", "phone": phone, "password": PASSWORD, "branch_id": branch_id},
        )
        assert response.status_code == 201, response.text
        return {**response.json(), "phone": phone}

    def plan(self, side, headers=None, day=7):
        body = {
            "branch_id": self.nodes[side]["branch"]["org_id"],
            "month": MONTH,
            "theme": "主题党日",
            "starts_at": f"{MONTH}-{day:02d}T09:00:00+08:00",
            "ends_at": f"{MONTH}-{day:02d}T11:00:00+08:00",
            "venue": {"name": "活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300},
            "required_actions": ["诵读党章"],
        }
        return self.http.post("/api/v1/plans", headers=headers or self.stack.admin, json=body)

    def fresh_plan(self, side, submitted=True):
        """A new plan for the side's branch, in a month of its own so each case starts clean."""
        month = f"20{27 + next(_months)}-03"
        body = {
            "branch_id": self.nodes[side]["branch"]["org_id"],
            "month": month,
            "theme": "主题党日",
            "starts_at": f"{month}-07T09:00:00+08:00",
            "ends_at": f"{month}-07T11:00:00+08:00",
            "venue": {"name": "活动室", "lat": 33.07, "lon": 107.03},
        }
        plan = self.http.post("/api/v1/plans", headers=self.stack.admin, json=body).json()
        if submitted:
            assert (
                self.http.post(f"/api/v1/plans/{plan['plan_id']}/submit", headers=self.stack.admin).status_code == 200
            )
        return plan


_months = itertools.count()


@pytest.fixture(scope="module")
def cycle(stack):
    return Cycle(stack)


def test_the_monthly_cycle_through_the_gateway(cycle):
    http, branch = cycle.http, cycle.nodes["a"]["branch"]
    directive = http.post(
        "/api/v1/directives",
        headers=cycle.headers["admin_a"],
        json={
            "org_id": cycle.nodes["a"]["county"]["org_id"],
            "month": MONTH,
            "theme": "学习贯彻全会精神",
            "required_actions": ["诵读党章"],
            "study_materials": ["微党课：初心"],
        },
    )
    assert directive.status_code == 201, directive.text
    task = http.get(f"/api/v1/branches/{branch['org_id']}/months/{MONTH}", headers=cycle.headers["branch_admin"])
    assert task.json()["required_actions"] == ["诵读党章"] and task.json()["plan"] is None
    applying = http.get(
        "/api/v1/directives", params={"org_id": branch["org_id"], "month": MONTH}, headers=cycle.headers["member"]
    ).json()
    assert [d["directive_id"] for d in applying] == [directive.json()["directive_id"]]
    delivery = http.get(
        f"/api/v1/directives/{directive.json()['directive_id']}/branches", headers=cycle.headers["admin_a"]
    )
    assert delivery.status_code == 200, delivery.text
    assert branch["org_id"] in {item["branch_id"] for item in delivery.json()["items"]}
    assert delivery.json()["total"] == len(delivery.json()["items"])
    assert (
        http.get(
            f"/api/v1/directives/{directive.json()['directive_id']}/branches", headers=cycle.headers["admin_b"]
        ).status_code
        == 403
    ), "another county's admin"

    created = cycle.plan("a", cycle.headers["branch_admin"])
    assert created.status_code == 201, created.text
    plan_id = created.json()["plan_id"]
    assert (
        http.get("/api/v1/me/plan", params={"month": MONTH}, headers=cycle.headers["member"]).json()["plan"] is None
    ), "members see the plan only once it is approved"
    assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=cycle.headers["branch_admin"]).status_code == 200
    returned = http.post(
        f"/api/v1/plans/{plan_id}/return", headers=cycle.headers["admin_a"], json={"comment": "请补充自选动作"}
    )
    assert returned.json()["status"] == "returned"
    edited = http.patch(
        f"/api/v1/plans/{plan_id}", headers=cycle.headers["branch_admin"], json={"optional_actions": ["志愿服务"]}
    )
    assert edited.status_code == 200
    assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=cycle.headers["branch_admin"]).status_code == 200
    conflict = http.post(f"/api/v1/plans/{plan_id}/submit", headers=cycle.headers["branch_admin"])
    assert conflict.status_code == 409 and conflict.json()["error"]["details"]["status"] == "submitted"
    approved = http.post(f"/api/v1/plans/{plan_id}/approve", headers=cycle.headers["admin_a"])
    assert approved.status_code == 200 and approved.json()["activity_id"]

    mine = http.get("/api/v1/me/plan", params={"month": MONTH}, headers=cycle.headers["member"]).json()
    assert mine["plan"]["venue"]["name"] == "活动室" and mine["plan"]["starts_at"].startswith(f"{MONTH}-07")
    listed = http.get(
        "/api/v1/plans",
        params={"org_id": cycle.nodes["a"]["county"]["org_id"], "month": MONTH, "status": "published"},
        headers=cycle.headers["auditor"],
    ).json()
    assert [p["plan_id"] for p in listed["items"]] == [plan_id]
    early = http.post(
        f"/api/v1/activities/{approved.json()['activity_id']}/summary",
        headers=cycle.headers["branch_admin"],
        json={"text": "总结"},
    )
    assert early.status_code == 422 and early.json()["error"]["code"] == "ACTIVITY_NOT_ENDED"


def test_bad_plans_get_a_reason(cycle):
    body = {
        "branch_id": cycle.nodes["a"]["branch"]["org_id"],
        "month": NEXT_MONTH,
        "theme": "x",
        "starts_at": f"{NEXT_MONTH}-07T09:00:00+08:00",
        "ends_at": f"{NEXT_MONTH}-07T08:00:00+08:00",
        "venue": {"name": "x", "lat": 33.0, "lon": 107.0},
    }
    answer = cycle.http.post("/api/v1/plans", headers=cycle.stack.admin, json=body)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "PLAN_TIMES_INVALID"
    body["venue"]["radius_m"] = 5000
    assert cycle.http.post("/api/v1/plans", headers=cycle.stack.admin, json=body).status_code == 400
    ended = {
        **body,
        "month": "2025-11",
        "starts_at": "2025-11-07T09:00:00+08:00",
        "ends_at": "2025-11-07T11:00:00+08:00",
    }
    ended["venue"]["radius_m"] = 300
    answer = cycle.http.post("/api/v1/plans", headers=cycle.stack.admin, json=ended)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "MONTH_CLOSED", answer.text


ACTORS = ("member", "branch_admin", "admin_a", "admin_b", "city_admin", "auditor", "own_admin")
ALLOWED = {
    "publish_directive": {"admin_a": {"a"}, "admin_b": {"b"}, "city_admin": {"a", "b"}, "own_admin": {"a"}},
    "create_plan": {
        "branch_admin": {"a"},
        "admin_a": {"a"},
        "admin_b": {"b"},
        "city_admin": {"a", "b"},
        "own_admin": {"a"},
    },
    "approve": {"admin_a": {"a"}, "admin_b": {"b"}, "city_admin": {"a", "b"}},
    "return": {"admin_a": {"a"}, "admin_b": {"b"}, "city_admin": {"a", "b"}},
    "read_plan": {
        "branch_admin": {"a"},
        "admin_a": {"a"},
        "admin_b": {"b"},
        "city_admin": {"a", "b"},
        "auditor": {"a"},
        "own_admin": {"a"},
    },
    "rectify": {"admin_a": {"a"}, "admin_b": {"b"}, "city_admin": {"a", "b"}},
}
MATRIX = [
    (action, actor, side, side in ALLOWED[action].get(actor, set()))
    for action in ALLOWED
    for actor in ACTORS
    for side in ("a", "b")
]


@pytest.mark.parametrize(
    "action, actor, side, allowed",
    MATRIX,
    ids=[f"{a}-{actor}-county_{s}-{'allow' if ok else 'deny'}" for a, actor, s, ok in MATRIX],
)
def test_plans_permission_matrix(cycle, action, actor, side, allowed):
    http, headers, nodes = cycle.http, cycle.headers[actor], cycle.nodes[side]
    if action == "publish_directive":
        answer = http.post(
            "/api/v1/directives",
            headers=headers,
            json={"org_id": nodes["county"]["org_id"], "month": "2027-02", "theme": "主题"},
        )
    elif action == "create_plan":
        answer = http.post(
            "/api/v1/plans",
            headers=headers,
            json={
                "branch_id": nodes["branch"]["org_id"],
                "month": f"20{40 + next(_months)}-05",
                "theme": "t",
                "starts_at": "2026-05-07T09:00:00+08:00",
                "ends_at": "2026-05-07T10:00:00+08:00",
                "venue": {"name": "x", "lat": 33.0, "lon": 107.0},
            },
        )
        if allowed:
            assert answer.status_code in (201, 422), answer.text
            return
    elif action in ("approve", "return", "read_plan"):
        plan = cycle.fresh_plan(side)
        if action == "read_plan":
            answer = http.get(f"/api/v1/plans/{plan['plan_id']}", headers=headers)
        else:
            answer = http.post(
                f"/api/v1/plans/{plan['plan_id']}/{action}",
                headers=headers,
                **({"json": {"comment": "请修改"}} if action == "return" else {}),
            )
    else:
        answer = http.post(
            "/api/v1/rectifications",
            headers=headers,
            json={"branch_id": nodes["branch"]["org_id"], "issue": "签到表缺失", "due_on": "2030-01-10"},
        )
    if allowed:
        assert 200 <= answer.status_code < 300, answer.text
    else:
        assert answer.status_code == 403, answer.text


def test_nobody_approves_their_own_branchs_plan(cycle):
    plan = cycle.fresh_plan("a")
    answer = cycle.http.post(f"/api/v1/plans/{plan['plan_id']}/approve", headers=cycle.headers["own_admin"])
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "OWN_BRANCH"


def test_a_rectification_is_answered_by_the_branch_and_closed_by_the_superior_with_its_whole_history(cycle):
    http, branch, headers, ids = cycle.http, cycle.nodes["a"]["branch"], cycle.headers, cycle.ids

    def issue(by):
        body = {"branch_id": branch["org_id"], "issue": "活动照片不全", "due_on": "2030-01-10"}
        made = http.post("/api/v1/rectifications", headers=headers[by], json=body)
        assert made.status_code == 201, made.text
        return f"/api/v1/rectifications/{made.json()['rectification_id']}"

    def refused(answer, status, code):
        assert answer.status_code == status and answer.json()["error"]["code"] == code, answer.text

    path = issue("admin_a")
    refused(http.post(f"{path}/close", headers=headers["admin_a"]), 409, "RECTIFICATION_STATE_CONFLICT")
    for outsider in ("admin_a", "admin_b", "city_admin"):
        refused(http.post(f"{path}/answer", headers=headers[outsider], json={"text": "x"}), 403, "FORBIDDEN")
    answered = http.post(f"{path}/answer", headers=headers["branch_admin"], json={"text": "已补充照片"})
    assert answered.json()["status"] == "answered"
    refused(http.post(f"{path}/close", headers=headers["branch_admin"]), 403, "FORBIDDEN")
    reopened = http.post(f"{path}/reopen", headers=headers["admin_a"], json={"comment": "照片不清晰"})
    assert reopened.json()["status"] == "open" and reopened.json()["reopened_count"] == 1
    http.post(f"{path}/answer", headers=headers["branch_admin"], json={"text": "已重新拍摄"})
    assert http.post(f"{path}/close", headers=headers["admin_a"]).json()["status"] == "closed"
    shown = http.get(path, headers=headers["auditor"]).json()
    assert [(step["act"], step["text"], step["actor_id"]) for step in shown["history"]] == [
        ("answered", "已补充照片", ids["branch_admin"]),
        ("reopened", "照片不清晰", ids["admin_a"]),
        ("answered", "已重新拍摄", ids["branch_admin"]),
        ("closed", None, ids["admin_a"]),
    ]
    assert shown["issued_by"] == ids["admin_a"] and shown["answer"] == "已重新拍摄"

    # Someone who is both the branch's admin and an admin above it neither answers what they issued nor closes
    # what they answered.
    both = cycle.member(cycle.nodes["a"]["home"]["org_id"])
    for role, scope in (("org_admin", "county"), ("branch_admin", "branch")):
        granted = http.post(
            "/api/v1/role-grants",
            headers=cycle.stack.admin,
            json={"member_id": both["member_id"], "role": role, "org_id": cycle.nodes["a"][scope]["org_id"]},
        )
        assert granted.status_code == 201, granted.text
    headers["both"] = cycle.stack.login(both["phone"], PASSWORD)
    own = issue("both")
    refused(http.post(f"{own}/answer", headers=headers["both"], json={"text": "自答"}), 403, "ISSUER_CANNOT_ANSWER")
    other = issue("admin_a")
    assert http.post(f"{other}/answer", headers=headers["both"], json={"text": "已整改"}).status_code == 200
    refused(http.post(f"{other}/close", headers=headers["both"]), 403, "OWN_ANSWER")
    refused(http.post(f"{other}/reopen", headers=headers["both"]), 403, "OWN_ANSWER")
    assert http.post(f"{other}/close", headers=headers["admin_a"]).json()["status"] == "closed"
    listed = http.get(
        "/api/v1/rectifications",
        params={"org_id": cycle.nodes["a"]["county"]["org_id"]},
        headers=headers["auditor"],
    ).json()
    assert shown in listed["items"]


def test_annual_task_lists_and_schedules(cycle):
    http, branch = cycle.http, cycle.nodes["a"]["branch"]
    saved = http.put(
        f"/api/v1/branches/{branch['org_id']}/task-lists/2027",
        headers=cycle.headers["branch_admin"],
        json={"items": ["每月主题党日", "七一表彰"]},
    )
    assert saved.status_code == 200
    read = http.get(f"/api/v1/branches/{branch['org_id']}/task-lists/2027", headers=cycle.headers["member"])
    assert read.json()["items"] == ["每月主题党日", "七一表彰"]
    schedule = http.put(
        f"/api/v1/orgs/{cycle.nodes['b']['town']['org_id']}/schedule",
        headers=cycle.headers["admin_b"],
        json={"party_day": 7},
    )
    assert schedule.status_code == 200
    bad = http.put(
        f"/api/v1/orgs/{cycle.nodes['b']['town']['org_id']}/schedule",
        headers=cycle.headers["admin_b"],
        json={"time_zone": "Mars/Olympus"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "TIME_ZONE_INVALID"


def test_a_plan_sent_twice_with_one_idempotency_key_is_one_plan_with_the_first_answer(cycle):
    http, branch = cycle.http, cycle.nodes["a"]["branch"]
    month = f"20{27 + next(_months)}-03"
    body = {
        "branch_id": branch["org_id"],
        "month": month,
        "theme": "主题党日",
        "starts_at": f"{month}-07T09:00:00+08:00",
        "ends_at": f"{month}-07T11:00:00+08:00",
        "venue": {"name": "活动室", "lat": 33.07, "lon": 107.03},
    }
    keyed = {**cycle.headers["branch_admin"], "Idempotency-Key": uuid.uuid4().hex}
    first = http.post("/api/v1/plans", headers=keyed, json=body)
    assert first.status_code == 201, first.text
    again = http.post("/api/v1/plans", headers=keyed, json=body)
    assert again.status_code == 201 and again.json() == first.json()
    listed = http.get(
        "/api/v1/plans", params={"org_id": branch["org_id"], "month": month}, headers=cycle.headers["admin_a"]
    ).json()
    assert [plan["plan_id"] for plan in listed["items"]] == [first.json()["plan_id"]]
    reused = http.post("/api/v1/plans", headers=keyed, json={**body, "theme": "另一个主题"})
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_plan_approval_is_on_record_for_the_superior_s_subtree_and_exported_as_csv(cycle):
    http = cycle.http
    plan = cycle.fresh_plan("a")
    approved = http.post(f"/api/v1/plans/{plan['plan_id']}/approve", headers=cycle.headers["admin_a"])
    assert approved.status_code == 200, approved.text
    query = {"action": "plan.approve", "target_id": plan["plan_id"]}

    def entries(actor):
        answer = http.get("/api/v1/audit", params=query, headers=cycle.headers[actor])
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    deadline = time.monotonic() + 15
    while not (found := entries("admin_a")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(e["action"], e["target_type"], e["target_id"]) for e in found] == [
        ("plan.approve", "plan", plan["plan_id"])
    ]
    (entry,) = found
    assert entry["actor_id"] == cycle.ids["admin_a"] and entry["client_ip"] == "127.0.0.1"
    assert entry["correlation_id"] and entry["org_path"] == cycle.nodes["a"]["branch"]["path"]
    assert entries("city_admin") == found and entries("auditor") == found
    assert entries("admin_b") == [], "an unrelated county's admin does not see it"
    mine = http.get("/api/v1/audit", params={"actor_id": cycle.ids["admin_a"]}, headers=cycle.headers["admin_a"])
    assert plan["plan_id"] in {e["target_id"] for e in mine.json()["items"]}

    exported = http.get("/api/v1/audit.csv", params=query, headers=cycle.headers["admin_a"])
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["action"], r["target_id"], r["actor_id"]) for r in rows] == [
        ("plan.approve", plan["plan_id"], cycle.ids["admin_a"])
    ]
    unrelated = http.get("/api/v1/audit.csv", params=query, headers=cycle.headers["admin_b"])
    assert list(csv.DictReader(io.StringIO(unrelated.content.decode("utf-8-sig")))) == []
