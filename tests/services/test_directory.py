"""The directory's members, accounts, roles and audit log, on RabbitMQ and PostgreSQL."""

from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_directory import delivery
from partyday_directory.bootstrap import AdminBootstrap
from partyday_directory.models import metadata
from partyday_directory.service import DirectoryService
from partyday_plans.service import PlansService
from tests.services.helpers import wait_until


@pytest.fixture
def directory(container_factory, make_config, databases):
    url = databases.create("directory")
    upgrade("directory", url)
    config = make_config("directory", url=url)
    container = container_factory(DirectoryService, config)
    container.start()
    container.url = url
    return container


def call(container, method, *args, context=None, **kwargs):
    with entrypoint_hook(container, method, context_data=context) as hook:
        return hook(*args, **kwargs)


def events(container, event_type):
    engine = make_engine(container.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        rows = (
            connection.execute(select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id))
            .scalars()
            .all()
        )
    engine.dispose()
    return [row["data"] for row in rows]


def tree(directory):
    city = call(directory, "find_org_by_code", "HZ")
    county = call(
        directory, "create_org", {"name": "汉台区委", "level": "county", "parent_id": city["org_id"], "code": "HT"}
    )
    town = call(
        directory,
        "create_org",
        {"name": "北关街道", "level": "township", "parent_id": county["org_id"], "code": "HT-BG"},
    )
    first = call(
        directory, "create_org", {"name": "一支部", "level": "branch", "parent_id": town["org_id"], "code": "HT-BG-1"}
    )
    second = call(
        directory, "create_org", {"name": "二支部", "level": "branch", "parent_id": town["org_id"], "code": "HT-BG-2"}
    )
    return city, county, town, first, second


def member(directory, branch, phone="13900000001", **extra):
    return call(
        directory,
        "create_member",
        {"name": "张红梅", "phone": phone, "password": "secret-123", "branch_id": branch["org_id"], **extra},
    )


def test_a_member_joins_a_branch_and_is_announced(directory):
    *_, first, _ = tree(directory)
    created = member(directory, first, mobile=True, joined_on="2001-07-01")
    assert created["branch_id"] == first["org_id"] and created["mobile"] is True
    [joined] = events(directory, "member_joined")
    assert joined["member_id"] == created["member_id"] and joined["branch_path"] == first["path"]
    assert "phone" not in joined, "contact data stays in the directory"


@pytest.mark.parametrize(
    "change, code, status",
    [
        ({"phone": "12345"}, "VALIDATION_FAILED", 400),
        ({"password": "short"}, "VALIDATION_FAILED", 400),
        ({"branch": "town"}, "BRANCH_REQUIRED", 422),
    ],
)
def test_bad_members_are_refused(directory, change, code, status):
    _, _, town, first, _ = tree(directory)
    payload = {"name": "李四", "phone": "13900000002", "password": "secret-123", "branch_id": first["org_id"]}
    if change.pop("branch", None):
        payload["branch_id"] = town["org_id"]
    payload.update(change)
    with pytest.raises(DomainError) as raised:
        call(directory, "create_member", payload)
    assert (raised.value.code, raised.value.status) == (code, status)


def test_the_phones_of_active_members_are_answered_for_text_messages(directory):
    *_, first, _ = tree(directory)
    created = member(directory, first)
    assert call(directory, "member_phones", [created["member_id"], "nobody"]) == {created["member_id"]: "13900000001"}
    call(directory, "leave_member", created["member_id"])
    assert call(directory, "member_phones", [created["member_id"]]) == {}
    with pytest.raises(DomainError) as raised:
        call(directory, "member_phones", [str(number) for number in range(1001)])
    assert raised.value.code == "TOO_MANY_MEMBERS"


def test_a_phone_has_one_account(directory):
    *_, first, second = tree(directory)
    member(directory, first)
    with pytest.raises(DomainError) as raised:
        member(directory, second)
    assert (raised.value.code, raised.value.status) == ("PHONE_TAKEN", 409)


