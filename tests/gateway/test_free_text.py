"""Free text through the gateway: text nobody can see is refused with 422 TEXT_NOT_VISIBLE before any service is
asked, and every free-text field has a length limit."""

import pytest

from tests.gateway.fakes import FakeRpc, context

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
CITY_ADMIN = context([("city_admin", "root", "/root/")], org_id="b1", org_path="/root/b1/")


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/activities/a1/comments", {"text": ZERO_WIDTH * 40}),
        ("/api/v1/activities/a1/summary", {"text": " " + ZERO_WIDTH * 400 + "\u3000"}),
        ("/api/v1/plans/p1/return", {"comment": "\u202e\u2066" * 10}),
        ("/api/v1/rectifications", {"branch_id": "b1", "issue": ZERO_WIDTH, "due_on": "2026-12-31"}),
        ("/api/v1/branches/b1/months/2026-12/study-notes", {"text": "学习" + ZERO_WIDTH * 20}),
    ],
    ids=["comment", "summary", "return-comment", "rectification", "study-note"],
)
def test_text_nobody_can_see_is_refused_before_any_service_is_asked(gateway, path, body):
    fake = gateway.use(FakeRpc(caller=CITY_ADMIN, nodes=lambda org_id: {"path": f"/root/{org_id}/", "level": "branch"}))
    answer = gateway.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "TEXT_NOT_VISIBLE"
    assert fake.calls == []


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/api/v1/directives",
            {"org_id": "root", "month": "2026-12", "theme": "主题", "required_actions": ["x" * 900_000]},
        ),
        ("/api/v1/directives", {"org_id": "r" * 65, "month": "2026-12", "theme": "主题"}),
        ("/api/v1/activities/a1/comments", {"text": "好" * 2001}),
        ("/api/v1/branches/b1/task-lists/2026", {"items": ["任务" * 300]}),
        ("/api/v1/members/m2/transfer", {"to_org_id": "o" * 65}),
    ],
    ids=["required-action", "org-id", "comment", "task-list-item", "transfer"],
)
def test_a_field_beyond_its_limit_is_refused(gateway, path, body):
    fake = gateway.use(FakeRpc(caller=CITY_ADMIN, nodes=lambda org_id: {"path": f"/root/{org_id}/", "level": "city"}))
    answer = gateway.post(path, json=body) if "task-lists" not in path else gateway.put(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "VALIDATION_FAILED"
    assert fake.calls == []
