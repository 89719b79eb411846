"""Who signs in: from the token alone while the gateway follows ended sessions, from the directory otherwise."""

import pytest

from tests.gateway.fakes import FakeRpc

SCAN = {"token": "t", "lat": 33.07, "lon": 107.03, "accuracy_m": 10, "device_id": "phone", "nonce": "nonce-0001"}


@pytest.fixture
def acting(gateway):
    """As member m1 of session s1 with a token of `kind`, the directory knowing them as `context`, this process
    following ended sessions or not (`synced`)."""

    def acting(kind, context, synced):
        rpc = gateway.use(
            FakeRpc(caller=context).answer(
                "attendance", "scan", {"status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": False}
            )
        )
        gateway.app_state.ended_sessions.synced = synced
        return rpc, {"Authorization": f"Bearer {gateway.token(kind)}"}

    return acting


def check_in(gateway, headers):
    return gateway.post("/api/v1/activities/a1/check-in", headers=headers, json=SCAN)


def test_while_following_ended_sessions_a_member_signs_in_on_the_token_alone(gateway, acting):
    rpc, headers = acting("member", {"session_active": False}, synced=True)
    assert check_in(gateway, headers).status_code == 200
    assert [call[:2] for call in rpc.all_calls] == [("attendance", "scan")]
    assert rpc.all_calls[0][2][1] == "m1", "the member the token names"


def test_an_ended_session_is_refused_without_asking_anyone(gateway, acting):
    rpc, headers = acting("member", {"session_active": True}, synced=True)
    gateway.app_state.ended_sessions.end("s1")
    refused = check_in(gateway, headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "SESSION_REVOKED"
    assert rpc.all_calls == []


def test_until_the_gateway_has_caught_up_the_directory_is_asked(gateway, acting):
    rpc, headers = acting("member", {"session_active": False}, synced=False)
    refused = check_in(gateway, headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "SESSION_REVOKED"
    assert [call[:2] for call in rpc.all_calls] == [("directory", "auth_context")]


def test_a_public_voter_cannot_sign_in(gateway, acting):
    voter = {"session_active": True, "kind": "public", "subject": "p1", "roles": []}
    rpc, headers = acting("public", voter, synced=True)
    refused = check_in(gateway, headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "MEMBERS_ONLY"
    assert [call[:2] for call in rpc.all_calls] == [("directory", "auth_context")]
