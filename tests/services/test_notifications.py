"""The notifications service on RabbitMQ and PostgreSQL: the events that ask someone to act reach the right
people with the right text, in the inbox, by text message through a real local HTTP gateway and by e-mail
through a real local SMTP server; a redelivered event tells nobody twice; a failing SMS gateway is tried
again, then the delivery is dead and listed for operations."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook
from sqlalchemy import text

from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_common.settings import get_settings as common_settings
from partyday_notifications.service import NotificationsService
from partyday_notifications.settings import get_settings
from partyday_plans.service import PlansService
from partyday_scoring.service import ScoringService
from tests.fixtures.message_servers import SmsGateway, SmtpServer
from tests.services.helpers import publish_event, wait_until

SECRET = "shared-sms-secret"
PHONES = {"secretary": "13900000001", "member": "13900000002", "county-admin": "13900000003", "other": "13900000004"}
NODES = [
    {"org_id": "city", "parent_id": None, "path": "/city/", "code": "HZ", "name": "市委", "level": "city"},
    {
        "org_id": "county",
        "parent_id": "city",
        "path": "/city/county/",
        "code": "C1",
        "name": "汉台区委",
        "level": "county",
    },
    {
        "org_id": "b-1",
        "parent_id": "county",
        "path": "/city/county/b-1/",
        "code": "B1",
        "name": "一支部",
        "level": "branch",
    },
]


class FakeDirectory:
    """The directory's RPCs notifications calls: the phones of members, and the month's political birthdays (the
    directory's rule; here 赵党员, who joined on 15 December 1990, in any December)."""

    name = "directory"

    @rpc
    def member_phones(self, member_ids):
        return {member_id: PHONES[member_id] for member_id in member_ids if member_id in PHONES}

    @rpc
    def political_birthdays(self, branch_id, month):
        born = {"member_id": "other", "name": "赵党员", "joined_on": "1990-12-15", "anniversary_on": f"{month}-15"}
        items = [{**born, "years": int(month[:4]) - 1990}] if month.endswith("-12") else []
        return {"branch_id": branch_id, "month": month, "items": items}


@pytest.fixture
def sms_gateway():
    with SmsGateway(SECRET) as gateway:
        yield gateway


@pytest.fixture
def smtp_server(tmp_path):
    with SmtpServer(tmp_path / "maildir") as server:
        yield server


@pytest.fixture
def notifications(container_factory, make_config, databases, sms_gateway, smtp_server, monkeypatch):
    monkeypatch.setenv("PARTYDAY_SMS_WEBHOOK_URL", sms_gateway.url)
    monkeypatch.setenv("PARTYDAY_SMS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("PARTYDAY_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_RETRY_BASE_S", "0.2")
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_START", "0")
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_END", "0")
    get_settings.cache_clear()
    common_settings.cache_clear()
    url = databases.create("notifications")
    upgrade("notifications", url)
    config = make_config("notifications", url=url)
    container_factory(FakeDirectory, config).start()
    container = container_factory(NotificationsService, config)
    container.start()
    container.url = url
    for node in NODES:
        send(container, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    for member_id, name, branch, joined_on in [
        ("secretary", "王书记", "b-1", "1985-07-01"),
        ("member", "李党员", "b-1", None),
        ("county-admin", "张部长", "b-1", None),
        ("other", "赵党员", "b-1", "1990-12-15"),
    ]:
        join(container, member_id, name, branch, joined_on)
    grant(container, "secretary", "branch_admin", "b-1", "/city/county/b-1/")
    grant(container, "county-admin", "org_admin", "county", "/city/county/")
    engine = make_engine(url)
    wait_until(lambda: followed(engine) == (4, 2, 3), message="members, roles and the tree followed")
    engine.dispose()
    yield container
    get_settings.cache_clear()
    common_settings.cache_clear()


def send(container, source, event_type, data, event_id=None) -> Envelope:
    envelope = Envelope(event_type=event_type, source=source, data=data)
    if event_id:
        envelope = Envelope(event_type=event_type, source=source, data=data, event_id=event_id)
    publish_event(container.config["AMQP_URI"], source, envelope)
    return envelope


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def inbox(container, member_id, **kwargs) -> dict:
    return call(container, "inbox", member_id, **kwargs)


def join(container, member_id, name, branch_id, joined_on=None):
    data = {
        "member_id": member_id,
        "name": name,
        "branch_id": branch_id,
        "branch_path": f"/city/county/{branch_id}/",
        "mobile": False,
        "probationary": False,
        "lost_contact": False,
        "active": True,
        "joined_on": joined_on,
    }
    send(container, "directory", "member_joined", data)


def grant(container, member_id, role, org_id, org_path):
    data = {"grant_id": uuid.uuid4().hex, "member_id": member_id, "role": role, "org_id": org_id, "org_path": org_path}
    send(container, "directory", "role_granted", data)


def followed(engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("recipients", "role_holders", "org_nodes")
        )


def on_leave(engine, activity_id) -> list:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT on_leave FROM activities WHERE activity_id = :id"), {"id": activity_id}
        ).scalar()
    return found or []


def overdue(month):
    return {
        "branch_id": "b-1",
        "branch_path": "/city/county/b-1/",
        "month": month,
        "kind": "plan",
        "deadline": "2026-12-05T00:00:00+08:00",
    }


def newest(container, member_id) -> dict:
    items = inbox(container, member_id)["items"]
    return items[0] if items else {"kind": None, "title": "", "body": ""}


def returned_plan(comment="请补充学习材料"):
    return {
        "plan_id": uuid.uuid4().hex,
        "branch_id": "b-1",
        "branch_path": "/city/county/b-1/",
        "month": "2026-12",
        "status": "returned",
        "review_comment": comment,
    }


def test_a_returned_plan_reaches_the_secretary_in_the_inbox_by_text_and_by_email(
    notifications, sms_gateway, smtp_server
):
    call(notifications, "update_member_settings", "secretary", {"email": "secretary@example.org"})
    send(notifications, "plans", "plan_returned", returned_plan())
    wait_until(lambda: newest(notifications, "secretary")["kind"] == "plan_returned", message="the inbox")
    message = newest(notifications, "secretary")
    assert message["title"] == "2026-12主题党日计划被退回"
    assert "一支部" in message["body"] and "请补充学习材料" in message["body"]
    assert inbox(notifications, "member")["total"] == 0, "a member who is not the secretary is not told"
    texts = wait_until(
        lambda: [text for text in sms_gateway.to(PHONES["secretary"]) if text["template_id"] == "plan_returned"],
        message="the text message",
    )
    assert texts[0]["signed"] and texts[0]["parameters"]["comment"] == "请补充学习材料"
    emails = wait_until(
        lambda: [email for email in smtp_server.messages() if "退回" in email["Subject"]], message="the e-mail"
    )
    assert emails[0]["To"] == "secretary@example.org"
    read = call(notifications, "mark_read", "secretary", message["notification_id"])
    assert read["read_at"] is not None


def test_a_redelivered_event_tells_nobody_twice(notifications, sms_gateway):
    first = send(notifications, "plans", "plan_returned", returned_plan("重复"))
    wait_until(lambda: newest(notifications, "secretary")["body"].endswith("请修改后重新提交。"), message="the inbox")
    send(notifications, "plans", "plan_returned", first.data, event_id=first.event_id)
    later = send(notifications, "plans", "plan_returned", returned_plan("之后"))
    wait_until(lambda: "之后" in newest(notifications, "secretary")["body"], message="the later event")
    bodies = [item["body"] for item in inbox(notifications, "secretary", page_size=50)["items"]]
    assert sum("重复" in body for body in bodies) == 1
    wait_until(lambda: any(t["parameters"].get("comment") == "之后" for t in sms_gateway.received), message="texts")
    assert sum(t["parameters"].get("comment") == "重复" for t in sms_gateway.received) == 1
    assert later.event_id != first.event_id


def test_a_failing_sms_gateway_is_tried_again_then_the_delivery_is_dead(notifications, sms_gateway):
    sms_gateway.status = 503
    send(notifications, "plans", "plan_returned", returned_plan("网关故障"))
    dead = wait_until(
        lambda: call(notifications, "dead_letters")["items"], timeout=20, message="the dead-letter record"
    )
    assert dead[0]["channel"] == "sms" and dead[0]["attempts"] == 3 and "503" in dead[0]["last_error"]
    tries = [t for t in sms_gateway.received if t["parameters"].get("comment") == "网关故障"]
    assert len(tries) == 3
    assert call(notifications, "dead_letters")["counts"]["sms"]["dead"] == 1
    assert "网关故障" in newest(notifications, "secretary")["body"], "the inbox works whatever the gateway does"


def test_each_event_reaches_the_right_people_with_the_right_text(notifications):
    starts = datetime.now(timezone.utc) + timedelta(days=3)
    activity_id = uuid.uuid4().hex
    approved = {
        "plan_id": uuid.uuid4().hex,
        "activity_id": activity_id,
        "branch_id": "b-1",
        "month": "2026-12",
        "theme": "学习二十大精神",
        "starts_at": starts.isoformat(),
        "venue_name": "党员活动室",
        "required_actions": ["重温入党誓词"],
        "roster": [{"member_id": "member"}, {"member_id": "other"}],
    }
    send(notifications, "plans", "plan_approved", approved)
    told = wait_until(lambda: inbox(notifications, "other")["items"], message="plan published")
    assert (
        told[0]["kind"] == "plan_published"
        and "学习二十大精神" in told[0]["body"]
        and "重温入党誓词" in told[0]["body"]
    )
    birthdays = wait_until(
        lambda: (m := newest(notifications, "secretary"))["kind"] == "political_birthdays" and m,
        message="the month's political birthdays told to the secretary",
    )
    assert "赵党员（1990-12-15，36年）" in birthdays["body"]

    send(notifications, "plans", "summary_overdue", overdue("2026-11"))
    wait_until(lambda: newest(notifications, "county-admin")["kind"] == "summary_overdue", message="the superior")
    assert newest(notifications, "secretary")["kind"] == "summary_overdue"

    events = [
        (
            "plans",
            "rectification_issued",
            {
                "rectification_id": "r-1",
                "branch_id": "b-1",
                "branch_path": "/city/county/b-1/",
                "issue": "签到表缺失",
                "due_on": "2026-12-20",
            },
            "secretary",
            "rectification_issued",
            "签到表缺失",
        ),
        (
            "plans",
            "rectification_answered",
            {
                "rectification_id": "r-1",
                "branch_id": "b-1",
                "branch_path": "/city/county/b-1/",
                "issue": "签到表缺失",
                "due_on": "2026-12-20",
                "status": "answered",
                "issued_by": "county-admin",
            },
            "county-admin",
            "rectification_answered",
            "一支部已答复整改通知“签到表缺失”",
        ),
        (
            "plans",
            "rectification_reopened",
            {
                "rectification_id": "r-1",
                "branch_id": "b-1",
                "branch_path": "/city/county/b-1/",
                "issue": "签到表缺失",
                "due_on": "2026-12-20",
                "status": "open",
                "issued_by": "county-admin",
            },
            "secretary",
            "rectification_reopened",
            "答复未通过",
        ),
        (
            "attendance",
            "member_absence_flagged",
            {"member_id": "other", "branch_id": "b-1", "consecutive_absences": 3, "activity_id": activity_id},
            "secretary",
            "absence_flagged",
            "赵党员已连续3次",
        ),
        (
            "attendance",
            "leave_decided",
            {
                "leave_id": "l-1",
                "activity_id": activity_id,
                "member_id": "member",
                "branch_id": "b-1",
                "status": "approved",
                "at": "2026-12-06T10:00:00+08:00",
            },
            "member",
            "leave_decided",
            "批准",
        ),
        (
            "attendance",
            "makeup_assigned",
            {
                "activity_id": activity_id,
                "member_id": "member",
                "branch_id": "b-1",
                "theme": "学习二十大精神",
                "starts_at": "2026-12-06T09:00:00+08:00",
                "due_at": "2026-12-20T12:00:00+08:00",
            },
            "member",
            "makeup_assigned",
            "请于2026-12-20 12:00前",
        ),
        (
            "media",
            "upload_rejected",
            {
                "media_id": "m-1",
                "activity_id": activity_id,
                "branch_id": "b-1",
                "branch_path": "/city/county/b-1/",
                "uploaded_by": "other",
                "filename": "合影.jpg",
                "reason": "照片模糊",
                "at": "2026-12-06T10:00:00+08:00",
            },
            "other",
            "upload_rejected",
            "照片模糊",
        ),
        (
            "scoring",
            "comment_hidden",
            {
                "comment_id": "c-1",
                "activity_id": activity_id,
                "author_id": "member",
                "reports": 3,
                "at": "2026-12-06T10:00:00+08:00",
            },
            "member",
            "comment_hidden",
            "3人举报",
        ),
        (
            "scoring",
            "comment_moderated",
            {
                "comment_id": "c-1",
                "activity_id": activity_id,
                "author_id": "member",
                "decision": "removed",
                "at": "2026-12-06T10:00:00+08:00",
            },
            "member",
            "comment_moderated",
            "删除",
        ),
        (
            "scoring",
            "evaluation_published",
            {
                "evaluation_id": "e-1",
                "org_id": "county",
                "kind": "monthly",
                "period": "2026-12",
                "best": [activity_id],
                "excellent": [],
            },
            "secretary",
            "evaluation_published",
            "最佳",
        ),
        (
            "scoring",
            "campaign_opened",
            {
                "campaign_id": "v-1",
                "org_id": "county",
                "org_path": "/city/county/",
                "month": "2026-12",
                "title": "最美党日",
                "opens_at": "2026-12-20T00:00:00+08:00",
                "closes_at": "2026-12-25T00:00:00+08:00",
            },
            "other",
            "campaign_opened",
            "2026-12-20 00:00",
        ),
    ]
    for source, event_type, data, recipient, kind, said in events:
        send(notifications, source, event_type, data)
        found = wait_until(lambda: (m := newest(notifications, recipient))["kind"] == kind and m, message=event_type)
        assert said in found["body"], (event_type, found["body"])
    assert "leave_decided" not in {m["kind"] for m in inbox(notifications, "other", page_size=50)["items"]}


def test_reminders_go_to_members_not_on_leave_once_and_in_their_language(notifications):
    call(notifications, "update_member_settings", "member", {"language": "en"})
    activity_id = uuid.uuid4().hex
    approved = {
        "plan_id": uuid.uuid4().hex,
        "activity_id": activity_id,
        "branch_id": "b-1",
        "month": "2026-12",
        "theme": "主题党日",
        "starts_at": (datetime.now(timezone.utc) + timedelta(minutes=50)).isoformat(),
        "venue_name": "活动室",
        "roster": [{"member_id": "member"}, {"member_id": "other"}, {"member_id": "secretary"}],
    }
    send(notifications, "plans", "plan_approved", approved)
    wait_until(lambda: inbox(notifications, "member")["total"], message="published")
    leave = {
        "leave_id": "l-2",
        "activity_id": activity_id,
        "member_id": "secretary",
        "branch_id": "b-1",
        "status": "pending",
        "at": "2026-12-06T10:00:00+08:00",
    }
    send(notifications, "attendance", "leave_requested", leave)
    engine = make_engine(notifications.url)
    wait_until(lambda: on_leave(engine, activity_id) == ["secretary"], message="the leave followed")
    engine.dispose()
    call(notifications, "reminder_timer")
    call(notifications, "reminder_timer")
    kinds = [m["kind"] for m in inbox(notifications, "other", page_size=50)["items"]]
    assert kinds.count("reminder_hour_before") == 1 and "reminder_day_before" not in kinds
    assert newest(notifications, "member")["title"] == "In an hour: 主题党日"
    assert newest(notifications, "member")["body"].startswith("The party day ")
    assert "reminder_hour_before" not in {m["kind"] for m in inbox(notifications, "secretary", page_size=50)["items"]}


def test_a_meeting_is_told_and_reminded_by_its_kind_without_the_month_s_birthdays(notifications):
    call(notifications, "update_member_settings", "member", {"language": "en"})
    approved = {
        "plan_id": uuid.uuid4().hex,
        "activity_id": uuid.uuid4().hex,
        "branch_id": "b-1",
        "month": "2026-12",
        "kind": "branch_committee",
        "theme": "研究发展党员",
        "starts_at": (datetime.now(timezone.utc) + timedelta(minutes=50)).isoformat(),
        "venue_name": "支部办公室",
        "roster": [{"member_id": "member"}, {"member_id": "secretary"}],
    }
    send(notifications, "plans", "plan_approved", approved)
    told = wait_until(lambda: inbox(notifications, "secretary")["items"], message="the meeting told")
    assert told[0]["title"] == "支委会安排：研究发展党员" and "开展支委会“研究发展党员”" in told[0]["body"]
    call(notifications, "reminder_timer")
    assert newest(notifications, "member")["title"] == "In an hour: 研究发展党员"
    assert newest(notifications, "member")["body"].startswith("The branch committee meeting ")
    assert newest(notifications, "secretary")["title"] == "支委会一小时后开始"
    kinds = {m["kind"] for m in inbox(notifications, "secretary", page_size=50)["items"]}
    assert "political_birthdays" not in kinds, "the month's birthdays are told with the theme day only"


def test_the_inbox_pages_newest_first_with_the_unread_count_and_marks_all_read(notifications):
    for number in range(3):
        send(
            notifications,
            "scoring",
            "comment_hidden",
            {
                "comment_id": f"c-{number}",
                "activity_id": "a",
                "author_id": "other",
                "reports": number + 3,
                "at": "2026-12-06T10:00:00+08:00",
            },
        )
    wait_until(lambda: inbox(notifications, "other")["total"] == 3, message="three")
    first = inbox(notifications, "other", page=1, page_size=2)
    assert (first["total"], first["unread"], len(first["items"])) == (3, 3, 2)
    assert first["items"][0]["created_at"] >= first["items"][1]["created_at"]
    assert call(notifications, "mark_all_read", "other")["marked"] == 3
    assert inbox(notifications, "other")["unread"] == 0


def test_the_daily_cap_holds_back_text_messages(notifications, sms_gateway, monkeypatch):
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_SMS_DAILY_CAP", "1")
    get_settings.cache_clear()
    for comment in ("第一条", "第二条"):
        send(notifications, "plans", "plan_returned", returned_plan(comment))
    wait_until(lambda: inbox(notifications, "secretary")["total"] == 2, message="both in the inbox")
    engine = make_engine(notifications.url)
    wait_until(lambda: held_back(engine) == 1, message="the second text held back at the cap")
    engine.dispose()
    wait_until(lambda: texts_of(sms_gateway, "plan_returned"), message="the first text sent")
    time.sleep(1)
    assert len(texts_of(sms_gateway, "plan_returned")) == 1, "the events ran in either order; one text, not two"


def held_back(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM deliveries WHERE status = 'skipped'")).scalar()


def test_a_member_chooses_the_channels_of_a_kind_except_what_the_organisation_requires(notifications, sms_gateway):
    chosen = call(
        notifications,
        "update_member_settings",
        "secretary",
        {"channels": {"plan_returned": ["inbox"], "plan_overdue": []}},
    )
    assert chosen["channels"]["plan_returned"] == ["inbox"] and chosen["channels"]["plan_overdue"] == ["inbox", "sms"]
    send(notifications, "plans", "plan_returned", returned_plan("不要短信"))
    send(notifications, "plans", "plan_overdue", overdue("2026-10"))
    wait_until(lambda: texts_of(sms_gateway, "plan_overdue"), message="the required text message")
    wait_until(lambda: inbox(notifications, "secretary")["total"] == 2, message="both in the inbox")
    assert not texts_of(sms_gateway, "plan_returned")


def texts_of(gateway, template_id):
    return [text for text in gateway.to(PHONES["secretary"]) if text["template_id"] == template_id]


def test_members_of_a_roster_import_are_followed_in_one_batch(notifications):
    imported = [
        {
            "member_id": f"imported-{number}",
            "name": f"新党员{number}",
            "branch_id": "b-1",
            "branch_path": "/city/county/b-1/",
            "mobile": False,
            "probationary": True,
            "lost_contact": False,
            "active": True,
            "joined_on": None,
        }
        for number in range(3)
    ]
    send(notifications, "directory", "members_imported", {"import_id": "i-1", "members": imported})
    engine = make_engine(notifications.url)
    wait_until(lambda: followed(engine)[0] == 7, message="the batch followed")
    engine.dispose()
    campaign = {
        "campaign_id": "v-2",
        "org_id": "county",
        "org_path": "/city/county/",
        "month": "2026-12",
        "title": "我为党日点赞",
        "opens_at": "2026-12-20T00:00:00+08:00",
        "closes_at": "2026-12-25T00:00:00+08:00",
    }
    send(notifications, "scoring", "campaign_opened", campaign)
    told = wait_until(lambda: inbox(notifications, "imported-2")["items"], message="an imported member told")
    assert told[0]["kind"] == "campaign_opened"


def test_no_text_message_is_sent_in_the_quiet_hours(notifications, sms_gateway, monkeypatch):
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_START", str(hour))
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_END", str((hour + 2) % 24))
    get_settings.cache_clear()
    send(notifications, "plans", "plan_returned", returned_plan("夜间"))
    wait_until(lambda: "夜间" in newest(notifications, "secretary")["body"], message="the inbox works at night")
    time.sleep(3)
    assert not texts_of(sms_gateway, "plan_returned"), "the text waits for the morning"
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_START", "0")
    monkeypatch.setenv("PARTYDAY_NOTIFICATIONS_QUIET_END", "0")
    get_settings.cache_clear()
    wait_until(lambda: texts_of(sms_gateway, "plan_returned"), message="the text after the quiet hours")


def test_a_rectification_past_due_tells_the_secretary_and_the_superior_once(
    notifications, container_factory, make_config, databases, sms_gateway
):
    url = databases.create("plans")
    upgrade("plans", url)
    plans = container_factory(PlansService, make_config("plans", url=url))
    plans.start()
    for node in NODES:
        send(notifications, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    issue = {"branch_id": "b-1", "issue": "签到表缺失", "due_on": "2026-12-10"}

    def issued():
        try:
            return call(plans, "issue_rectification", issue, today="2026-12-01T00:00:00+08:00")
        except DomainError:
            return None

    wait_until(issued, message="plans knows the branch")
    # The same round also finds the branch's plan and summary overdue: those tell the same people of other kinds.
    rounds = [call(plans, "check_deadlines", now=f"2026-12-11T00:0{minute}:00+08:00") for minute in (0, 1)]
    assert [found["rectifications_overdue"] for found in rounds] == [1, 0]
    for member in ("secretary", "county-admin"):
        told = wait_until(
            lambda: [m for m in inbox(notifications, member)["items"] if m["kind"] == "rectification_overdue"],
            message=f"{member} told",
        )
        assert "签到表缺失" in told[0]["body"] and "2026-12-10" in told[0]["body"]
    wait_until(lambda: texts_of(sms_gateway, "rectification_overdue"), message="the required text message")
    time.sleep(0.5)
    engine = make_engine(notifications.url)
    with engine.connect() as connection:
        recipients = connection.execute(
            text("SELECT recipient_id FROM notifications WHERE kind = 'rectification_overdue' ORDER BY recipient_id")
        ).scalars()
        assert list(recipients) == ["county-admin", "secretary"]
    engine.dispose()


def test_a_campaign_opening_later_tells_its_members_when_voting_opens_and_only_once(
    notifications, container_factory, make_config, databases
):
    url = databases.create("scoring")
    upgrade("scoring", url)
    scoring = container_factory(ScoringService, make_config("scoring", url=url))
    scoring.start()
    for node in NODES:
        send(notifications, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    window = {"opens_at": "2099-01-01T00:00:00+08:00", "closes_at": "2099-02-01T00:00:00+08:00"}
    campaign = {"org_id": "county", "month": "2098-12", "title": "最美党日", "votes_per_voter": 3, **window}

    def created():
        try:
            return call(scoring, "create_campaign", campaign)
        except DomainError:
            return None

    wait_until(created, message="scoring knows the county")
    assert call(scoring, "announce_opened_campaigns", now="2098-12-31T23:59:59+08:00") == {"opened": 0}
    time.sleep(1)
    assert all(inbox(notifications, member)["total"] == 0 for member in PHONES), "nobody is told before it opens"
    rounds = [call(scoring, "announce_opened_campaigns", now=f"2099-01-01T00:0{minute}:00+08:00") for minute in (0, 1)]
    assert rounds == [{"opened": 1}, {"opened": 0}]
    for member in PHONES:
        told = wait_until(lambda: inbox(notifications, member)["items"], message=f"{member} told")
        assert [item["kind"] for item in told] == ["campaign_opened"] and "2099-02-01 00:00" in told[0]["body"]
    time.sleep(0.5)
    assert [inbox(notifications, member)["total"] for member in PHONES] == [1] * len(PHONES), "told once"


def volunteer_request(**fields) -> dict:
    return {
        "request_id": uuid.uuid4().hex,
        "branch_id": "b-1",
        "branch_path": "/city/county/b-1/",
        "what": "帮老人买菜",
        "where": "幸福小区3号楼",
        "wanted_by": "2026-12-08T10:00:00+08:00",
        **fields,
    }


def test_a_residents_volunteer_request_reaches_the_secretary_and_its_dispatch_the_members(notifications, sms_gateway):
    send(
        notifications,
        "volunteers",
        "volunteer_request_submitted",
        volunteer_request(accept_by="2026-12-07T10:00:00+08:00"),
    )
    wait_until(lambda: newest(notifications, "secretary")["kind"] == "volunteer_request_submitted", message="told")
    told = newest(notifications, "secretary")
    assert told["title"] == "新的志愿服务需求"
    assert "一支部" in told["body"] and "帮老人买菜" in told["body"] and "2026-12-07 10:00" in told["body"]
    assert inbox(notifications, "member")["total"] == 0, "only the secretary takes a request in"
    wait_until(
        lambda: [
            text for text in sms_gateway.to(PHONES["secretary"]) if text["template_id"] == "volunteer_request_submitted"
        ],
        message="the secretary's text message",
    )

    named = volunteer_request(published=False, member_ids=["member"])
    send(notifications, "volunteers", "volunteer_request_dispatched", named)
    wait_until(lambda: newest(notifications, "member")["kind"] == "volunteer_request_dispatched", message="dispatched")
    assert inbox(notifications, "other")["total"] == 0, "a dispatch tells the members it names"
    published = volunteer_request(published=True, member_ids=[])
    send(notifications, "volunteers", "volunteer_request_dispatched", published)
    wait_until(
        lambda: newest(notifications, "other")["kind"] == "volunteer_request_dispatched",
        message="a publication tells every member of the branch",
    )
    assert newest(notifications, "member")["subject_id"] == published["request_id"]
