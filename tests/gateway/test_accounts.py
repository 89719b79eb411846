"""Members' own access through the gateway, with the services faked: logging in with a second factor, a password
someone else chose that must be changed first, an admin's reset, a forgotten password, and tokens honoured only
for sessions that were issued and live."""

import pytest

from partyday_gateway.auth import Tokens
from partyday_gateway.rpc import RemoteError
from tests.gateway.fakes import FakeRpc, under_root
from tests.gateway.test_errors import CITY_ADMIN, assert_error
from tests.gateway.test_member_identity import SCAN

MUST_CHANGE = {**CITY_ADMIN, "password_change_required": True}
OPENED = {"subject": "m1", "kind": "member", "session_id": "s9", "refresh_id": "r9"}


def remote(code: str, status: int, details: dict | None = None) -> RemoteError:
    return RemoteError(
        "directory", "authenticate", {"exc_type": "DomainError", "exc_args": [code, "refused", status, details or {}]}
    )


def test_a_login_hands_the_code_on_and_says_when_the_password_must_be_changed(gateway):
    rpc = gateway.use(FakeRpc().answer("directory", "authenticate", {**OPENED, "password_change_required": True}))
    answer = gateway.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "pw", "code": "123456"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["password_change_required"] is True
    assert rpc.calls[-1].args == ("13800000000", "pw", "123456")


def test_a_phone_tried_from_many_addresses_asks_for_its_code(gateway):
    details = {"code": "sent", "expires_in": 300}
    gateway.use(FakeRpc().answer("directory", "authenticate", remote("SECOND_FACTOR_REQUIRED", 401, details)))
    answer = gateway.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "pw"})
    assert assert_error(answer, 401, "SECOND_FACTOR_REQUIRED")["details"]["code"] == "sent"


def test_a_throttled_login_answers_429_with_retry_after(gateway):
    gateway.use(FakeRpc().answer("directory", "authenticate", remote("LOGIN_THROTTLED", 429, {"retry_after": 4})))
    answer = gateway.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "pw"})
    assert_error(answer, 429, "LOGIN_THROTTLED")
    assert answer.headers["Retry-After"] == "4"


def test_until_a_member_sets_their_own_password_only_me_the_change_and_logout_answer(gateway):
    rpc = gateway.use(
        FakeRpc(caller=MUST_CHANGE, nodes=under_root("county"), default={})
        .answer("directory", "change_password", {"member_id": "m1", "password_change_required": False})
        .answer("directory", "logout", None)
    )
    me = gateway.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["password_change_required"] is True
    assert_error(gateway.get("/api/v1/orgs/c1"), 403, "PASSWORD_CHANGE_REQUIRED")
    assert_error(gateway.post("/api/v1/activities/a1/check-in", json=SCAN), 403, "PASSWORD_CHANGE_REQUIRED")
    changed = gateway.post("/api/v1/me/password", json={"current_password": "given-1", "new_password": "mine-own-2"})
    assert changed.status_code == 200 and changed.json()["password_change_required"] is False
    assert rpc.called("change_password")[-1].args == ("m1", "s1", "given-1", "mine-own-2")
    assert gateway.post("/api/v1/auth/logout").status_code == 204