def test_a_transfer_moves_the_member_and_keeps_the_history(directory):
    *_, first, second = tree(directory)
    created = member(directory, first)
    moved = call(directory, "transfer_member", created["member_id"], second["org_id"], context={"actor_id": "admin-1"})
    assert moved["branch_id"] == second["org_id"]
    [move] = call(directory, "member_history", created["member_id"])
    assert (move["from_org_id"], move["to_org_id"], move["actor_id"]) == (first["org_id"], second["org_id"], "admin-1")
    [transferred] = events(directory, "member_transferred")
    assert transferred["from_branch_id"] == first["org_id"] and transferred["branch_id"] == second["org_id"]
    with pytest.raises(DomainError) as raised:
        call(directory, "transfer_member", created["member_id"], second["org_id"])
    assert raised.value.code == "ALREADY_IN_BRANCH"
    assert call(directory, "list_members", first["org_id"])["total"] == 0
    assert call(directory, "list_members", second["org_id"])["total"] == 1


def test_a_member_who_leaves_cannot_log_in(directory):
    *_, first, _ = tree(directory)
    created = member(directory, first)
    assert call(directory, "authenticate", "13900000001", "secret-123")["subject"] == created["member_id"]
    call(directory, "leave_member", created["member_id"])
    assert events(directory, "member_left")[0]["active"] is False
    with pytest.raises(DomainError) as raised:
        call(directory, "authenticate", "13900000001", "secret-123")
    assert raised.value.code == "LOGIN_FAILED"


def test_roles_are_bound_to_nodes_of_their_level(directory):
    city, county, town, first, _ = tree(directory)
    created = member(directory, first)
    granted = call(
        directory, "grant_role", {"member_id": created["member_id"], "role": "org_admin", "org_id": county["org_id"]}
    )
    for role, org, code in (
        ("org_admin", first, "ROLE_LEVEL_INVALID"),
        ("branch_admin", town, "ROLE_LEVEL_INVALID"),
        ("city_admin", county, "ROLE_LEVEL_INVALID"),
        ("member", first, "ROLE_IMPLICIT"),
        ("org_admin", county, "GRANT_EXISTS"),
    ):
        with pytest.raises(DomainError) as raised:
            call(directory, "grant_role", {"member_id": created["member_id"], "role": role, "org_id": org["org_id"]})
        assert raised.value.code == code
    session = call(directory, "authenticate", "13900000001", "secret-123")
    context = call(directory, "auth_context", session["subject"], session["session_id"])
    assert [(r["role"], r["org_id"]) for r in context["roles"]] == [
        ("member", first["org_id"]),
        ("org_admin", county["org_id"]),
    ]
    call(directory, "revoke_grant", granted["grant_id"])
    context = call(directory, "auth_context", session["subject"], session["session_id"])
    assert [r["role"] for r in context["roles"]] == ["member"]
    announced = {"grant_id": granted["grant_id"], "member_id": created["member_id"], "role": "org_admin"}
    for event_type in ("role_granted", "role_revoked"):
        found = [event for event in events(directory, event_type) if event["grant_id"] == granted["grant_id"]]
        assert [event | announced == event for event in found] == [True], event_type


def test_the_working_group_and_the_committee_are_roles_of_organisations_above_the_branches(directory):
    city, county, town, first, _ = tree(directory)
    created = member(directory, first)
    for role, org in (("working_group", town), ("working_group", city)):
        granted = call(
            directory, "grant_role", {"member_id": created["member_id"], "role": role, "org_id": org["org_id"]}
        )
        assert (granted["role"], granted["org_id"]) == (role, org["org_id"])
    with pytest.raises(DomainError) as raised:
        call(
            directory,
            "grant_role",
            {"member_id": created["member_id"], "role": "committee", "org_id": county["org_id"]},
        )
    assert (raised.value.code, raised.value.status) == ("BODIES_EXCLUSIVE", 409), "nobody sits on both bodies"
    for role in ("working_group", "committee"):
        with pytest.raises(DomainError) as raised:
            call(directory, "grant_role", {"member_id": created["member_id"], "role": role, "org_id": first["org_id"]})
        assert raised.value.code == "ROLE_LEVEL_INVALID"
    with pytest.raises(DomainError) as raised:
        call(directory, "grant_role", {"member_id": created["member_id"], "role": "jury", "org_id": town["org_id"]})
    assert raised.value.code == "VALIDATION_FAILED"
    session = call(directory, "authenticate", "13900000001", "secret-123")
    roles = call(directory, "auth_context", session["subject"], session["session_id"])["roles"]
    assert {(r["role"], r["org_id"]) for r in roles} >= {
        ("working_group", town["org_id"]),
        ("working_group", city["org_id"]),
    }


