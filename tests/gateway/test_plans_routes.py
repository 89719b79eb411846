"""The plans routes with the services faked: every mutating route passes the caller's Idempotency-Key on."""

import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings

PATHS = {"root": "/root/", "town": "/root/town/", "b1": "/root/town/b1/"}
CITY_ADMIN = {
    "session_active": True,
    "kind": "member",
    "subject": "m1",
    "member_id": "m1",
    "name": "x",
    "org_id": "office",
    "org_path": "/root/office/",
    "roles": [
        {"role": "city_admin", "org_id": "root", "org_path": "/root/", "grant_id": "g"},
        {"role": "branch_admin", "org_id": "b1", "org_path": "/root/town/b1/", "grant_id": "g2"},
    ],
}
PLAN = {
    "plan_id": "p1",
    "branch_id": "b1",
    "month": "2026-12",
    "theme": "t",
    "starts_at": "2026-12-07T01:00:00+00:00",
    "ends_at": "2026-12-07T03:00:00+00:00",
    "venue": {"name": "v", "lat": 33.0, "lon": 107.0, "radius_m": 300},
    "required_actions": [],
    "optional_actions": [],
    "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60},
    "status": "submitted",
    "activity_id": "a1",
    "submitted_late": False,
    "review_comment": None,
    "summary": None,
    "summary_late": False,
}
DIRECTIVE = {
    "directive_id": "d1",
    "org_id": "root",
    "month": "2026-12",
    "theme": "t",
    "required_actions": [],
    "study_materials": [],
    "plan_deadline_day": 5,
    "summary_deadline_day": 25,
    "published_at": "2026-12-01T00:00:00+00:00",
}
NOTICE = {
    "rectification_id": "r1",
    "branch_id": "b1",
    "issue": "x",
    "due_on": "2030-01-10",
    "branch_path": "/root/town/b1/",
    "status": "answered",
    "issued_by": "m9",
    "issued_at": "2026-12-01T00:00:00+00:00",
    "answer": None,
    "answer_media_ids": [],
    "reopened_count": 0,
    "history": [],
}
ANSWERS = {
    "publish_directive": DIRECTIVE,
    "create_plan": PLAN,
    "edit_plan": PLAN,
    "get_plan": PLAN,
    "submit_plan": PLAN,
    "approve_plan": PLAN,
    "return_plan": PLAN,
    "find_activity": PLAN,
    "submit_summary": PLAN,
    "set_schedule": {"org_id": "town"},
    "put_task_list": {"branch_id": "b1", "year": 2027, "items": ["每月主题党日"]},
    "issue_rectification": NOTICE,
    "get_rectification": NOTICE,
    "answer_rectification": NOTICE,
    "close_rectification": NOTICE,
    "reopen_rectification": NOTICE,
    "mark_birthdays_celebrated": PLAN,
}
VENUE = {"name": "v", "lat": 33.0, "lon": 107.0}
# route, body, the RPC it calls and the arguments it passes besides the key
MUTATIONS = [
    (
        "POST",
        "/api/v1/directives",
        {"org_id": "town", "month": "2026-12", "theme": "t"},
        "publish_directive",
        (
            {
                "org_id": "town",
                "month": "2026-12",
                "theme": "t",
                "required_actions": [],
                "study_materials": [],
                "plan_deadline_day": 5,
                "summary_deadline_day": 25,
            },
        ),
        {},
    ),
    (
        "POST",
        "/api/v1/plans",
        {
            "branch_id": "b1",
            "month": "2026-12",
            "theme": "t",
            "venue": VENUE,
            "starts_at": "2026-12-07T09:00:00+08:00",
            "ends_at": "2026-12-07T11:00:00+08:00",
        },
        "create_plan",
        None,
        {},
    ),
    ("PATCH", "/api/v1/plans/p1", {"theme": "新主题"}, "edit_plan", ("p1", {"theme": "新主题"}), {}),
    ("POST", "/api/v1/plans/p1/submit", None, "submit_plan", ("p1",), {}),
    ("POST", "/api/v1/plans/p1/approve", None, "approve_plan", ("p1",), {}),
    ("POST", "/api/v1/plans/p1/birthdays-celebrated", None, "mark_birthdays_celebrated", ("p1",), {}),
    ("POST", "/api/v1/plans/p1/return", {"comment": "请修改"}, "return_plan", ("p1", "请修改"), {}),
    ("POST", "/api/v1/activities/a1/summary", {"text": "总结"}, "submit_summary", ("a1", "总结"), {}),
    (
        "PUT",
        "/api/v1/orgs/town/schedule",
        {"party_day": 7},
        "set_schedule",
        ("town", {"time_zone": "Asia/Shanghai", "party_day": 7, "plan_deadline_day": 5, "summary_deadline_day": 25}),
        {},
    ),
    (
        "PUT",
        "/api/v1/branches/b1/task-lists/2027",
        {"items": ["每月主题党日"]},
        "put_task_list",
        ("b1", 2027, ["每月主题党日"]),
        {},
    ),
    (
        "POST",
        "/api/v1/rectifications",
        {"branch_id": "b1", "issue": "x", "due_on": "2030-01-10"},
        "issue_rectification",
        ({"branch_id": "b1", "issue": "x", "due_on": "2030-01-10"},),
        {},
    ),
    (
        "POST",
        "/api/v1/rectifications/r1/answer",
        {"text": "已整改"},
        "answer_rectification",
        ("r1", {"text": "已整改", "media_ids": []}),
        {},
    ),
    ("POST", "/api/v1/rectifications/r1/close", None, "close_rectification", ("r1", {"comment": None}), {}),
    (
        "POST",
        "/api/v1/rectifications/r1/reopen",
        {"comment": "照片不清晰"},
        "reopen_rectification",
        ("r1", {"comment": "照片不清晰"}),
        {},
    ),
]


