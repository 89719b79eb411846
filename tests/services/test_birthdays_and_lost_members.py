"""Political birthdays and the lost-contact register on RabbitMQ and PostgreSQL: the directory lists a branch's
birthdays of a month by its one rule and plans marks an approved plan's celebration once, audited; the register
sets and clears the member's flag with each change announced, keeps steps, refuses a second open entry and acts on
a closed one, and moves a member found elsewhere by the transfer rule."""

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import MetaData, Table, select

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_directory.service import DirectoryService
from partyday_plans.service import PlansService
from tests.services.helpers import wait_until

MONTH = "2026-12"
IN_MONTH = "2026-12-01T10:00:00+08:00"
ADMIN = {"actor_id": "county-admin", "client_ip": "10.0.0.9"}


@pytest.fixture
def services(container_factory, make_config, databases):
    containers = {}
    for name, cls in (("plans", PlansService), ("directory", DirectoryService)):
        url = databases.create(name)
        upgrade(name, url)
        containers[name] = container_factory(cls, make_config(name, url=url))
        containers[name].start()
        containers[name].url = url
    return containers


def call(container, method, *args, context=None, **kwargs):
    with entrypoint_hook(container, method, context_data=context) as hook:
        return hook(*args, **kwargs)


def refused(container, method, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(container, method, *args, **kwargs)
    return raised.value


def outbox(container, event_type) -> list[dict]:
    engine = make_engine(container.url)
    table = Table("outbox_messages", MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        bodies = connection.execute(
            select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.id)
        ).scalars()
        found = [body["data"] for body in bodies]
    engine.dispose()
    return found


@pytest.fixture
def city(services):
    directory, plans = services["directory"], services["plans"]
    root = call(directory, "find_org_by_code", "HZ")
    county = call(directory, "create_org", {"name": "汉台区委", "level": "county", "parent_id": root["org_id"]})
    town = call(directory, "create_org", {"name": "北关街道", "level": "township", "parent_id": county["org_id"]})
    branch = call(directory, "create_org", {"name": "一支部", "level": "branch", "parent_id": town["org_id"]})
    other = call(directory, "create_org", {"name": "二支部", "level": "branch", "parent_id": town["org_id"]})
    people = {}
    for index, (name, joined_on) in enumerate(
        [("王书记", "1985-12-01"), ("新党员", "2026-12-01"), ("闰日生", "2000-02-29"), ("未登记", None)]
    ):
        payload = {"name": name, "phone": f"1390000000{index}", "branch_id": branch["org_id"]}
        people[name] = call(directory, "create_member", {**payload, **({"joined_on": joined_on} if joined_on else {})})

    def known():
        try:
            return call(plans, "branch_month", other["org_id"], MONTH)
        except DomainError:
            return None

    wait_until(known, message="plans knows the tree")
    return {"county": county, "town": town, "branch": branch, "other": other, "people": people}


def test_the_months_birthdays_come_from_the_one_rule_and_the_plan_marks_them_once(services, city):
    directory, plans, branch = services["directory"], services["plans"], city["branch"]
    december = call(directory, "political_birthdays", branch["org_id"], MONTH)
    assert [(item["name"], item["years"], item["anniversary_on"]) for item in december["items"]] == [
        ("王书记", 41, "2026-12-01")
    ], "a member who joined this December has no anniversary yet"
    february = call(directory, "political_birthdays", branch["org_id"], "2027-02")["items"]
    assert [(item["name"], item["anniversary_on"], item["years"]) for item in february] == [
        ("闰日生", "2027-02-28", 27)
    ]
    assert refused(directory, "political_birthdays", branch["org_id"], "2026-13").code == "MONTH_INVALID"
    assert refused(directory, "political_birthdays", city["county"]["org_id"], MONTH).code == "BRANCH_REQUIRED"

    plan = call(
        plans,
        "create_plan",
        {
            "branch_id": branch["org_id"],
            "month": MONTH,
            "theme": "重温入党誓词，过政治生日",
            "starts_at": "2026-12-07T09:00:00+08:00",
            "ends_at": "2026-12-07T11:00:00+08:00",
            "venue": {"name": "党员活动室", "lat": 33.07, "lon": 107.03},
            "required_actions": ["重温入党誓词"],
        },
        now=IN_MONTH,
    )
    early = refused(plans, "mark_birthdays_celebrated", plan["plan_id"], context=ADMIN)
    assert (early.code, early.status) == ("PLAN_NOT_APPROVED", 409)
    call(plans, "submit_plan", plan["plan_id"], now=IN_MONTH)
    call(plans, "approve_plan", plan["plan_id"], now=IN_MONTH)
    secretary = {"actor_id": city["people"]["王书记"]["member_id"]}
    marked = call(plans, "mark_birthdays_celebrated", plan["plan_id"], context=secretary, idempotency_key="mark-1")
    assert marked["birthdays_celebrated"]["by"] == secretary["actor_id"] and marked["birthdays_celebrated"]["at"]
    again = call(plans, "mark_birthdays_celebrated", plan["plan_id"], context=ADMIN)
    assert again["birthdays_celebrated"] == marked["birthdays_celebrated"], "marking again keeps the first mark"
    assert call(plans, "get_plan", plan["plan_id"])["birthdays_celebrated"] == marked["birthdays_celebrated"]
    month = call(plans, "branch_month", branch["org_id"], MONTH)
    assert month["plan"]["birthdays_celebrated"] == marked["birthdays_celebrated"]
    acts = [act for act in outbox(plans, "administrative_act") if act["action"] == "plan.birthdays_celebrated"]
    assert [(act["actor_id"], act["target_id"]) for act in acts] == [(secretary["actor_id"], plan["plan_id"])]
    wait_until(
        lambda: call(directory, "audit_entries", None, filters={"action": "plan.birthdays_celebrated"})["total"] == 1,
        message="the mark in the one audit log",
    )


def test_the_register_follows_a_lost_member_until_found_or_transferred(services, city):
    directory = services["directory"]
    lost = city["people"]["新党员"]["member_id"]
    payload = {"member_id": lost, "since": "2026-03-01", "last_contact": "13900000001（本人）"}
    entry = call(directory, "register_lost_member", payload, context=ADMIN, idempotency_key="reg-1")
    assert entry["status"] == "open" and entry["last_branch_id"] == city["branch"]["org_id"]
    assert call(directory, "register_lost_member", payload, context=ADMIN, idempotency_key="reg-1") == entry
    twice = refused(directory, "register_lost_member", payload, context=ADMIN)
    assert (twice.code, twice.status) == ("ALREADY_REGISTERED", 409)
    assert call(directory, "get_member", lost)["lost_contact"] is True
    cleared = refused(directory, "update_member", lost, {"lost_contact": False})
    assert (cleared.code, cleared.status) == ("LOST_ENTRY_OPEN", 409), "the flag follows the register"

    step = {"what": "电话联系，号码已停机"}
    call(directory, "add_lost_member_step", entry["entry_id"], step, context=ADMIN, idempotency_key="step-1")
    stepped = call(directory, "add_lost_member_step", entry["entry_id"], step, context=ADMIN, idempotency_key="step-1")
    assert [(s["what"], s["taken_by"]) for s in stepped["steps"]] == [("电话联系，号码已停机", "county-admin")]
    assert refused(directory, "add_lost_member_step", entry["entry_id"], {"what": " "}).status in (400, 422)

    listed = call(directory, "list_lost_members", city["county"]["org_id"], status="open")
    assert [item["entry_id"] for item in listed["items"]] == [entry["entry_id"]] and listed["total"] == 1
    counts = call(directory, "lost_member_counts", city["town"]["org_id"])
    assert counts["open"] == 1 and {c["name"]: c["open"] for c in counts["children"]} == {"一支部": 1, "二支部": 0}

    found = call(directory, "lost_member_found", entry["entry_id"], {"note": "已回乡，恢复联系"}, context=ADMIN)
    assert found["status"] == "found" and call(directory, "get_member", lost)["lost_contact"] is False
    closed = refused(directory, "lost_member_found", entry["entry_id"], {}, context=ADMIN)
    assert (closed.code, closed.status) == ("ENTRY_CLOSED", 409)
    flags = [event["lost_contact"] for event in outbox(directory, "member_updated") if event["member_id"] == lost]
    assert flags == [True, False], "each change of the flag is announced"

    elsewhere = city["people"]["未登记"]["member_id"]
    second = call(directory, "register_lost_member", {"member_id": elsewhere, "since": "2025-10-01"}, context=ADMIN)
    moved = call(
        directory, "lost_member_transferred", second["entry_id"], {"to_org_id": city["other"]["org_id"]}, context=ADMIN
    )
    assert moved["status"] == "transferred" and moved["transferred_to_org_id"] == city["other"]["org_id"]
    member = call(directory, "get_member", elsewhere)
    assert member["branch_id"] == city["other"]["org_id"] and member["lost_contact"] is False
    assert [event["member_id"] for event in outbox(directory, "member_transferred")] == [elsewhere]
    actions = {
        item["action"]
        for item in call(directory, "audit_entries", [city["county"]["path"]], page_size=100)["items"]
        if item["actor_id"] == "county-admin"
    }
    assert {
        "lost_member.register",
        "lost_member.step",
        "lost_member.found",
        "lost_member.transferred",
        "member.transfer",
    } <= actions
    assert call(directory, "lost_member_counts", city["county"]["org_id"])["open"] == 0