def test_an_admin_grants_only_roles_below_their_own_to_others_of_their_subtree(directory):
    city, county, town, first, _ = tree(directory)
    admin = member(directory, first, phone="13900000011")
    call(directory, "grant_role", {"member_id": admin["member_id"], "role": "org_admin", "org_id": county["org_id"]})
    colleague = member(directory, first, phone="13900000012")
    as_admin = {"actor_id": admin["member_id"]}

    def refused(member_id, role, org):
        with pytest.raises(DomainError) as raised:
            call(
                directory,
                "grant_role",
                {"member_id": member_id, "role": role, "org_id": org["org_id"]},
                context=as_admin,
            )
        return raised.value.code

    assert refused(admin["member_id"], "branch_admin", first) == "GRANT_SELF"
    assert refused(colleague["member_id"], "org_admin", town) == "GRANT_ROLE_TOO_HIGH"
    assert refused(colleague["member_id"], "committee", county) == "GRANT_FROM_ABOVE"
    assert refused(colleague["member_id"], "auditor", city) == "GRANT_OUT_OF_SCOPE"
    granted = call(
        directory,
        "grant_role",
        {"member_id": colleague["member_id"], "role": "branch_admin", "org_id": first["org_id"]},
        context=as_admin,
    )
    assert granted["role"] == "branch_admin"
    call(
        directory,
        "grant_role",
        {"member_id": colleague["member_id"], "role": "working_group", "org_id": town["org_id"]},
        context=as_admin,
    )
    boss = call(
        directory, "grant_role", {"member_id": colleague["member_id"], "role": "org_admin", "org_id": county["org_id"]}
    )
    with pytest.raises(DomainError) as raised:
        call(directory, "revoke_grant", boss["grant_id"], context=as_admin)
    assert raised.value.code == "GRANT_ROLE_TOO_HIGH", "nor takes back a role as high as their own"
    call(directory, "revoke_grant", granted["grant_id"], context=as_admin)


def test_the_city_admin_exists_from_the_first_start(directory):
    session = call(directory, "authenticate", "13800000000", "partyday-admin")
    context = call(directory, "auth_context", session["subject"], session["session_id"])
    city = call(directory, "find_org_by_code", "HZ")
    assert [(r["role"], r["org_id"]) for r in context["roles"]] == [("city_admin", city["org_id"])]


def test_the_directory_is_not_ready_until_the_city_admin_exists(directory):
    assert call(directory, "ping")["status"] == "ok"
    bootstrap = next(extension for extension in directory.extensions if isinstance(extension, AdminBootstrap))
    bootstrap.done = False
    with pytest.raises(DomainError) as starting:
        call(directory, "ping")
    assert (starting.value.code, starting.value.status) == ("STARTING", 503)


def login_from(directory, address, phone="13900000001", password="secret-123", code=None):
    return call(directory, "authenticate", phone, password, code, context={"client_ip": address})


def refused(directory, method, *args, context=None) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(directory, method, *args, context=context)
    return raised.value


def test_failed_logins_slow_down_their_address_only_and_never_lock_the_owner_out(directory):
    """Issue 18: five wrong passwords used to lock the phone for 15 minutes, from anywhere."""
    *_, first, _ = tree(directory)
    member(directory, first)
    attacker = {"client_ip": "10.0.0.66"}
    for _ in range(3):
        assert (
            refused(directory, "authenticate", "13900000001", "wrong-password", context=attacker).code == "LOGIN_FAILED"
        )
    throttled = refused(directory, "authenticate", "13900000001", "secret-123", context=attacker)
    assert (throttled.code, throttled.status) == ("LOGIN_THROTTLED", 429)
    assert 0 < throttled.details["retry_after"] <= 3
    opened = login_from(directory, "10.0.0.1")
    assert opened["subject"] and opened["password_change_required"] is False


