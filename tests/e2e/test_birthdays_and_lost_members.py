"""Political birthdays and lost members through the gateway with every service running: the secretary reads the
month's birthdays for the branch's plan, is told them in the inbox, and marks them celebrated on the plan; a county
admin registers a lost member (the flag set), adds a step and marks them found (the flag cleared), transfers
another found elsewhere; a branch's admin may not act on a member outside their subtree."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

PASSWORD = "birthdays-e2e-1"
STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_RPC_TIMEOUT_S": "6"}
VENUE = {"name": "活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}


@pytest.fixture(scope="module")
def town(stack):
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai"))
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "洋县县委")
    township = stack.create_org(county, "township", "谢村镇")
    east, west = stack.create_org(township, "branch", "东村党支部"), stack.create_org(township, "branch", "西村党支部")
    people = {
        "admin": stack.create_member(east, PASSWORD, name="县管理员"),
        "secretary": stack.create_member(east, PASSWORD, name="东书记"),
        "veteran": stack.create_member(east, PASSWORD, name="老党员", joined_on=f"{month.year - 10}-{month:%m}-01"),
        "newcomer": stack.create_member(east, PASSWORD, name="新党员", joined_on=f"{month.year}-{month:%m}-01"),
        "lost": stack.create_member(east, PASSWORD, name="失联党员"),
        "moved": stack.create_member(east, PASSWORD, name="外出党员"),
        "west_secretary": stack.create_member(west, PASSWORD, name="西书记"),
    }
    stack.grant(people["secretary"], "branch_admin", east)
    stack.grant(people["west_secretary"], "branch_admin", west)
    stack.grant(people["admin"], "org_admin", county)
    activity = stack.approved_activity(
        east, now + timedelta(hours=2), now + timedelta(hours=3), theme="重温入党誓词", venue=VENUE
    )
    return {
        "county": county,
        "township": township,
        "east": east,
        "west": west,
        "people": people,
        "activity": activity,
        "month": f"{month:%Y-%m}",
    }


def headers(stack, who: dict) -> dict:
    return stack.login(who["phone"], PASSWORD)


def test_the_secretary_sees_the_months_birthdays_on_the_plan_and_marks_them_celebrated(stack, town):
    people, month = town["people"], town["month"]
    secretary = headers(stack, people["secretary"])
    found = stack.http.get(
        f"/api/v1/branches/{town['east']}/political-birthdays", params={"month": month}, headers=secretary
    )
    assert found.status_code == 200, found.text
    assert [(item["name"], item["years"]) for item in found.json()["items"]] == [("老党员", 10)]
    bad = stack.http.get(
        f"/api/v1/branches/{town['east']}/political-birthdays", params={"month": "2026-13"}, headers=secretary
    )
    assert bad.status_code == 422 or bad.status_code == 400
    told = wait_for(
        lambda: [
            item
            for item in stack.http.get("/api/v1/me/notifications", headers=secretary).json()["items"]
            if item["kind"] == "political_birthdays"
        ],
        message="the secretary told the month's birthdays",
    )
    assert "老党员" in told[0]["body"] and "新党员" not in told[0]["body"]

    plan = stack.http.get(f"/api/v1/branches/{town['east']}/months/{month}", headers=secretary).json()["plan"]
    assert plan["birthdays_celebrated"] is None
    key = {**secretary, "Idempotency-Key": "birthdays-celebrated-1"}
    marked = stack.http.post(f"/api/v1/plans/{plan['plan_id']}/birthdays-celebrated", headers=key)
    assert marked.status_code == 200, marked.text
    assert marked.json()["birthdays_celebrated"]["by"] == people["secretary"]["member_id"]
    again = stack.http.post(f"/api/v1/plans/{plan['plan_id']}/birthdays-celebrated", headers=key)
    assert again.json() == marked.json()
    month_view = stack.http.get(f"/api/v1/branches/{town['east']}/months/{month}", headers=secretary).json()
    assert month_view["plan"]["birthdays_celebrated"] == marked.json()["birthdays_celebrated"]
    west = headers(stack, people["west_secretary"])
    beyond = stack.http.post(f"/api/v1/plans/{plan['plan_id']}/birthdays-celebrated", headers=west)
    assert beyond.status_code == 403
    admin = headers(stack, people["admin"])
    wait_for(
        lambda: (
            stack.http.get("/api/v1/audit", params={"action": "plan.birthdays_celebrated"}, headers=admin).json()[
                "total"
            ]
            == 1
        ),
        message="the mark audited",
    )


def test_a_county_admin_registers_a_lost_member_takes_steps_and_finds_them(stack, town):
    people = town["people"]
    admin, west = headers(stack, people["admin"]), headers(stack, people["west_secretary"])
    lost = people["lost"]["member_id"]
    body = {"member_id": lost, "since": "2026-03-01", "last_contact": "外出务工，最后联系电话13800000000"}
    outside = stack.http.post("/api/v1/lost-members", json=body, headers=west)
    assert (outside.status_code, outside.json()["error"]["code"]) == (403, "FORBIDDEN")
    keyed = {**admin, "Idempotency-Key": "register-lost-1"}
    registered = stack.http.post("/api/v1/lost-members", json=body, headers=keyed)
    assert registered.status_code == 201, registered.text
    assert stack.http.post("/api/v1/lost-members", json=body, headers=keyed).json() == registered.json()
    twice = stack.http.post("/api/v1/lost-members", json=body, headers=admin)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "ALREADY_REGISTERED")
    future = stack.http.post(
        "/api/v1/lost-members", json={"member_id": people["moved"]["member_id"], "since": "2999-01-01"}, headers=admin
    )
    assert (future.status_code, future.json()["error"]["code"]) == (422, "SINCE_IN_FUTURE")
    assert stack.http.get(f"/api/v1/members/{lost}", headers=admin).json()["lost_contact"] is True

    entry = registered.json()["entry_id"]
    stepped = stack.http.post(f"/api/v1/lost-members/{entry}/steps", json={"what": "电话联系家属"}, headers=admin)
    assert stepped.status_code == 200, stepped.text
    assert [(s["what"], s["taken_by_name"]) for s in stepped.json()["steps"]] == [("电话联系家属", "县管理员")]
    listed = stack.http.get(f"/api/v1/orgs/{town['township']}/lost-members", params={"status": "open"}, headers=admin)
    assert [item["member_name"] for item in listed.json()["items"]] == ["失联党员"]
    assert stack.http.get(f"/api/v1/orgs/{town['township']}/lost-members", headers=west).status_code == 403
    assert stack.http.get(f"/api/v1/lost-members/{entry}", headers=west).status_code == 403
    counts = stack.http.get(f"/api/v1/orgs/{town['county']}/lost-members/counts", headers=admin).json()
    assert counts["open"] == 1 and counts["children"] == [{"org_id": town["township"], "name": "谢村镇", "open": 1}]

    found = stack.http.post(f"/api/v1/lost-members/{entry}/found", json={"note": "已取得联系"}, headers=admin)
    assert found.status_code == 200 and found.json()["status"] == "found"
    assert stack.http.get(f"/api/v1/members/{lost}", headers=admin).json()["lost_contact"] is False
    closed = stack.http.post(f"/api/v1/lost-members/{entry}/steps", json={"what": "再次走访"}, headers=admin)
    assert (closed.status_code, closed.json()["error"]["code"]) == (409, "ENTRY_CLOSED")
    audited = stack.http.get("/api/v1/audit", params={"target_id": entry}, headers=admin).json()["items"]
    assert {"lost_member.register", "lost_member.step", "lost_member.found"} <= {i["action"] for i in audited}


def test_a_lost_member_found_elsewhere_is_transferred(stack, town):
    people = town["people"]
    admin = headers(stack, people["admin"])
    moved = people["moved"]["member_id"]
    entry = stack.http.post("/api/v1/lost-members", json={"member_id": moved, "since": "2025-06-01"}, headers=admin)
    assert entry.status_code == 201, entry.text
    entry_id = entry.json()["entry_id"]
    secretary = headers(stack, people["secretary"])
    beyond = stack.http.post(
        f"/api/v1/lost-members/{entry_id}/transferred", json={"to_org_id": town["west"]}, headers=secretary
    )
    assert beyond.status_code == 403, "a branch's admin does not move a member into another branch"
    transferred = stack.http.post(
        f"/api/v1/lost-members/{entry_id}/transferred", json={"to_org_id": town["west"]}, headers=admin
    )
    assert transferred.status_code == 200, transferred.text
    assert transferred.json()["status"] == "transferred"
    member = stack.http.get(f"/api/v1/members/{moved}", headers=admin).json()
    assert member["branch_id"] == town["west"] and member["lost_contact"] is False
