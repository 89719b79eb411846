"""The plans service: directives, the plan lifecycle, approval into an activity, deadlines, rectification."""

from datetime import datetime, timezone

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_directory.service import DirectoryService
from partyday_plans.models import metadata
from partyday_plans.service import PlansService
from tests.services.helpers import wait_until

MONTH = "2026-12"
START = "2026-12-07T09:00:00+08:00"
END = "2026-12-07T11:00:00+08:00"
# Plans are drafted and approved before their month ends: these tests' December is kept open whatever the clock.
IN_MONTH = "2026-12-01T10:00:00+08:00"


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


def outbox(container, event_type):
    engine = make_engine(container.url)
    table = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        bodies = (
            connection.execute(select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.id))
            .scalars()
            .all()
        )
    engine.dispose()
    return [body["data"] for body in bodies]


@pytest.fixture
def city(services):
    directory, plans = services["directory"], services["plans"]
    root = call(directory, "find_org_by_code", "HZ")
    county = call(directory, "create_org", {"name": "汉台区委", "level": "county", "parent_id": root["org_id"]})
    town = call(directory, "create_org", {"name": "北关街道", "level": "township", "parent_id": county["org_id"]})
    branch = call(directory, "create_org", {"name": "一支部", "level": "branch", "parent_id": town["org_id"]})
    other = call(directory, "create_org", {"name": "二支部", "level": "branch", "parent_id": town["org_id"]})
    for name, mobile in (("张红梅", False), ("李流动", True)):
        call(
            directory,
            "create_member",
            {"name": name, "phone": "1390000000" + str(int(mobile)), "branch_id": branch["org_id"], "mobile": mobile},
        )

    def known():
        try:
            return call(plans, "branch_month", other["org_id"], MONTH)
        except DomainError:
            return None

    wait_until(known, message="plans knows the tree")
    return {"root": root, "county": county, "town": town, "branch": branch, "other": other}


def draft_payload(branch, **changes) -> dict:
    return {
        "branch_id": branch["org_id"],
        "month": MONTH,
        "theme": "学习二十届四中全会精神",
        "starts_at": START,
        "ends_at": END,
        "venue": {"name": "党员活动室", "lat": 33.07, "lon": 107.03},
        "required_actions": ["诵读党章", "缴纳党费"],
        "optional_actions": ["志愿服务"],
        **changes,
    }


def draft(plans, branch, idempotency_key=None, **changes):
    return call(plans, "create_plan", draft_payload(branch, **changes), now=IN_MONTH, idempotency_key=idempotency_key)


def test_a_directive_becomes_every_branchs_task(services, city):
    plans = services["plans"]
    published = call(
        plans,
        "publish_directive",
        {
            "org_id": city["county"]["org_id"],
            "month": MONTH,
            "theme": "不忘初心",
            "required_actions": ["诵读党章"],
            "plan_deadline_day": 3,
        },
    )
    for branch in (city["branch"], city["other"]):
        month = call(plans, "branch_month", branch["org_id"], MONTH)
        assert [d["directive_id"] for d in month["directives"]] == [published["directive_id"]]
        assert month["required_actions"] == ["诵读党章"]
        assert month["plan_due"] == "2026-12-04T00:00:00+08:00"
    assert call(plans, "directives", city["root"]["org_id"], MONTH) == [], "a directive applies downwards only"
    [event] = outbox(plans, "directive_published")
    assert event["org_path"] == city["county"]["path"]
    with pytest.raises(DomainError) as raised:
        call(plans, "publish_directive", {"org_id": city["town"]["org_id"], "month": MONTH, "theme": "x"})
    assert raised.value.code == "DIRECTIVE_LEVEL_INVALID"