def test_a_phone_failed_from_many_addresses_asks_its_owner_for_a_code_sent_to_it(directory):
    *_, first, _ = tree(directory)
    member(directory, first)
    for attacker in ("10.0.0.61", "10.0.0.62", "10.0.0.63"):
        refused(directory, "authenticate", "13900000001", "wrong-password", context={"client_ip": attacker})
    with mock.patch.dict(delivery.SENDERS, {"log": Captured}):
        asked = refused(directory, "authenticate", "13900000001", "secret-123", context={"client_ip": "10.0.0.1"})
        assert (asked.code, asked.status, asked.details["code"]) == ("SECOND_FACTOR_REQUIRED", 401, "sent")
        phone, code = Captured.codes[-1]
        assert phone == "13900000001"
        wrong = "000000" if code != "000000" else "111111"
        wrong_code = refused(directory, "authenticate", phone, "secret-123", wrong, context={"client_ip": "10.0.0.1"})
        assert wrong_code.details["code"] == "wrong"
        stranger = refused(directory, "authenticate", phone, "wrong-password", code, context={"client_ip": "10.0.0.64"})
        assert stranger.code == "LOGIN_FAILED", "a code alone opens nothing, and no code is sent for a wrong password"
        assert Captured.codes[-1] == (phone, code)
    assert login_from(directory, "10.0.0.1", code=code)["subject"]


def test_an_address_is_limited_by_its_failures_and_never_by_successful_logins(directory):
    *_, first, _ = tree(directory)
    for n in range(40):
        member(directory, first, phone=f"139000010{n:02d}")
    for n in range(40):
        assert login_from(directory, "10.9.9.9", phone=f"139000010{n:02d}")["subject"]
    for n in range(30):
        refused(directory, "authenticate", f"137000010{n:02d}", "wrong-password", context={"client_ip": "10.9.9.9"})
    limited = refused(directory, "authenticate", "13900001000", "secret-123", context={"client_ip": "10.9.9.9"})
    assert (limited.code, limited.status) == ("LOGIN_RATE_LIMITED", 429)
    assert login_from(directory, "10.9.9.10", phone="13900001000")["subject"]


def test_a_member_changes_their_password_and_their_other_sessions_end(directory):
    *_, first, _ = tree(directory)
    someone = member(directory, first)
    here, elsewhere = login_from(directory, "10.0.0.1"), login_from(directory, "10.0.0.2")
    member_id, session_id = someone["member_id"], here["session_id"]
    assert (
        refused(directory, "change_password", member_id, session_id, "wrong-password", "a-new-secret-9").code
        == "PASSWORD_WRONG"
    )
    assert (
        refused(directory, "change_password", member_id, session_id, "secret-123", "short").code == "PASSWORD_TOO_SHORT"
    )
    assert (
        refused(directory, "change_password", member_id, session_id, "secret-123", "Password123").code
        == "PASSWORD_TOO_COMMON"
    )
    assert (
        refused(directory, "change_password", member_id, session_id, "secret-123", "secret-123").code
        == "PASSWORD_UNCHANGED"
    )
    call(directory, "change_password", member_id, session_id, "secret-123", "a-new-secret-9")
    assert call(directory, "auth_context", member_id, session_id)["session_active"]
    assert not call(directory, "auth_context", member_id, elsewhere["session_id"])["session_active"]
    assert refused(directory, "authenticate", "13900000001", "secret-123").code == "LOGIN_FAILED"
    assert call(directory, "authenticate", "13900000001", "a-new-secret-9")["subject"] == member_id


