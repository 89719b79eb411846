"""Who signs in: from the token alone while the gateway follows ended sessions, from the directory otherwise."""
import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings

SCAN = {"token": "t", "lat": 33.07, "lon": 107.03, "accuracy_m": 10, "device_id": "phone", "nonce": "nonce-0001"}


class FakeRpc:
    ready = True

    def __init__(self, context):
        self.context = context
        self.calls = []

    async def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args))
        if method == "auth_context":
            return self.context
        return {"status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": False}

    async def close(self):
        pass


@pytest.fixture
def gateway():
    app = create_app(GatewaySettings(amqp_uri="amqp://guest:guest@127.0.0.1:1/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        def acting(kind, context, synced):
            app.state.rpc = FakeRpc(context)
            app.state.auth_cache = type(app.state.auth_cache)(0)
            app.state.ended_sessions.synced = synced
            token = app.state.tokens.issue("m1", "s1", "r1", kind)["access_token"]
            return app.state.rpc, {"Authorization": f"Bearer {token}"}
        client.acting = acting
        client.ended = app.state.ended_sessions
        yield client


def check_in(gateway, headers):
    return gateway.post("/api/v1/activities/a1/check-in", headers=headers, json=SCAN)


def test_while_following_ended_sessions_a_member_signs_in_on_the_token_alone(gateway):
    rpc, headers = gateway.acting("member", {"session_active": False}, synced=True)
    assert check_in(gateway, headers).status_code == 200
    assert [call[:2] for call in rpc.calls] == [("attendance", "scan")]
    assert rpc.calls[0][2][1] == "m1", "the member the token names"


def test_an_ended_session_is_refused_without_asking_anyone(gateway):
    rpc, headers = gateway.acting("member", {"session_active": True}, synced=True)
    gateway.ended.end("s1")
    refused = check_in(gateway, headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "SESSION_REVOKED"
    assert rpc.calls == []


def test_until_the_gateway_has_caught_up_the_directory_is_asked(gateway):
    rpc, headers = gateway.acting("member", {"session_active": False}, synced=False)
    refused = check_in(gateway, headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "SESSION_REVOKED"
    assert [call[:2] for call in rpc.calls] == [("directory", "auth_context")]


def test_a_public_voter_cannot_sign_in(gateway):
    voter = {"session_active": True, "kind": "public", "subject": "p1", "roles": []}
    rpc, headers = gateway.acting("public", voter, synced=True)
    refused = check_in(gateway, headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "MEMBERS_ONLY"
    assert [call[:2] for call in rpc.calls] == [("directory", "auth_context")]