def test_the_whole_lifecycle_from_draft_to_archive(services, city):
    plans = services["plans"]
    plan = draft(plans, city["branch"])
    assert plan["status"] == "draft" and plan["venue"]["radius_m"] == 300
    submitted = call(plans, "submit_plan", plan["plan_id"], now="2026-12-01T10:00:00+08:00")
    assert submitted["status"] == "submitted" and submitted["submitted_late"] is False
    returned = call(plans, "return_plan", plan["plan_id"], "请补充学习材料")
    assert returned["status"] == "returned" and returned["review_comment"] == "请补充学习材料"
    [told] = outbox(plans, "plan_returned")
    assert told["review_comment"] == "请补充学习材料", "the secretary is told the comment"
    call(plans, "edit_plan", plan["plan_id"], {"optional_actions": ["志愿服务", "走访慰问"]})
    late = call(plans, "submit_plan", plan["plan_id"], now="2026-12-06T09:00:00+08:00")
    assert late["submitted_late"] is True, "a late plan is accepted and flagged, never refused"
    approved = call(plans, "approve_plan", plan["plan_id"], now=IN_MONTH)
    assert approved["status"] == "published" and approved["activity_id"]

    [event] = outbox(plans, "plan_approved")
    assert event["activity_id"] == approved["activity_id"] and event["radius_m"] == 300
    assert datetime.fromisoformat(event["starts_at"]) == datetime(2026, 12, 7, 1, tzinfo=timezone.utc)
    assert sorted((m["name"], m["mobile"]) for m in event["roster"]) == [("张红梅", False), ("李流动", True)]
    assert event["attendance_rules"] == {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}
    assert event["required_actions"] == plan["required_actions"]

    with pytest.raises(DomainError) as raised:
        call(plans, "submit_summary", approved["activity_id"], "总结", now="2026-12-07T10:00:00+08:00")
    assert raised.value.code == "ACTIVITY_NOT_ENDED"
    assert call(plans, "check_deadlines", now="2026-12-07T12:00:00+08:00")["plans_moved"] == 1
    assert call(plans, "get_plan", plan["plan_id"])["status"] == "held"
    summarized = call(plans, "submit_summary", approved["activity_id"], "活动圆满完成", now="2026-12-20T10:00:00+08:00")
    assert summarized["status"] == "summarized" and summarized["summary_late"] is False
    [summary_event] = outbox(plans, "summary_submitted")
    assert summary_event["activity_id"] == approved["activity_id"] and summary_event["summary_chars"] == 6
    call(plans, "check_deadlines", now="2026-12-26T00:00:01+08:00")
    assert call(plans, "get_plan", plan["plan_id"])["status"] == "archived"
    assert [e["status"] for e in outbox(plans, "plan_archived")] == ["archived"]


def test_a_plan_for_a_month_that_has_ended_is_neither_drafted_nor_approved_but_its_summary_still_comes(services, city):
    plans = services["plans"]
    november = {"month": "2026-11", "starts_at": "2026-11-30T20:00:00+08:00", "ends_at": "2026-11-30T21:00:00+08:00"}
    last_minute = "2026-11-30T23:59:59+08:00"
    plan = call(plans, "create_plan", {**draft_payload(city["branch"]), **november}, now=last_minute)
    call(plans, "submit_plan", plan["plan_id"], now=last_minute)
    # 2026-11-30T16:00Z is still November in UTC, but the branch's time zone (Asia/Shanghai) has moved on
    ended = "2026-12-01T00:00:00+08:00"
    for action, args in (
        ("create_plan", ({**draft_payload(city["other"]), **november},)),
        ("approve_plan", (plan["plan_id"],)),
    ):
        with pytest.raises(DomainError) as raised:
            call(plans, action, *args, now=ended)
        assert (raised.value.code, raised.value.status) == ("MONTH_CLOSED", 422), action
        assert raised.value.details == {"month": "2026-11", "ended_at": "2026-12-01T00:00:00+08:00"}
    approved = call(plans, "approve_plan", plan["plan_id"], now=last_minute)
    summarized = call(
        plans, "submit_summary", approved["activity_id"], "十一月的活动总结", now="2026-12-30T10:00:00+08:00"
    )
    assert summarized["status"] == "summarized" and summarized["summary_late"] is True, "a late summary is recorded"