def test_an_admin_reset_is_audited_and_the_member_must_change_it_first(directory):
    _, county, _, first, _ = tree(directory)
    someone = member(directory, first)
    before = login_from(directory, "10.0.0.1")
    context = {"actor_id": "admin-7", "client_ip": "10.1.2.3"}
    call(directory, "reset_password", someone["member_id"], "temporary-42", "reset-1", context=context)
    assert not call(directory, "auth_context", someone["member_id"], before["session_id"])["session_active"]
    opened = call(directory, "authenticate", "13900000001", "temporary-42")
    assert opened["password_change_required"] is True
    assert call(directory, "auth_context", opened["subject"], opened["session_id"])["password_change_required"]
    entry = call(directory, "audit_entries", [county["path"]])["items"][0]
    assert (entry["action"], entry["target_id"], entry["actor_id"], entry["client_ip"]) == (
        "member.password_reset",
        someone["member_id"],
        "admin-7",
        "10.1.2.3",
    )
    call(directory, "change_password", someone["member_id"], opened["session_id"], "temporary-42", "my-own-secret-5")
    assert not call(directory, "auth_context", opened["subject"], opened["session_id"])["password_change_required"]


def test_a_forgotten_password_is_replaced_with_a_code_sent_to_the_phone(directory):
    *_, first, _ = tree(directory)
    someone = member(directory, first)
    with mock.patch.dict(delivery.SENDERS, {"log": Captured}):
        sent = len(Captured.codes)
        assert call(directory, "issue_reset_code", "13900000009") == {"expires_in": 300}
        assert len(Captured.codes) == sent, "no code goes to a phone without an account, and the answer is the same"
        assert call(directory, "issue_reset_code", "13900000001") == {"expires_in": 300}
    phone, code = Captured.codes[-1]
    wrong = "000000" if code != "000000" else "111111"
    assert refused(directory, "reset_forgotten_password", phone, wrong, "found-again-7").code == "CODE_INVALID"
    assert refused(directory, "reset_forgotten_password", phone, code, "12345678").code == "PASSWORD_TOO_COMMON"
    call(directory, "reset_forgotten_password", phone, code, "found-again-7")
    assert call(directory, "authenticate", phone, "found-again-7")["subject"] == someone["member_id"]


def test_a_reused_refresh_token_revokes_the_session(directory):
    *_, first, _ = tree(directory)
    member(directory, first)
    opened = call(directory, "authenticate", "13900000001", "secret-123")
    rotated = call(directory, "rotate_refresh", opened["session_id"], opened["refresh_id"])
    assert rotated["refresh_id"] != opened["refresh_id"]
    with pytest.raises(DomainError) as raised:
        call(directory, "rotate_refresh", opened["session_id"], opened["refresh_id"])
    assert raised.value.code == "REFRESH_REUSED"
    with pytest.raises(DomainError) as raised:
        call(directory, "rotate_refresh", opened["session_id"], rotated["refresh_id"])
    assert raised.value.code == "SESSION_REVOKED", "the whole family is revoked"
    assert call(directory, "auth_context", opened["subject"], opened["session_id"]) == {"session_active": False}


def test_logout_ends_the_session(directory):
    opened = call(directory, "authenticate", "13800000000", "partyday-admin")
    call(directory, "logout", opened["session_id"])
    assert call(directory, "auth_context", opened["subject"], opened["session_id"])["session_active"] is False


def test_every_way_a_session_ends_is_announced_and_listed_for_gateways(directory):
    *_, first, _ = tree(directory)
    someone = member(directory, first)
    before = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    logged_out = call(directory, "authenticate", "13900000001", "secret-123")
    reused = call(directory, "authenticate", "13900000001", "secret-123")
    left = call(directory, "authenticate", "13900000001", "secret-123")
    call(directory, "logout", logged_out["session_id"])
    call(directory, "rotate_refresh", reused["session_id"], reused["refresh_id"])
    with pytest.raises(DomainError):
        call(directory, "rotate_refresh", reused["session_id"], reused["refresh_id"])
    call(directory, "leave_member", someone["member_id"])
    announced = {event["session_id"]: event["reason"] for event in events(directory, "session_ended")}
    assert announced == {
        logged_out["session_id"]: "logout",
        reused["session_id"]: "refresh_reused",
        left["session_id"]: "member_left",
    }
    assert call(directory, "auth_context", left["subject"], left["session_id"]) == {"session_active": False}
    assert set(call(directory, "ended_sessions", before)) == set(announced)
    assert call(directory, "ended_sessions", "2999-01-01T00:00:00+00:00") == []
    with pytest.raises(DomainError) as raised:
        call(directory, "ended_sessions", "yesterday")
    assert raised.value.status == 400


