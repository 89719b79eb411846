"""The routes the console's people pages use, through the gateway with every service running: members searched
within reach, role grants listed within reach, an organisation's schedule read by its members, guests found
citywide by the activity's admin with their phones masked, and the reasons of a transfer and a leave on record."""

from datetime import datetime, timedelta, timezone

import pytest

PASSWORD = "people-e2e-1"
STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_RPC_TIMEOUT_S": "6"}
VENUE = {"name": "活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}


@pytest.fixture(scope="module")
def town(stack):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "城固县委")
    township = stack.create_org(county, "township", "博望镇")
    east, west = stack.create_org(township, "branch", "东村党支部"), stack.create_org(township, "branch", "西村党支部")
    people = {
        "admin": stack.create_member(east, PASSWORD, name="县管理员"),
        "secretary": stack.create_member(east, PASSWORD, name="东书记"),
        "member": stack.create_member(east, PASSWORD, name="东党员", mobile=True),
        "guest": stack.create_member(west, PASSWORD, name="西来宾"),
    }
    stack.grant(people["secretary"], "branch_admin", east)
    stack.grant(people["admin"], "org_admin", county)
    now = datetime.now(timezone.utc)
    activity = stack.approved_activity(
        east, now + timedelta(hours=2), now + timedelta(hours=3), theme="主题党日", venue=VENUE
    )
    return {"county": county, "township": township, "east": east, "west": west, "people": people, "activity": activity}


def headers(stack, who: dict) -> dict:
    return stack.login(who["phone"], PASSWORD)


def test_members_are_searched_within_the_callers_reach(stack, town):
    people = town["people"]
    secretary = headers(stack, people["secretary"])
    mine = stack.http.get(f"/api/v1/orgs/{town['east']}/members", params={"q": "东党"}, headers=secretary)
    assert [m["name"] for m in mine.json()["items"]] == ["东党员"] and mine.json()["items"][0][
        "branch_name"
    ] == "东村党支部"
    by_phone = stack.http.get(
        f"/api/v1/orgs/{town['east']}/members", params={"q": people["member"]["phone"][-5:]}, headers=secretary
    )
    assert [m["name"] for m in by_phone.json()["items"]] == ["东党员"]
    mobile = stack.http.get(f"/api/v1/orgs/{town['east']}/members", params={"mobile": "true"}, headers=secretary)
    assert [m["name"] for m in mobile.json()["items"]] == ["东党员"]
    beyond = stack.http.get(f"/api/v1/orgs/{town['township']}/members", params={"q": "西"}, headers=secretary)
    assert (beyond.status_code, beyond.json()["error"]["code"]) == (403, "FORBIDDEN")


def test_grants_are_listed_within_reach(stack, town):
    people = town["people"]
    admin, secretary = headers(stack, people["admin"]), headers(stack, people["secretary"])
    listed = stack.http.get("/api/v1/role-grants", params={"org_id": town["county"]}, headers=admin).json()
    assert sorted((g["member_name"], g["role"]) for g in listed["items"]) == [
        ("东书记", "branch_admin"),
        ("县管理员", "org_admin"),
    ]
    own = stack.http.get(
        "/api/v1/role-grants", params={"member_id": people["secretary"]["member_id"]}, headers=secretary
    )
    assert [(g["role"], g["org_name"]) for g in own.json()["items"]] == [("branch_admin", "东村党支部")]
    above = stack.http.get("/api/v1/role-grants", params={"org_id": town["county"]}, headers=secretary)
    assert above.status_code == 403
    member = headers(stack, people["member"])
    other = stack.http.get(
        "/api/v1/role-grants", params={"member_id": people["secretary"]["member_id"]}, headers=member
    )
    assert other.status_code == 403


def test_a_schedule_is_read_by_the_branchs_members_and_set_above(stack, town):
    people = town["people"]
    admin, member = headers(stack, people["admin"]), headers(stack, people["member"])
    put = stack.http.put(f"/api/v1/orgs/{town['township']}/schedule", json={"party_day": 12}, headers=admin)
    assert put.status_code == 200, put.text
    read = stack.http.get(f"/api/v1/orgs/{town['east']}/schedule", headers=member)
    assert read.status_code == 200, read.text
    assert (read.json()["party_day"], read.json()["own"], read.json()["from_org_id"]) == (12, False, town["township"])
    guest = headers(stack, people["guest"])
    assert stack.http.get(f"/api/v1/orgs/{town['east']}/schedule", headers=guest).status_code == 403


def test_guests_are_found_citywide_by_the_activitys_admin_with_masked_phones(stack, town):
    people, activity = town["people"], town["activity"]
    secretary = headers(stack, people["secretary"])
    found = stack.http.get(f"/api/v1/activities/{activity}/guest-candidates", params={"q": "西来"}, headers=secretary)
    assert found.status_code == 200, found.text
    [candidate] = found.json()["items"]
    phone = people["guest"]["phone"]
    assert candidate == {
        "member_id": people["guest"]["member_id"],
        "name": "西来宾",
        "branch_name": "西村党支部",
        "phone": f"{phone[:3]}****{phone[-4:]}",
    }
    short = stack.http.get(f"/api/v1/activities/{activity}/guest-candidates", params={"q": "西"}, headers=secretary)
    assert short.status_code == 400
    member = headers(stack, people["member"])
    refused = stack.http.get(f"/api/v1/activities/{activity}/guest-candidates", params={"q": "西来"}, headers=member)
    assert refused.status_code == 403


def test_a_transfers_and_a_leaves_reasons_are_on_record(stack, town):
    people = town["people"]
    admin = headers(stack, people["admin"])
    mover = stack.create_member(town["east"], PASSWORD, name="调动者")
    moved = stack.http.post(
        f"/api/v1/members/{mover['member_id']}/transfer",
        json={"to_org_id": town["west"], "reason": "工作调动"},
        headers=admin,
    )
    assert moved.status_code == 200 and moved.json()["branch_id"] == town["west"]
    left = stack.http.post(f"/api/v1/members/{mover['member_id']}/leave", json={"reason": "迁出本市"}, headers=admin)
    assert left.status_code == 200 and left.json()["active"] is False
    entries = stack.http.get(
        "/api/v1/audit",
        params={"target_id": mover["member_id"], "actor_id": people["admin"]["member_id"]},
        headers=admin,
    ).json()["items"]
    reasons = {(entry["action"], entry["details"]["reason"]) for entry in entries}
    assert reasons == {("member.transfer", "工作调动"), ("member.leave", "迁出本市")}