@pytest.mark.parametrize(
    "action, args",
    [
        ("approve_plan", (IN_MONTH,)),
        ("return_plan", ("意见",)),
        ("edit_plan", ({"theme": "新主题"},)),
    ],
)
def test_illegal_transitions_answer_409_with_the_current_state(services, city, action, args):
    plans = services["plans"]
    plan = draft(plans, city["branch"])
    if action == "edit_plan":
        call(plans, "submit_plan", plan["plan_id"])
    with pytest.raises(DomainError) as raised:
        call(plans, action, plan["plan_id"], *args)
    assert raised.value.code == "PLAN_STATE_CONFLICT" and raised.value.status == 409
    assert raised.value.details["status"] == ("submitted" if action == "edit_plan" else "draft")


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"ends_at": START}, "PLAN_TIMES_INVALID"),
        ({"starts_at": "2026-11-30T09:00:00+08:00", "ends_at": "2026-11-30T10:00:00+08:00"}, "PLAN_OUTSIDE_MONTH"),
        ({"venue": {"name": "x", "lat": 33.0, "lon": 107.0, "radius_m": 20}}, "VALIDATION_FAILED"),
        ({"venue": {"name": "x", "lat": 95.0, "lon": 107.0}}, "VALIDATION_FAILED"),
        ({"starts_at": "2026-12-07T09:00:00"}, "VALIDATION_FAILED"),
    ],
)
def test_bad_plans_are_refused_with_a_reason(services, city, changes, code):
    with pytest.raises(DomainError) as raised:
        draft(services["plans"], city["branch"], **changes)
    assert raised.value.code == code


def test_a_plan_must_hold_the_directives_required_actions_and_the_fixed_party_day(services, city):
    plans = services["plans"]
    call(
        plans,
        "publish_directive",
        {
            "org_id": city["county"]["org_id"],
            "month": MONTH,
            "theme": "主题",
            "required_actions": ["诵读党章", "重温入党誓词"],
        },
    )
    plan = draft(plans, city["branch"])
    with pytest.raises(DomainError) as raised:
        call(plans, "submit_plan", plan["plan_id"])
    assert raised.value.code == "REQUIRED_ACTIONS_MISSING" and raised.value.details["missing"] == ["重温入党誓词"]
    call(plans, "edit_plan", plan["plan_id"], {"required_actions": ["诵读党章", "重温入党誓词"]})
    call(plans, "set_schedule", city["town"]["org_id"], {"party_day": 8})
    with pytest.raises(DomainError) as raised:
        call(plans, "submit_plan", plan["plan_id"])
    assert raised.value.code == "PARTY_DAY_FIXED"
    call(plans, "set_schedule", city["town"]["org_id"], {"party_day": 7})
    assert call(plans, "submit_plan", plan["plan_id"])["status"] == "submitted"


def test_overdue_branches_are_listed_and_announced_once(services, city):
    plans = services["plans"]
    plan = draft(plans, city["branch"])
    call(plans, "submit_plan", plan["plan_id"], now="2026-12-02T10:00:00+08:00")
    page = call(plans, "overdue", city["county"]["org_id"], MONTH, now="2026-12-06T00:00:00+08:00")
    assert [(item["name"], item["missing"]) for item in page["items"]] == [("二支部", ["plan"])]
    assert call(plans, "check_deadlines", now="2026-12-06T00:00:00+08:00")["overdue_announced"] >= 1
    assert call(plans, "check_deadlines", now="2026-12-06T00:05:00+08:00")["overdue_announced"] == 0
    announced = [e for e in outbox(plans, "plan_overdue") if e["month"] == MONTH]
    assert {e["branch_id"] for e in announced} == {city["other"]["org_id"]}
    assert datetime.fromisoformat(announced[0]["deadline"]) == datetime(2026, 12, 5, 16, tzinfo=timezone.utc)


STATUSES = ("open", "answered", "closed")