class Captured:
    codes = []

    def send(self, phone, code):
        Captured.codes.append((phone, code))


def test_a_voter_logs_in_with_a_one_time_code(directory):
    with mock.patch.dict(delivery.SENDERS, {"log": Captured}):
        assert call(directory, "issue_public_code", "13700000001") == {"expires_in": 300}
        with pytest.raises(DomainError) as raised:
            call(directory, "issue_public_code", "13700000001")
        assert (raised.value.code, raised.value.status) == ("CODE_RATE_LIMITED", 429)
    phone, code = Captured.codes[-1]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as raised:
        call(directory, "public_login", phone, wrong)
    assert raised.value.code == "CODE_INVALID"
    opened = call(directory, "public_login", phone, code)
    assert opened["kind"] == "public" and phone not in opened["subject"]
    with pytest.raises(DomainError) as raised:
        call(directory, "public_login", phone, code)
    assert raised.value.code == "CODE_EXPIRED", "a code works once"


def test_a_residents_phone_is_proved_by_the_voters_code_without_a_session(directory):
    with mock.patch.dict(delivery.SENDERS, {"log": Captured}):
        call(directory, "issue_public_code", "13700000003")
    phone, code = Captured.codes[-1]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as raised:
        call(directory, "verify_public_code", phone, wrong)
    assert raised.value.code == "CODE_INVALID"
    assert call(directory, "verify_public_code", phone, code) == {"phone": phone}
    with pytest.raises(DomainError) as raised:
        call(directory, "verify_public_code", phone, code)
    assert raised.value.code == "CODE_EXPIRED", "a code proves a phone once"


def test_wrong_codes_are_limited(directory):
    with mock.patch.dict(delivery.SENDERS, {"log": Captured}):
        call(directory, "issue_public_code", "13700000002")
    phone, code = Captured.codes[-1]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            call(directory, "public_login", phone, wrong)
    with pytest.raises(DomainError) as raised:
        call(directory, "public_login", phone, code)
    assert raised.value.code == "CODE_ATTEMPTS_EXCEEDED"


def test_administrative_actions_are_audited_with_actor_and_address(directory):
    _, county, _, first, _ = tree(directory)
    member(directory, first)
    context = {"actor_id": "admin-7", "client_ip": "10.1.2.3", "correlation_id": "corr-9"}
    call(directory, "update_org", first["org_id"], {"name": "第一支部"}, context=context)
    page = call(directory, "audit_entries", [county["path"]])
    newest = page["items"][0]
    assert (newest["action"], newest["actor_id"], newest["client_ip"], newest["correlation_id"]) == (
        "org.update",
        "admin-7",
        "10.1.2.3",
        "corr-9",
    )
    assert {"org.create", "member.create"} <= {item["action"] for item in page["items"]}
    assert call(directory, "audit_entries", ["/elsewhere/"])["total"] == 0


def test_moving_a_township_moves_its_subtree_and_the_projection_follows(
    directory, container_factory, make_config, databases
):
    plans_url = databases.create("plans")
    upgrade("plans", plans_url)
    plans = container_factory(PlansService, make_config("plans", url=plans_url))
    plans.start()
    city, county, town, first, second = tree(directory)
    other = call(directory, "create_org", {"name": "南郑区委", "level": "county", "parent_id": city["org_id"]})
    with pytest.raises(DomainError) as raised:
        call(directory, "update_org", county["org_id"], {"parent_id": first["org_id"]})
    assert raised.value.code == "ORG_LEVEL_INVALID"
    moved = call(directory, "update_org", town["org_id"], {"parent_id": other["org_id"]})
    assert moved["path"] == f"{other['path']}{town['org_id']}/"
    assert call(directory, "get_org", first["org_id"])["path"] == f"{moved['path']}{first['org_id']}/"
    assert {e["org_id"] for e in events(directory, "org_updated")} == {
        town["org_id"],
        first["org_id"],
        second["org_id"],
    }

    def branches_under(org):
        return call(plans, "overdue", org["org_id"], "2026-01", now="2026-11-21T00:00:00+08:00")["total"]

    wait_until(lambda: branches_under(other) == 2 and branches_under(county) == 0, message="plans followed the move")