class FakeRpc:
    ready = True

    def __init__(self):
        self.calls = []

    async def call(self, service, method, *args, **kwargs):
        if method == "auth_context":
            return CITY_ADMIN
        if method == "org_paths":
            return {
                org_id: {"path": PATHS[org_id], "level": "branch", "name": "x"} for org_id in args[0] if org_id in PATHS
            }
        self.calls.append((method, args, kwargs))
        return ANSWERS.get(method, {})

    async def close(self):
        pass


@pytest.fixture
def gateway():
    app = create_app(GatewaySettings(amqp_uri="amqp://guest:guest@127.0.0.1:1/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.rpc = FakeRpc()
        app.state.authz.org_paths.rpc = app.state.rpc
        client.rpc = app.state.rpc
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _send(gateway, verb, path, body, headers=None):
    return gateway.request(verb, path, headers=headers or {}, **({} if body is None else {"json": body}))


@pytest.mark.parametrize(
    "verb, path, body, method, args, kwargs", MUTATIONS, ids=[f"{verb} {path}" for verb, path, *_ in MUTATIONS]
)
def test_a_mutating_plans_route_passes_the_idempotency_key_on(gateway, verb, path, body, method, args, kwargs):
    answer = _send(gateway, verb, path, body, {"Idempotency-Key": "key-1"})
    assert answer.status_code in (200, 201), answer.text
    [(called, called_args, called_kwargs)] = [call for call in gateway.rpc.calls if call[0] == method]
    assert called_kwargs == {**kwargs, "idempotency_key": "key-1"}
    if args is not None:
        assert called_args == args


@pytest.mark.parametrize(
    "verb, path, body, method, args, kwargs", MUTATIONS[:4], ids=[f"{verb} {path}" for verb, path, *_ in MUTATIONS[:4]]
)
def test_without_the_header_the_key_is_none(gateway, verb, path, body, method, args, kwargs):
    assert _send(gateway, verb, path, body).status_code in (200, 201)
    [(_, _, called_kwargs)] = [call for call in gateway.rpc.calls if call[0] == method]
    assert called_kwargs == {**kwargs, "idempotency_key": None}


def test_a_key_longer_than_200_characters_is_refused_before_any_call(gateway):
    answer = _send(gateway, "POST", "/api/v1/plans/p1/submit", None, {"Idempotency-Key": "k" * 201})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "VALIDATION_FAILED"
    assert not [call for call in gateway.rpc.calls if call[0] == "submit_plan"]


def test_only_the_branchs_own_admin_answers_a_rectification(gateway):
    CITY_ADMIN["roles"], roles = CITY_ADMIN["roles"][:1], CITY_ADMIN["roles"]
    try:
        answer = _send(gateway, "POST", "/api/v1/rectifications/r1/answer", {"text": "已整改"})
    finally:
        CITY_ADMIN["roles"] = roles
    assert answer.status_code == 403 and answer.json()["error"]["details"]["needs"] == "answer_rectifications"
    assert not [call for call in gateway.rpc.calls if call[0] == "answer_rectification"]