def test_a_token_that_says_the_password_must_change_is_not_taken_at_its_word(gateway):
    gateway.use(FakeRpc(caller=MUST_CHANGE))
    gateway.app_state.ended_sessions.synced = True
    token = gateway.app_state.tokens.issue("m1", "s1", "r1", "member", password_change_required=True)
    answer = gateway.post(
        "/api/v1/activities/a1/check-in", json=SCAN, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert_error(answer, 403, "PASSWORD_CHANGE_REQUIRED")


def test_an_admin_resets_a_members_password_but_not_their_own(gateway):
    member = {"member_id": "m2", "branch_id": "b1", "grants": []}
    rpc = gateway.use(
        FakeRpc(caller=CITY_ADMIN, nodes=under_root("branch"))
        .answer("directory", "get_member", member)
        .answer("directory", "reset_password", {"member_id": "m2", "password_change_required": True})
    )
    reset = gateway.post("/api/v1/members/m2/password-reset", json={"password": "temporary-42"})
    assert reset.status_code == 200, reset.text
    assert rpc.called("reset_password")[-1].args == ("m2", "temporary-42")
    assert_error(gateway.post("/api/v1/members/m1/password-reset", json={"password": "x" * 8}), 403, "OWN_PASSWORD")


def test_a_member_without_reach_over_the_branch_cannot_reset(gateway):
    member_only = {**CITY_ADMIN, "roles": [], "org_id": "b9", "org_path": "/root/b9/"}
    gateway.use(
        FakeRpc(caller=member_only, nodes=under_root("branch")).answer(
            "directory", "get_member", {"member_id": "m2", "branch_id": "b1", "grants": []}
        )
    )
    refused = gateway.post("/api/v1/members/m2/password-reset", json={"password": "temporary-42"})
    assert assert_error(refused, 403, "FORBIDDEN")["details"]["needs"] == "manage_members"


def test_a_forgotten_password_is_reset_with_the_code_sent_to_the_phone(gateway):
    rpc = gateway.use(
        FakeRpc()
        .answer("directory", "issue_reset_code", {"expires_in": 300})
        .answer("directory", "reset_forgotten_password", None)
    )
    sent = gateway.post(
        "/api/v1/auth/password-reset-code", json={"phone": "13900000001"}, headers={"Authorization": ""}
    )
    assert sent.status_code == 202 and sent.json() == {"expires_in": 300}
    body = {"phone": "13900000001", "code": "123456", "new_password": "found-again-7"}
    assert gateway.post("/api/v1/auth/password-reset", json=body, headers={"Authorization": ""}).status_code == 204
    assert rpc.called("reset_forgotten_password")[-1].args == ("13900000001", "123456", "found-again-7")


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_token_for_a_session_this_process_never_issued_is_checked_with_the_directory(gateway, confirmed):
    """Issue 18: a validly signed token whose session id was never issued signed members in on its word."""
    context = {**CITY_ADMIN, "session_active": confirmed}
    rpc = gateway.use(
        FakeRpc(caller=context).answer(
            "attendance", "scan", {"status": "signed_in", "at": "2026-12-07T01:00:00+00:00", "sent_late": False}
        )
    )
    gateway.app_state.ended_sessions.synced = True
    elsewhere = Tokens(gateway.app_state.tokens.secret, 900, 3600).issue("m1", "never-issued", "r1", "member")
    headers = {"Authorization": f"Bearer {elsewhere['access_token']}"}
    answer = gateway.post("/api/v1/activities/a1/check-in", json=SCAN, headers=headers)
    assert [call[:2] for call in rpc.all_calls][0] == ("directory", "auth_context")
    if not confirmed:
        assert_error(answer, 401, "SESSION_REVOKED")
        return
    assert answer.status_code == 200
    asked = len(rpc.all_calls)
    assert gateway.post("/api/v1/activities/a1/check-in", json=SCAN, headers=headers).status_code == 200
    assert [call[:2] for call in rpc.all_calls[asked:]] == [("attendance", "scan")], "known once confirmed"


def test_a_database_restart_is_503_with_retry_after(gateway):
    gateway.use(FakeRpc(caller=CITY_ADMIN, nodes=under_root("county")))
    gateway.fake.default = RemoteError(
        "directory",
        "get_org",
        {"exc_type": "DomainError", "exc_args": ["SERVICE_UNAVAILABLE", "db down", 503, {"retry_after": 5}]},
    )
    answer = gateway.get("/api/v1/orgs/c1")
    assert_error(answer, 503, "SERVICE_UNAVAILABLE")
    assert answer.headers["Retry-After"] == "5"