def test_every_change_repeated_with_its_key_gets_the_first_answer_and_has_no_second_effect(directory):
    _, _, town, first, second = tree(directory)
    someone = member(directory, first)
    other = member(directory, first, phone="13900000002")
    held = call(
        directory, "grant_role", {"member_id": other["member_id"], "role": "branch_admin", "org_id": second["org_id"]}
    )
    changes = [
        (
            "create_org",
            ({"name": "三支部", "level": "branch", "parent_id": town["org_id"]},),
            ({"name": "四支部", "level": "branch", "parent_id": town["org_id"]},),
        ),
        ("update_org", (first["org_id"], {"name": "第一支部"}), (second["org_id"], {"name": "第一支部"})),
        (
            "create_member",
            ({"name": "王五", "phone": "13900000003", "branch_id": first["org_id"]},),
            ({"name": "王五", "phone": "13900000004", "branch_id": first["org_id"]},),
        ),
        ("update_member", (someone["member_id"], {"mobile": True}), (someone["member_id"], {"mobile": False})),
        ("transfer_member", (someone["member_id"], second["org_id"]), (other["member_id"], second["org_id"])),
        (
            "grant_role",
            ({"member_id": someone["member_id"], "role": "branch_admin", "org_id": second["org_id"]},),
            ({"member_id": someone["member_id"], "role": "branch_admin", "org_id": first["org_id"]},),
        ),
        ("revoke_grant", (held["grant_id"],), ("another-grant",)),
        ("leave_member", (someone["member_id"],), (other["member_id"],)),
    ]
    for method, arguments, other_arguments in changes:
        key = f"key-of-{method}"
        answer = call(directory, method, *arguments, idempotency_key=key)
        assert call(directory, method, *arguments, idempotency_key=key) == answer, method
        with pytest.raises(DomainError) as raised:
            call(directory, method, *other_arguments, idempotency_key=key)
        assert (raised.value.code, raised.value.status) == ("IDEMPOTENCY_KEY_REUSED", 409), method
    assert [len(events(directory, kind)) for kind in ("member_updated", "member_transferred", "member_left")] == [
        1,
        1,
        1,
    ]
    assert sum(event["name"] == "三支部" for event in events(directory, "org_created")) == 1
    assert call(directory, "list_members", first["org_id"])["total"] == 2, "王五 joined once; 张红梅 moved away"


def test_a_revoked_grant_is_still_found_for_the_gateway_to_check_its_node(directory):
    *_, first, _ = tree(directory)
    someone = member(directory, first)
    granted = call(
        directory, "grant_role", {"member_id": someone["member_id"], "role": "branch_admin", "org_id": first["org_id"]}
    )
    assert call(directory, "get_grant", granted["grant_id"])["active"] is True
    assert call(directory, "revoke_grant", granted["grant_id"])["active"] is False
    found = call(directory, "get_grant", granted["grant_id"])
    assert (found["active"], found["org_path"]) == (False, first["path"])
    with pytest.raises(DomainError) as raised:
        call(directory, "revoke_grant", granted["grant_id"])
    assert (raised.value.code, raised.value.status) == ("GRANT_NOT_FOUND", 404)


