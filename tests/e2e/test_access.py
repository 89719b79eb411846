"""Who may do what where, through the gateway with every service running.

The matrix: a member, a branch admin, the admins of county A and of county B, the city
admin and an auditor, each trying every directory action on targets in county A and in
county B. Every allowed and every denied case is a test.
"""

import io
import json
import time
import uuid

import jwt
import pytest

from partyday_common.settings import DEVELOPMENT_SECRET
from tests.e2e.helpers import client_from

ACTORS = ("member", "branch_admin", "admin_a", "admin_b", "city_admin", "auditor")
BOTH = {"a", "b"}
A = {"a"}
B = {"b"}
NONE = set()

ALLOWED = {
    "read_branch": {"member": A, "branch_admin": A, "admin_a": A, "admin_b": B, "city_admin": BOTH, "auditor": BOTH},
    "list_children": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": BOTH,
    },
    "list_members": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": BOTH,
    },
    "create_org": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": NONE,
    },
    "update_org": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": NONE,
    },
    "create_member": {
        "member": NONE,
        "branch_admin": A,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": NONE,
    },
    "read_member": {"member": NONE, "branch_admin": A, "admin_a": A, "admin_b": B, "city_admin": BOTH, "auditor": BOTH},
    "transfer_member": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": NONE,
    },
    "grant_role": {
        "member": NONE,
        "branch_admin": NONE,
        "admin_a": A,
        "admin_b": B,
        "city_admin": BOTH,
        "auditor": NONE,
    },
    "progress": {"member": NONE, "branch_admin": NONE, "admin_a": A, "admin_b": B, "city_admin": BOTH, "auditor": BOTH},
    "overdue": {"member": NONE, "branch_admin": NONE, "admin_a": A, "admin_b": B, "city_admin": BOTH, "auditor": BOTH},
}
GLOBAL_ALLOWED = {
    "read_audit": {"admin_a", "admin_b", "city_admin", "auditor"},
    "me": set(ACTORS),
}

PASSWORD = "member-pass-1"
# This module logs in many times from one address; the throttle has its own test module.
STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_MAX_ROSTER_BYTES": "2000000"}
_phones = iter(range(13600000000, 13700000000))


def phone() -> str:
    return str(next(_phones))


