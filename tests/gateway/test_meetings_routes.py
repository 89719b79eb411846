"""The 三会一课 routes with the services faked: each mutating route passes the caller's Idempotency-Key on, and a
bad body is refused before any call."""

import pytest

from tests.gateway.test_plans_routes import FakeRpc, gateway  # noqa: F401 (the fixture)

SETTINGS = {
    "org_id": "town",
    "kinds": {
        kind: {"requires_approval": False, "cadence": "monthly", "own": True, "from_org_id": "town"}
        for kind in ("members_meeting", "branch_committee", "group_meeting", "party_lecture")
    },
}
DECISION = {
    "decision_id": "d1",
    "activity_id": "a1",
    "title": "接收预备党员",
    "in_favour": 2,
    "against": 0,
    "abstaining": 0,
    "expected": 3,
    "present": 2,
    "passed": True,
    "recorded_by": "m1",
    "recorded_at": "2026-12-07T01:00:00+00:00",
}
ANSWERS = {
    "set_meeting_settings": SETTINGS,
    "get_activity": {"activity_id": "a1", "branch_id": "b1", "branch_path": "/root/town/b1/"},
    "record_decision": DECISION,
}


class MeetingsRpc(FakeRpc):
    async def call(self, service, method, *args, **kwargs):
        if method in ANSWERS:
            self.calls.append((method, args, kwargs))
            return ANSWERS[method]
        return await super().call(service, method, *args, **kwargs)


@pytest.fixture
def client(gateway):  # noqa: F811 (the fixture)
    gateway.app.state.rpc = gateway.rpc = MeetingsRpc()
    gateway.app.state.authz.org_paths.rpc = gateway.rpc
    return gateway


def test_setting_an_organisations_meeting_settings_passes_the_key_on(client):
    body = {"kinds": {"members_meeting": {"requires_approval": True, "cadence": "quarterly"}}}
    answer = client.put("/api/v1/orgs/town/meeting-settings", json=body, headers={"Idempotency-Key": "key-1"})
    assert answer.status_code == 200, answer.text
    [(_, args, kwargs)] = [call for call in client.rpc.calls if call[0] == "set_meeting_settings"]
    assert args == ("town", body) and kwargs == {"idempotency_key": "key-1"}


def test_recording_a_decision_passes_the_key_on(client):
    body = {"title": "接收预备党员", "in_favour": 2, "against": 0, "abstaining": 0}
    answer = client.post("/api/v1/activities/a1/decisions", json=body, headers={"Idempotency-Key": "key-2"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["passed"] is True
    [(_, args, kwargs)] = [call for call in client.rpc.calls if call[0] == "record_decision"]
    assert args == ("a1", body) and kwargs == {"idempotency_key": "key-2"}


@pytest.mark.parametrize(
    "path, verb, body",
    [
        ("/api/v1/orgs/town/meeting-settings", "PUT", {"kinds": {"tea_party": {"requires_approval": 1}}}),
        ("/api/v1/orgs/town/meeting-settings", "PUT", {"kinds": {}}),
        ("/api/v1/activities/a1/decisions", "POST", {"title": "x", "in_favour": -1, "against": 0, "abstaining": 0}),
        ("/api/v1/activities/a1/decisions", "POST", {"title": " ", "in_favour": 1, "against": 0, "abstaining": 0}),
    ],
)
def test_a_bad_body_is_refused_before_any_call(client, path, verb, body):
    answer = client.request(verb, path, json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "VALIDATION_FAILED", answer.text
    assert not [call for call in client.rpc.calls if call[0] in ("set_meeting_settings", "record_decision")]


def test_the_overdue_list_takes_only_a_meeting_kind_and_a_month(client):
    assert client.get("/api/v1/orgs/town/meetings/overdue", params={"month": "2026-13"}).status_code == 400
    refused = client.get("/api/v1/orgs/town/meetings/overdue", params={"month": "2026-11", "kind": "theme_day"})
    assert refused.status_code == 400