def test_members_are_found_by_name_or_phone_and_narrowed_by_their_flags(directory):
    _, county, _, first, second = tree(directory)
    member(directory, first, "13900000001", name="张红梅", mobile=True)
    member(directory, first, "13900000002", name="李明", lost_contact=True)
    member(directory, second, "13911112222", name="张强")

    def names(org, page_size=50, **filters):
        found = call(directory, "list_members", org["org_id"], 1, page_size, filters)
        return [item["name"] for item in found["items"]], found["total"]

    assert names(county, q="张") == (["张强", "张红梅"], 2)
    assert names(county, q="1111") == (["张强"], 1)
    assert names(first, q="张") == (["张红梅"], 1)
    assert names(county, mobile=True) == (["张红梅"], 1)
    assert names(county, mobile=False, lost_contact=False) == (["张强"], 1)
    assert names(county, lost_contact=True) == (["李明"], 1)
    assert names(county, page_size=1, q="张") == (["张强"], 2)
    assert names(county, q="100%") == ([], 0)
    [found] = call(directory, "list_members", county["org_id"], 1, 50, {"q": "李明"})["items"]
    assert found["branch_name"] == first["name"]
    for filters in ({"q": ""}, {"q": "x" * 51}, {"mobile": "yes"}, {"active": False}):
        with pytest.raises(DomainError) as raised:
            call(directory, "list_members", county["org_id"], 1, 50, filters)
        assert (raised.value.code, raised.value.status) == ("FILTER_INVALID", 400)


def test_grants_are_listed_by_subtree_or_by_member_and_a_revoked_one_leaves_the_list(directory):
    _, county, town, first, second = tree(directory)
    secretary = member(directory, first, "13900000001", name="张书记")
    other = member(directory, second, "13900000002", name="王书记")
    mine = call(
        directory,
        "grant_role",
        {"member_id": secretary["member_id"], "role": "branch_admin", "org_id": first["org_id"]},
    )
    call(directory, "grant_role", {"member_id": other["member_id"], "role": "branch_admin", "org_id": second["org_id"]})
    call(directory, "grant_role", {"member_id": secretary["member_id"], "role": "org_admin", "org_id": town["org_id"]})

    listed = call(directory, "list_grants", org_id=first["org_id"])
    assert listed["total"] == 1
    [item] = listed["items"]
    assert (item["grant_id"], item["member_name"], item["role"], item["org_name"], item["org_path"]) == (
        mine["grant_id"],
        "张书记",
        "branch_admin",
        first["name"],
        first["path"],
    )
    assert call(directory, "list_grants", org_id=county["org_id"])["total"] == 3
    assert call(directory, "list_grants", org_id=county["org_id"], page_size=2)["page_size"] == 2
    assert len(call(directory, "list_grants", org_id=county["org_id"], page_size=2)["items"]) == 2
    by_member = call(directory, "list_grants", member_id=secretary["member_id"])
    assert sorted(item["role"] for item in by_member["items"]) == ["branch_admin", "org_admin"]
    call(directory, "revoke_grant", mine["grant_id"])
    assert call(directory, "list_grants", org_id=first["org_id"])["total"] == 0
    with pytest.raises(DomainError) as raised:
        call(directory, "list_grants")
    assert (raised.value.code, raised.value.status) == ("FILTER_REQUIRED", 400)


def test_a_transfer_and_a_leave_keep_their_reasons_in_the_audit_log(directory):
    _, county, _, first, second = tree(directory)
    someone = member(directory, first)
    admin = {"actor_id": "admin-1"}
    call(directory, "transfer_member", someone["member_id"], second["org_id"], "工作调动", context=admin)
    call(directory, "leave_member", someone["member_id"], reason="迁出本市", context=admin)
    entries = call(directory, "audit_entries", [second["path"]])["items"]
    details = {entry["action"]: entry["details"] for entry in entries}
    assert details["member.transfer"]["reason"] == "工作调动"
    assert details["member.leave"] == {"reason": "迁出本市"}
    other = member(directory, first, "13900000002")
    for args, kwargs in (
        ((other["member_id"], second["org_id"], "x" * 501), {}),
        ((other["member_id"],), {"reason": " "}),
    ):
        method = "transfer_member" if len(args) == 3 else "leave_member"
        with pytest.raises(DomainError) as raised:
            call(directory, method, *args, **kwargs)
        assert (raised.value.code, raised.value.status) == ("REASON_INVALID", 400)