def test_annual_task_lists_and_rectifications(services, city):
    plans = services["plans"]
    call(plans, "put_task_list", city["branch"]["org_id"], 2027, ["每月主题党日", "年度组织生活会"])
    assert call(plans, "get_task_list", city["branch"]["org_id"], 2027)["items"] == ["每月主题党日", "年度组织生活会"]
    superior, secretary = {"actor_id": "superior-1"}, {"actor_id": "secretary-1"}
    notice = call(
        plans,
        "issue_rectification",
        {"branch_id": city["branch"]["org_id"], "issue": "签到表缺失", "due_on": "2026-12-10"},
        today="2026-12-01T00:00:00+08:00",
        context=superior,
    )
    assert notice["status"] == "open" and notice["history"] == [] and notice["issued_by"] == "superior-1"
    rectification_id = notice["rectification_id"]
    with pytest.raises(DomainError) as raised:
        call(plans, "close_rectification", rectification_id, context=superior)
    assert raised.value.code == "RECTIFICATION_STATE_CONFLICT"
    with pytest.raises(DomainError) as raised:
        call(plans, "answer_rectification", rectification_id, {"text": "自己答复"}, context=superior)
    assert raised.value.code == "ISSUER_CANNOT_ANSWER"
    call(plans, "answer_rectification", rectification_id, {"text": "已补齐", "media_ids": ["m1"]}, context=secretary)
    with pytest.raises(DomainError) as raised:
        call(plans, "close_rectification", rectification_id, context=secretary)
    assert raised.value.code == "OWN_ANSWER"
    reopened = call(plans, "reopen_rectification", rectification_id, {"comment": "照片不清晰"}, context=superior)
    assert reopened["status"] == "open" and reopened["reopened_count"] == 1
    call(plans, "answer_rectification", rectification_id, {"text": "再次补齐", "media_ids": ["m2"]}, context=secretary)
    assert call(plans, "close_rectification", rectification_id, context=superior)["status"] == "closed"
    shown = call(plans, "get_rectification", rectification_id)
    assert [(e["act"], e["text"], e["media_ids"], e["actor_id"]) for e in shown["history"]] == [
        ("answered", "已补齐", ["m1"], "secretary-1"),
        ("reopened", "照片不清晰", [], "superior-1"),
        ("answered", "再次补齐", ["m2"], "secretary-1"),
        ("closed", None, [], "superior-1"),
    ]
    assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in shown["history"])
    assert (shown["answer"], shown["answer_media_ids"]) == ("再次补齐", ["m2"])
    listed = call(plans, "rectifications", city["county"]["org_id"])
    assert [item["history"] for item in listed["items"]] == [shown["history"]]
    answered, reopened = outbox(plans, "rectification_answered"), outbox(plans, "rectification_reopened")
    assert [(event["status"], event["issued_by"]) for event in answered] == [("answered", "superior-1")] * 2, (
        "whoever issued the notice is told of each answer"
    )
    assert [event["rectification_id"] for event in reopened] == [rectification_id]
    overdue = call(
        plans, "rectifications", city["county"]["org_id"], overdue_only=True, now="2026-12-20T00:00:00+08:00"
    )
    assert overdue["total"] == 0, "a closed notice is not overdue"
    call(
        plans,
        "issue_rectification",
        {"branch_id": city["other"]["org_id"], "issue": "未按时提交方案", "due_on": "2026-12-10"},
        today="2026-12-01T00:00:00+08:00",
    )
    overdue = call(
        plans, "rectifications", city["county"]["org_id"], overdue_only=True, now="2026-12-20T00:00:00+08:00"
    )
    assert [n["issue"] for n in overdue["items"]] == ["未按时提交方案"]
    county = city["county"]["org_id"]
    by_status = {status: call(plans, "rectifications", county, status=status)["total"] for status in STATUSES}
    assert by_status == {"open": 1, "answered": 0, "closed": 1}
    with pytest.raises(DomainError) as raised:
        call(plans, "rectifications", county, status="lost")
    assert raised.value.code == "RECTIFICATION_STATUS_INVALID"


def test_the_archive_lists_each_branchs_task_list_plan_and_study_materials(services, city):
    plans = services["plans"]
    call(
        plans,
        "publish_directive",
        {
            "org_id": city["county"]["org_id"],
            "month": MONTH,
            "theme": "学党章",
            "required_actions": ["诵读党章"],
            "study_materials": ["党章第一章"],
        },
    )
    call(plans, "put_task_list", city["branch"]["org_id"], 2026, ["学习党章", "志愿服务"])
    plan = draft(plans, city["branch"])
    call(plans, "submit_plan", plan["plan_id"])
    approved = call(plans, "approve_plan", plan["plan_id"], now=IN_MONTH)
    page = call(plans, "archive", city["town"]["org_id"], MONTH, page=1, page_size=1)
    assert page["total"] == 2 and [item["name"] for item in page["items"]] == ["一支部"]
    [first] = page["items"]
    assert first["task_list_items"] == 2 and first["year"] == 2026
    assert first["plan"] == {
        "plan_id": plan["plan_id"],
        "status": "published",
        "activity_id": approved["activity_id"],
        "summary_submitted": False,
    }
    assert first["directives"][0]["study_materials"] == ["党章第一章"]
    [second] = call(plans, "archive", city["town"]["org_id"], MONTH, page=2, page_size=1)["items"]
    assert second["name"] == "二支部" and second["plan"] is None and second["task_list_items"] == 0
    assert second["directives"][0]["theme"] == "学党章"
    assert call(plans, "archive", city["county"]["org_id"], "2027-01")["items"][0]["directives"] == []
    with pytest.raises(DomainError) as raised:
        call(plans, "archive", city["town"]["org_id"], "2026-13")
    assert raised.value.status == 400