class City:
    """The tree, accounts and helpers the matrix runs against."""

    def __init__(self, stack):
        self.stack = stack
        self.http = stack.http
        root = self.get(stack.admin, "/api/v1/orgs", code="HZ").json()
        self.nodes = {}
        for side in ("a", "b"):
            county = self.create_org(stack.admin, root["org_id"], "county", f"{side.upper()}县委")
            town = self.create_org(stack.admin, county["org_id"], "township", f"{side.upper()}镇")
            first = self.create_org(stack.admin, town["org_id"], "branch", f"{side.upper()}一支部")
            second = self.create_org(stack.admin, town["org_id"], "branch", f"{side.upper()}二支部")
            self.nodes[side] = {"county": county, "town": town, "branch": first, "other_branch": second}
        self.headers = {"city_admin": stack.admin}
        self.accounts = {}
        for actor, side, role, node in (
            ("member", "a", None, None),
            ("branch_admin", "a", "branch_admin", "branch"),
            ("admin_a", "a", "org_admin", "county"),
            ("admin_b", "b", "org_admin", "county"),
            ("auditor", "a", "auditor", "root"),
        ):
            account = self.new_member(stack.admin, self.nodes[side]["branch"]["org_id"])
            if role:
                org_id = root["org_id"] if node == "root" else self.nodes[side][node]["org_id"]
                response = self.http.post(
                    "/api/v1/role-grants",
                    headers=stack.admin,
                    json={"member_id": account["member_id"], "role": role, "org_id": org_id},
                )
                assert response.status_code == 201, response.text
            self.accounts[actor] = account
            self.headers[actor] = stack.login(account["phone"], PASSWORD)
        self.root = root

    def admin_member_id(self) -> str:
        return self.get(self.stack.admin, "/api/v1/me").json()["member_id"]

    def get(self, headers, path, **params):
        return self.http.get(path, params=params, headers=headers)

    def create_org(self, headers, parent_id, level, name):
        response = self.http.post(
            "/api/v1/orgs",
            headers=headers,
            json={"name": name, "level": level, "parent_id": parent_id, "code": f"T{uuid.uuid4().hex[:10]}"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def new_member(self, headers, branch_id):
        number = phone()
        response = self.http.post(
            "/api/v1/members",
            headers=headers,
            json={"name": "测试党员", "phone": number, "password": PASSWORD, "branch_id": branch_id},
        )
        assert response.status_code == 201, response.text
        return {**response.json(), "phone": number}

    def attempt(self, action, actor, side):
        """Perform `action` as `actor` on the `side` county's nodes; returns the response."""
        headers = self.headers[actor]
        nodes = self.nodes[side]
        admin = self.stack.admin
        if action == "read_branch":
            return self.get(headers, f"/api/v1/orgs/{nodes['branch']['org_id']}")
        if action == "list_children":
            return self.get(headers, f"/api/v1/orgs/{nodes['town']['org_id']}/children")
        if action == "list_members":
            return self.get(headers, f"/api/v1/orgs/{nodes['town']['org_id']}/members")
        if action == "create_org":
            return self.http.post(
                "/api/v1/orgs",
                headers=headers,
                json={"name": "新支部", "level": "branch", "parent_id": nodes["town"]["org_id"]},
            )
        if action == "update_org":
            return self.http.patch(
                f"/api/v1/orgs/{nodes['other_branch']['org_id']}",
                headers=headers,
                json={"name": f"更名支部{uuid.uuid4().hex[:4]}"},
            )
        if action == "create_member":
            return self.http.post(
                "/api/v1/members",
                headers=headers,
                json={"name": "新党员", "phone": phone(), "branch_id": nodes["branch"]["org_id"]},
            )
        if action == "read_member":
            target = self.new_member(admin, nodes["branch"]["org_id"])
            return self.get(headers, f"/api/v1/members/{target['member_id']}")
        if action == "transfer_member":
            target = self.new_member(admin, nodes["branch"]["org_id"])
            return self.http.post(
                f"/api/v1/members/{target['member_id']}/transfer",
                headers=headers,
                json={"to_org_id": nodes["other_branch"]["org_id"]},
            )
        if action == "grant_role":
            target = self.new_member(admin, nodes["branch"]["org_id"])
            return self.http.post(
                "/api/v1/role-grants",
                headers=headers,
                json={"member_id": target["member_id"], "role": "branch_admin", "org_id": nodes["branch"]["org_id"]},
            )
        if action == "progress":
            return self.get(headers, "/api/v1/dashboards/progress", org_id=nodes["county"]["org_id"])
        if action == "overdue":
            return self.get(headers, f"/api/v1/orgs/{nodes['county']['org_id']}/overdue", month="2026-01")
        raise AssertionError(action)


@pytest.fixture(scope="module")
def city(stack):
    return City(stack)


MATRIX = [
    (action, actor, side, side in ALLOWED[action][actor])
    for action in ALLOWED
    for actor in ACTORS
    for side in ("a", "b")
]


@pytest.mark.parametrize(
    "action, actor, side, allowed",
    MATRIX,
    ids=[f"{a}-{actor}-county_{s}-{'allow' if ok else 'deny'}" for a, actor, s, ok in MATRIX],
)
def test_permission_matrix(city, action, actor, side, allowed):
    response = city.attempt(action, actor, side)
    if allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "FORBIDDEN"


GLOBAL = [(action, actor, actor in GLOBAL_ALLOWED[action]) for action in GLOBAL_ALLOWED for actor in ACTORS]


@pytest.mark.parametrize(
    "action, actor, allowed", GLOBAL, ids=[f"{a}-{actor}-{'allow' if ok else 'deny'}" for a, actor, ok in GLOBAL]
)
def test_global_permissions(city, action, actor, allowed):
    path = {"read_audit": "/api/v1/audit", "me": "/api/v1/me"}[action]
    response = city.get(city.headers[actor], path)
    assert (response.status_code == 200) if allowed else (response.status_code == 403), response.text


def test_nobody_makes_a_city_admin_through_the_api_not_even_a_city_admin(city):
    """Changed by issue 18 (roles below one's own): city admins come from the operator (PARTYDAY_ADMIN_PHONE)."""
    target = city.new_member(city.stack.admin, city.nodes["a"]["branch"]["org_id"])
    body = {"member_id": target["member_id"], "role": "city_admin", "org_id": city.root["org_id"]}
    assert city.http.post("/api/v1/role-grants", headers=city.headers["admin_a"], json=body).status_code == 403
    refused = city.http.post("/api/v1/role-grants", headers=city.stack.admin, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "GRANT_ROLE_TOO_HIGH", refused.text


# Who may grant what: (granter, role, node as (side, level) or "root", grantee, status, reason code). The grantee
# is "self", a new member of county A's branch ("a") or of county B's ("b"), or "wg_a": one who sits on county A's
# working group. Auditors rank below every admin who grants: an org admin appoints one anywhere in their subtree.
GRANT_RULES = [
    ("admin_a", "auditor", ("a", "town"), "self", 403, "GRANT_SELF"),
    ("city_admin", "auditor", "root", "self", 403, "GRANT_SELF"),
    ("admin_a", "branch_admin", ("a", "branch"), "a", 201, None),
    ("admin_a", "auditor", ("a", "county"), "a", 201, None),
    ("admin_a", "auditor", ("a", "town"), "a", 201, None),
    ("admin_a", "org_admin", ("a", "town"), "a", 403, "GRANT_ROLE_TOO_HIGH"),
    ("admin_a", "org_admin", ("a", "county"), "a", 403, "GRANT_ROLE_TOO_HIGH"),
    ("city_admin", "org_admin", ("a", "town"), "a", 201, None),
    ("city_admin", "city_admin", "root", "a", 403, "GRANT_ROLE_TOO_HIGH"),
    ("admin_a", "branch_admin", ("b", "branch"), "b", 403, "FORBIDDEN"),
    ("admin_a", "branch_admin", ("a", "branch"), "b", 403, "GRANT_MEMBER_OUT_OF_SCOPE"),
    ("admin_a", "auditor", ("a", "town"), "b", 403, "GRANT_MEMBER_OUT_OF_SCOPE"),
    ("branch_admin", "branch_admin", ("a", "branch"), "a", 403, "FORBIDDEN"),
    ("auditor", "auditor", ("a", "branch"), "a", 403, "FORBIDDEN"),
    ("member", "branch_admin", ("a", "branch"), "a", 403, "FORBIDDEN"),
    ("admin_a", "working_group", ("a", "county"), "a", 403, "GRANT_FROM_ABOVE"),
    ("admin_a", "committee", ("a", "county"), "a", 403, "GRANT_FROM_ABOVE"),
    ("admin_a", "working_group", ("a", "town"), "a", 201, None),
    ("city_admin", "committee", ("a", "county"), "a", 201, None),
    ("city_admin", "working_group", "root", "a", 201, None),
    ("city_admin", "committee", ("a", "town"), "wg_a", 409, "BODIES_EXCLUSIVE"),
    ("city_admin", "committee", "root", "wg_a", 409, "BODIES_EXCLUSIVE"),
    ("city_admin", "committee", ("b", "county"), "wg_a", 201, None),
]


@pytest.mark.parametrize(
    "granter, role, node, grantee, status, code",
    GRANT_RULES,
    ids=[
        f"{g}-{r}-{n if isinstance(n, str) else '_'.join(n)}-{m}-{c or 'granted'}" for g, r, n, m, _, c in GRANT_RULES
    ],
)
def test_grant_rules(city, granter, role, node, grantee, status, code):
    org_id = city.root["org_id"] if node == "root" else city.nodes[node[0]][node[1]]["org_id"]
    if grantee == "self":
        member_id = city.accounts[granter]["member_id"] if granter != "city_admin" else city.admin_member_id()
    else:
        side = "a" if grantee == "wg_a" else grantee
        member_id = city.new_member(city.stack.admin, city.nodes[side]["branch"]["org_id"])["member_id"]
        if grantee == "wg_a":
            sat = city.http.post(
                "/api/v1/role-grants",
                headers=city.stack.admin,
                json={"member_id": member_id, "role": "working_group", "org_id": city.nodes["a"]["county"]["org_id"]},
            )
            assert sat.status_code == 201, sat.text
    response = city.http.post(
        "/api/v1/role-grants",
        headers=city.headers[granter],
        json={"member_id": member_id, "role": role, "org_id": org_id},
    )
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"]["code"] == code


def test_an_admin_takes_back_only_roles_below_their_own(city):
    colleague = city.new_member(city.stack.admin, city.nodes["a"]["branch"]["org_id"])
    peer = city.http.post(
        "/api/v1/role-grants",
        headers=city.stack.admin,
        json={"member_id": colleague["member_id"], "role": "org_admin", "org_id": city.nodes["a"]["town"]["org_id"]},
    ).json()
    refused = city.http.delete(f"/api/v1/role-grants/{peer['grant_id']}", headers=city.headers["admin_a"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "GRANT_ROLE_TOO_HIGH", refused.text
    assert city.http.delete(f"/api/v1/role-grants/{peer['grant_id']}", headers=city.stack.admin).status_code == 204


def test_a_role_grant_repeated_with_its_key_gets_the_first_answer(city):
    target = city.new_member(city.stack.admin, city.nodes["a"]["branch"]["org_id"])
    body = {"member_id": target["member_id"], "role": "branch_admin", "org_id": city.nodes["a"]["branch"]["org_id"]}
    keyed = {**city.headers["admin_a"], "Idempotency-Key": f"grant-{uuid.uuid4().hex}"}
    granted = city.http.post("/api/v1/role-grants", headers=keyed, json=body)
    assert granted.status_code == 201, granted.text
    again = city.http.post("/api/v1/role-grants", headers=keyed, json=body)
    assert (again.status_code, again.json()) == (201, granted.json())
    elsewhere = city.http.post(
        "/api/v1/role-grants", headers=keyed, json={**body, "org_id": city.nodes["a"]["other_branch"]["org_id"]}
    )
    assert elsewhere.status_code == 409 and elsewhere.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    unkeyed = city.http.post("/api/v1/role-grants", headers=city.headers["admin_a"], json=body)
    assert unkeyed.json()["error"]["code"] == "GRANT_EXISTS", "the first call granted the role once"

    revoking = {**city.headers["admin_a"], "Idempotency-Key": f"revoke-{uuid.uuid4().hex}"}
    path = f"/api/v1/role-grants/{granted.json()['grant_id']}"
    assert [city.http.delete(path, headers=revoking).status_code for _ in range(2)] == [204, 204]
    gone = city.http.delete(path, headers=city.headers["admin_a"])
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "GRANT_NOT_FOUND"
    other_county = {**city.headers["admin_b"], "Idempotency-Key": revoking["Idempotency-Key"]}
    assert city.http.delete(path, headers=other_county).status_code == 403, "a repeat is authorised like the first"


def test_an_admin_cannot_move_a_node_out_of_their_subtree(city):
    response = city.http.patch(
        f"/api/v1/orgs/{city.nodes['a']['town']['org_id']}",
        headers=city.headers["admin_a"],
        json={"parent_id": city.nodes["b"]["county"]["org_id"]},
    )
    assert response.status_code == 403


def test_requests_without_a_valid_token_are_401(city):
    path = f"/api/v1/orgs/{city.nodes['a']['branch']['org_id']}"
    assert city.http.get(path).json()["error"]["code"] == "NOT_AUTHENTICATED"
    assert city.get({"Authorization": "Bearer not-a-jwt"}, path).json()["error"]["code"] == "TOKEN_INVALID"
    real = jwt.decode(city.stack.admin["Authorization"].split()[1], options={"verify_signature": False})
    claims = {**real, "exp": int(time.time()) + 60}
    for forged in (
        jwt.encode(claims, "another-secret-of-thirty-two-chars", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "aud": "partyday-refresh"}, DEVELOPMENT_SECRET, algorithm="HS256"),
        jwt.encode({**claims, "exp": int(time.time()) - 5}, DEVELOPMENT_SECRET, algorithm="HS256"),
    ):
        answer = city.get({"Authorization": f"Bearer {forged}"}, path).json()["error"]["code"]
        assert answer in ("TOKEN_INVALID", "TOKEN_EXPIRED")
    genuine = jwt.encode(claims, DEVELOPMENT_SECRET, algorithm="HS256")
    assert city.get({"Authorization": f"Bearer {genuine}"}, path).status_code == 200, "the control case passes"


def test_login_me_refresh_rotation_and_logout(city):
    account = city.accounts["admin_a"]
    login = city.http.post("/api/v1/auth/login", json={"phone": account["phone"], "password": PASSWORD}).json()
    assert login["token_type"] == "bearer" and login["expires_in"] <= 900
    claims = jwt.decode(login["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 900 and claims["aud"] == "partyday-api"
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    me = city.get(headers, "/api/v1/me").json()
    assert me["member_id"] == account["member_id"]
    assert {"role": "org_admin", "org_id": city.nodes["a"]["county"]["org_id"]} in me["roles"]

    refresh_as_access = {"Authorization": f"Bearer {login['refresh_token']}"}
    assert city.get(refresh_as_access, "/api/v1/me").json()["error"]["code"] == "TOKEN_INVALID"

    rotated = city.http.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert rotated.status_code == 200
    reused = city.http.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "REFRESH_REUSED"
    newer = city.http.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert newer.json()["error"]["code"] == "SESSION_REVOKED", "the whole family was revoked"
    assert city.get(headers, "/api/v1/me").json()["error"]["code"] == "SESSION_REVOKED"

    again = city.stack.login(account["phone"], PASSWORD)
    assert city.http.post("/api/v1/auth/logout", headers=again).status_code == 204
    assert city.get(again, "/api/v1/me").json()["error"]["code"] == "SESSION_REVOKED"


def test_wrong_passwords_slow_down_their_address_and_never_lock_the_owner_out(city):
    """Issue 18 changed this: five wrong passwords from anywhere used to lock the phone for 15 minutes."""
    account = city.new_member(city.stack.admin, city.nodes["b"]["branch"]["org_id"])
    with client_from(city.stack, "127.0.0.2") as stranger:
        for _ in range(3):
            wrong = stranger.post("/api/v1/auth/login", json={"phone": account["phone"], "password": "wrong-pass"})
            assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "LOGIN_FAILED"
        slowed = stranger.post("/api/v1/auth/login", json={"phone": account["phone"], "password": PASSWORD})
    assert slowed.status_code == 429 and slowed.json()["error"]["code"] == "LOGIN_THROTTLED"
    assert 0 < int(slowed.headers["Retry-After"]) <= 3
    owner = city.http.post("/api/v1/auth/login", json={"phone": account["phone"], "password": PASSWORD})
    assert owner.status_code == 200, owner.text


def test_a_public_voter_logs_in_with_a_code_and_reaches_no_admin_route(city):
    voter = phone()
    sent = city.http.post("/api/v1/auth/public-code", json={"phone": voter})
    assert sent.status_code == 202

    def code_in_log():
        for line in reversed(city.stack.log("directory").splitlines()):
            if voter in line and "one_time_code" in line:
                return line.split('"one_time_code": "')[1][:6]
        return None

    deadline = time.monotonic() + 5
    while not (code := code_in_log()) and time.monotonic() < deadline:
        time.sleep(0.1)
    tokens = city.http.post("/api/v1/auth/public-login", json={"phone": voter, "code": code})
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    me = city.get(headers, "/api/v1/me").json()
    assert me["kind"] == "public" and me["roles"] == [] and me["member_id"] is None
    assert city.get(headers, f"/api/v1/orgs/{city.nodes['a']['branch']['org_id']}").status_code == 403
    again = city.http.post("/api/v1/auth/public-code", json={"phone": voter})
    assert again.status_code == 429 and "Retry-After" in again.headers


def imported(city, started, actor: str = "admin_a", **params) -> dict:
    """The import the gateway accepted (202, with its Location), followed until it ended; progress is readable
    at every poll."""
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    assert location == f"/api/v1/imports/{started.json()['import_id']}"
    deadline = time.monotonic() + 30
    while True:
        found = city.get(city.headers[actor], location, **params)
        assert found.status_code == 200, found.text
        body = found.json()
        if body["state"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_a_county_admin_imports_a_roster_and_a_member_logs_in(city):
    branch_a = city.nodes["a"]["branch"]["code"]
    branch_b = city.nodes["b"]["branch"]["code"]
    first, second, third = phone(), phone(), phone()
    csv = (
        "姓名,手机号,支部编码,预备党员,流动党员,入党日期\n"
        f"李明,{first},{branch_a},否,是,2010-07-01\n"
        f"王芳,{second},{branch_b},否,否,2012-07-01\n"
        f"赵强,12345,{branch_a},否,否,\n"
        f"孙丽,{third},NO-SUCH-BRANCH,是,否,\n"
    ).encode("utf-8")
    upload = {"file": ("roster.csv", io.BytesIO(csv), "text/csv")}
    body = imported(
        city,
        city.http.post(
            "/api/v1/members/import",
            headers=city.headers["admin_a"],
            files=upload,
            data={"initial_password": "welcome-2026"},
        ),
    )
    assert (body["state"], body["filename"], body["format"]) == ("done", "roster.csv", "csv")
    assert (body["total"], body["accepted"], body["unchanged"], body["rejected"]) == (4, 1, 0, 3)
    reasons = {row["row"]: row["reasons"] for row in body["rejected_rows"]["items"]}
    assert reasons == {3: ["OUT_OF_SCOPE"], 4: ["PHONE_INVALID"], 5: ["UNKNOWN_BRANCH"]}

    again = imported(
        city,
        city.http.post(
            "/api/v1/members/import",
            headers=city.headers["admin_a"],
            files={"file": ("roster.csv", io.BytesIO(csv), "text/csv")},
            data={"initial_password": "welcome-2026"},
        ),
    )
    assert (again["accepted"], again["unchanged"]) == (0, 1), "importing the same file again changes nothing"

    member = city.stack.login(first, "welcome-2026")
    me = city.get(member, "/api/v1/me").json()
    assert me["name"] == "李明" and me["org_id"] == city.nodes["a"]["branch"]["org_id"]
    assert (
        city.http.post(
            "/api/v1/members/import",
            headers=city.headers["member"],
            files={"file": ("roster.csv", io.BytesIO(csv), "text/csv")},
        ).status_code
        == 403
    )


def test_an_import_is_read_by_whoever_started_it_or_covers_its_branches_a_page_at_a_time(city):
    branch_a = city.nodes["a"]["branch"]["code"]
    csv = "姓名,手机号,支部编码\n" + "".join(f"成员{n},{phone() if n % 2 else 'bad'},{branch_a}\n" for n in range(6))
    started = city.http.post(
        "/api/v1/members/import",
        headers=city.headers["branch_admin"],
        files={"file": ("roster.csv", io.BytesIO(csv.encode()), "text/csv")},
    )
    body = imported(city, started, "branch_admin", page=2, page_size=2)
    assert (body["accepted"], body["rejected"]) == (3, 3)
    assert [row["row"] for row in body["rejected_rows"]["items"]] == [6] and body["rejected_rows"]["total"] == 3
    assert body["rejected_rows"]["items"][0]["messages"] == [
        "the phone is not a mainland mobile number (11 digits starting with 13 to 19)"
    ]
    location = started.headers["Location"]
    for actor, status in (("admin_a", 200), ("city_admin", 200), ("auditor", 200), ("admin_b", 403), ("member", 403)):
        assert city.get(city.headers[actor], location).status_code == status, actor
    assert city.get(city.headers["admin_a"], "/api/v1/imports/no-such-import").status_code == 404


def test_a_file_that_is_not_a_roster_is_refused_with_a_reason(city):
    response = city.http.post(
        "/api/v1/members/import",
        headers=city.headers["admin_a"],
        files={"file": ("photo.csv", io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00binary"), "text/csv")},
    )
    body = imported(city, response)
    assert body["state"] == "failed" and body["error"]["code"] == "ROSTER_UNREADABLE"


def test_a_roster_over_the_size_limit_is_refused_while_it_streams(city):
    response = city.http.post(
        "/api/v1/members/import",
        headers=city.headers["admin_a"],
        files={"file": ("big.csv", io.BytesIO(b"x" * 2_000_001), "text/csv")},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "ROSTER_TOO_LARGE"


def test_administrative_actions_are_in_the_audit_log_with_actor_and_address(city):
    response = city.http.patch(
        f"/api/v1/orgs/{city.nodes['a']['other_branch']['org_id']}",
        headers=city.headers["admin_a"],
        json={"name": "审计支部"},
    )
    assert response.status_code == 200
    entries = city.get(city.headers["admin_a"], "/api/v1/audit").json()["items"]
    newest = entries[0]
    assert newest["action"] == "org.update" and newest["actor_id"] == city.accounts["admin_a"]["member_id"]
    assert newest["client_ip"] == "127.0.0.1" and newest["target_id"] == city.nodes["a"]["other_branch"]["org_id"]
    county_b_entries = city.get(city.headers["admin_b"], "/api/v1/audit").json()["items"]
    assert all(entry["target_id"] != city.nodes["a"]["other_branch"]["org_id"] for entry in county_b_entries)


def test_the_cli_imports_a_roster_citywide_through_the_directory(city, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    number = phone()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"name,phone,branch_code\n陈静,{number},{city.nodes['b']['branch']['code']}\n"
        f"周涛,not-a-phone,{city.nodes['b']['branch']['code']}\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).parent / "partyday-import-roster"),
        str(roster),
        "--initial-password",
        "cli-welcome-1",
        "--report",
        str(report),
    ]
    done = subprocess.run(command, env=city.stack.environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "2 rows: 1 accepted, 0 unchanged, 1 rejected" in done.stdout
    assert "row 3: PHONE_INVALID" in done.stdout
    assert json.loads(report.read_text())["rejected_rows"] == [
        {
            "row": 3,
            "reasons": ["PHONE_INVALID"],
            "messages": ["the phone is not a mainland mobile number (11 digits starting with 13 to 19)"],
        }
    ]
    me = city.get(city.stack.login(number, "cli-welcome-1"), "/api/v1/me").json()
    assert me["org_id"] == city.nodes["b"]["branch"]["org_id"]


def test_an_admin_cannot_take_over_a_member_who_holds_a_wider_role(city):
    auditor = city.accounts["auditor"]["member_id"]
    for actor in ("branch_admin", "admin_a"):
        changed = city.http.patch(
            f"/api/v1/members/{auditor}", headers=city.headers[actor], json={"password": "taken-over-1"}
        )
        assert changed.status_code == 403, changed.text
        left = city.http.post(f"/api/v1/members/{auditor}/leave", headers=city.headers[actor])
        assert left.status_code == 403
    colleague = city.accounts["branch_admin"]["member_id"]
    assert (
        city.http.patch(
            f"/api/v1/members/{colleague}", headers=city.headers["admin_a"], json={"name": "新名字"}
        ).status_code
        == 200
    ), "an org admin may manage a branch admin below"


def test_transfers_need_reach_over_both_branches(city):
    target = city.new_member(city.stack.admin, city.nodes["b"]["branch"]["org_id"])
    pulled = city.http.post(
        f"/api/v1/members/{target['member_id']}/transfer",
        headers=city.headers["admin_a"],
        json={"to_org_id": city.nodes["a"]["branch"]["org_id"]},
    )
    assert pulled.status_code == 403, "admin A cannot pull a member out of county B"
    mine = city.new_member(city.stack.admin, city.nodes["a"]["branch"]["org_id"])
    pushed = city.http.post(
        f"/api/v1/members/{mine['member_id']}/transfer",
        headers=city.headers["admin_a"],
        json={"to_org_id": city.nodes["b"]["branch"]["org_id"]},
    )
    assert pushed.status_code == 403, "nor push one into county B"
    assert (
        city.http.post(
            f"/api/v1/members/{mine['member_id']}/transfer",
            headers=city.stack.admin,
            json={"to_org_id": city.nodes["b"]["branch"]["org_id"]},
        ).status_code
        == 200
    )


def test_a_new_password_ends_the_members_sessions(city):
    account = city.new_member(city.stack.admin, city.nodes["a"]["branch"]["org_id"])
    session = city.stack.login(account["phone"], PASSWORD)
    assert city.get(session, "/api/v1/me").status_code == 200
    assert (
        city.http.patch(
            f"/api/v1/members/{account['member_id']}",
            headers=city.headers["admin_a"],
            json={"password": "new-pass-123", "name": None},
        ).status_code
        == 200
    )
    assert city.get(session, "/api/v1/me").json()["error"]["code"] == "SESSION_REVOKED"
    assert city.get(city.stack.login(account["phone"], "new-pass-123"), "/api/v1/me").status_code == 200