def test_the_delivery_of_a_directive_lists_every_branch_it_reached(services, city):
    plans = services["plans"]
    directive = call(
        plans,
        "publish_directive",
        {
            "org_id": city["county"]["org_id"],
            "month": MONTH,
            "theme": "学党章",
            "required_actions": ["诵读党章"],
            "plan_deadline_day": 3,
        },
    )
    plan = draft(plans, city["branch"], required_actions=["诵读党章"])
    call(plans, "submit_plan", plan["plan_id"])
    first = call(plans, "directive_delivery", directive["directive_id"], page=1, page_size=1)
    assert first["total"] == 2 and first["directive"]["theme"] == "学党章"
    second = call(plans, "directive_delivery", directive["directive_id"], page=2, page_size=1)
    delivered = {item["name"]: item for item in first["items"] + second["items"]}
    assert delivered["一支部"]["plan_status"] == "submitted" and delivered["二支部"]["plan_status"] is None
    assert delivered["二支部"]["plan_due"] == "2026-12-04T00:00:00+08:00", "due by the end of the 3rd"
    with pytest.raises(DomainError) as raised:
        call(plans, "directive_delivery", "no-such-directive")
    assert raised.value.status == 404


def test_a_repeated_idempotency_key_gets_the_first_answer_and_another_request_is_refused(services, city):
    plans = services["plans"]
    first = draft(plans, city["branch"], idempotency_key="draft-1")
    assert draft(plans, city["branch"], idempotency_key="draft-1") == first
    with pytest.raises(DomainError) as raised:
        draft(plans, city["branch"], theme="另一个主题", idempotency_key="draft-1")
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED" and raised.value.status == 409
    assert call(plans, "list_plans", city["town"]["org_id"], MONTH)["total"] == 1
    call(plans, "submit_plan", first["plan_id"], idempotency_key="submit-1")
    approved = call(plans, "approve_plan", first["plan_id"], now=IN_MONTH, idempotency_key="approve-1")
    assert call(plans, "approve_plan", first["plan_id"], now=IN_MONTH, idempotency_key="approve-1") == approved, (
        "a repeated approval answers the first one, though the plan is no longer submitted"
    )
    assert len(outbox(plans, "plan_approved")) == 1
    with pytest.raises(DomainError) as raised:
        call(plans, "approve_plan", first["plan_id"], now=IN_MONTH)
    assert raised.value.code == "PLAN_STATE_CONFLICT", "without the key it is a second approval"
    with pytest.raises(DomainError) as raised:
        call(plans, "submit_plan", "another-plan", idempotency_key="submit-1")
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED", "the key names one request, resource included"


def test_a_rectification_past_due_is_announced_overdue_once_across_rounds(services, city):
    plans = services["plans"]
    issue = {"branch_id": city["branch"]["org_id"], "issue": "签到表缺失", "due_on": "2026-12-10"}
    notice = call(plans, "issue_rectification", issue, today="2026-12-01T00:00:00+08:00", context={"actor_id": "up"})
    closed = call(
        plans,
        "issue_rectification",
        {**issue, "branch_id": city["other"]["org_id"]},
        today="2026-12-01T00:00:00+08:00",
        context={"actor_id": "up"},
    )
    call(plans, "answer_rectification", closed["rectification_id"], {"text": "已补齐"}, context={"actor_id": "sec"})
    call(plans, "close_rectification", closed["rectification_id"], context={"actor_id": "up"})
    assert call(plans, "check_deadlines", now="2026-12-10T23:59:00+08:00")["rectifications_overdue"] == 0
    assert call(plans, "check_deadlines", now="2026-12-11T00:00:00+08:00")["rectifications_overdue"] == 1
    assert call(plans, "check_deadlines", now="2026-12-11T00:05:00+08:00")["rectifications_overdue"] == 0
    call(plans, "answer_rectification", notice["rectification_id"], {"text": "已补齐"}, context={"actor_id": "sec"})
    call(plans, "reopen_rectification", notice["rectification_id"], {"comment": "不清晰"}, context={"actor_id": "up"})
    assert call(plans, "check_deadlines", now="2026-12-12T00:00:00+08:00")["rectifications_overdue"] == 0, (
        "a reopened notice was announced overdue already"
    )
    announced = outbox(plans, "rectification_overdue")
    assert [(e["rectification_id"], e["status"], e["issued_by"]) for e in announced] == [
        (notice["rectification_id"], "open", "up")
    ]
    assert datetime.fromisoformat(announced[0]["overdue_since"]) == datetime(2026, 12, 10, 16, tzinfo=timezone.utc)


def test_a_branch_remembers_the_venues_its_plans_named_the_latest_first(services, city):
    plans, branch = services["plans"], city["branch"]
    room = {"name": "党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}
    square = {"name": "红色广场", "lat": 33.0712, "lon": 107.0288, "radius_m": 500}
    assert call(plans, "branch_venues", branch["org_id"])["items"] == []
    for month, venue in (("2026-12", room), ("2027-01", square), ("2027-02", room)):
        day = f"{month}-07T09:00:00+08:00"
        draft(plans, branch, month=month, venue=venue, starts_at=day, ends_at=day.replace("T09", "T11"))
    saved = call(plans, "branch_venues", branch["org_id"])
    assert [(v["name"], v["radius_m"], v["last_month"]) for v in saved["items"]] == [
        ("党员活动室", 300, "2027-02"),
        ("红色广场", 500, "2027-01"),
    ]
    assert saved["total"] == 2
    assert (saved["items"][1]["lat"], saved["items"][1]["lon"]) == (33.0712, 107.0288)
    second = call(plans, "branch_venues", branch["org_id"], page=2, page_size=1)
    assert [v["name"] for v in second["items"]] == ["红色广场"]
    assert call(plans, "branch_venues", city["other"]["org_id"])["items"] == []
    with pytest.raises(DomainError) as raised:
        call(plans, "branch_venues", city["town"]["org_id"])
    assert raised.value.code == "BRANCH_REQUIRED"


def test_an_organisations_schedule_is_read_as_its_own_or_the_one_it_follows(services, city):
    plans = services["plans"]
    branch, town = city["branch"]["org_id"], city["town"]["org_id"]
    assert call(plans, "get_schedule", branch) == {
        "org_id": branch,
        "time_zone": "Asia/Shanghai",
        "party_day": None,
        "plan_deadline_day": 5,
        "summary_deadline_day": 25,
        "own": False,
        "from_org_id": None,
    }
    call(plans, "set_schedule", town, {"party_day": 8, "plan_deadline_day": 3}, context={"actor_id": "admin-1"})
    follows = call(plans, "get_schedule", branch)
    assert (follows["party_day"], follows["plan_deadline_day"], follows["own"], follows["from_org_id"]) == (
        8,
        3,
        False,
        town,
    )
    assert call(plans, "get_schedule", town)["own"] is True
    [act] = [e for e in outbox(plans, "administrative_act") if e["action"] == "schedule.set"]
    assert (act["target_id"], act["details"]["party_day"]) == (town, 8)
    with pytest.raises(DomainError) as raised:
        call(plans, "get_schedule", "nowhere")
    assert raised.value.status == 404


def test_writing_a_task_list_is_on_record(services, city):
    plans = services["plans"]
    branch = city["branch"]
    call(
        plans, "put_task_list", branch["org_id"], 2027, ["每月主题党日", "年度组织生活会"], context={"actor_id": "s-1"}
    )
    [act] = [e for e in outbox(plans, "administrative_act") if e["action"] == "task_list.put"]
    assert (act["target_id"], act["actor_id"], act["org_path"], act["details"]) == (
        f"{branch['org_id']}:2027",
        "s-1",
        branch["path"],
        {"tasks": 2},
    )
