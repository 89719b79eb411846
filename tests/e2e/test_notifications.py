"""Notifications through the gateway with every service running: a returned plan reaches the branch secretary's
inbox and, through the SMS gateway (a fake one, checking the signature), their phone; a public voter's one-time
code leaves by the same gateway; the inbox is read and marked read through the gateway."""

import uuid

import pytest

from tests.e2e.helpers import wait_for
from tests.fixtures.message_servers import SmsGateway

SECRET = "e2e-sms-secret"
PASSWORD = "notify-pass-1"
SMS = SmsGateway(SECRET)
STACK_ENVIRONMENT = {
    "PARTYDAY_SMS_WEBHOOK_URL": SMS.url,
    "PARTYDAY_SMS_WEBHOOK_SECRET": SECRET,
    "PARTYDAY_CODE_SENDER": "sms",
    "PARTYDAY_NOTIFICATIONS_QUIET_START": "0",
    "PARTYDAY_NOTIFICATIONS_QUIET_END": "0",
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
}


@pytest.fixture(scope="module", autouse=True)
def sms_gateway():
    with SMS:
        yield SMS


def test_a_returned_plan_reaches_the_secretarys_inbox_and_phone(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "通知县")
    town = stack.create_org(county, "township", "通知镇")
    branch = stack.create_org(town, "branch", "通知一支部")
    secretary = stack.create_member(branch, PASSWORD, name="王书记")
    stack.grant(secretary, "branch_admin", branch)
    body = {
        "branch_id": branch,
        "month": "2026-12",
        "theme": "主题党日",
        "starts_at": "2026-12-07T09:00:00+08:00",
        "ends_at": "2026-12-07T11:00:00+08:00",
        "venue": {"name": "活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300},
    }
    plan = http.post("/api/v1/plans", headers=admin, json=body).json()
    assert http.post(f"/api/v1/plans/{plan['plan_id']}/submit", headers=admin).status_code == 200
    returned = http.post(f"/api/v1/plans/{plan['plan_id']}/return", headers=admin, json={"comment": "请补充学习内容"})
    assert returned.status_code == 200, returned.text

    headers = secretary["headers"]
    inbox = wait_for(
        lambda: (page := http.get("/api/v1/me/notifications", headers=headers).json())["total"] and page,
        message="the secretary's inbox",
    )
    assert inbox["unread"] == 1
    message = inbox["items"][0]
    assert (
        message["kind"] == "plan_returned" and "请补充学习内容" in message["body"] and "通知一支部" in message["body"]
    )
    texts = wait_for(lambda: SMS.to(secretary["phone"]), message="the text message")
    assert texts[0]["template_id"] == "plan_returned" and texts[0]["signed"]
    assert texts[0]["parameters"]["comment"] == "请补充学习内容"

    read = http.post(
        f"/api/v1/me/notifications/{message['notification_id']}/read",
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert read.status_code == 200 and read.json()["read_at"]
    assert http.get("/api/v1/me/notifications", headers=headers).json()["unread"] == 0
    other = stack.create_member(branch, PASSWORD)
    refused = http.post(f"/api/v1/me/notifications/{message['notification_id']}/read", headers=other["headers"])
    assert refused.status_code == 404


def test_a_voters_one_time_code_leaves_by_the_same_sms_gateway(stack):
    phone = "13712345678"
    assert stack.http.post("/api/v1/auth/public-code", json={"phone": phone}).status_code == 202
    sent = wait_for(lambda: SMS.to(phone), message="the code's text message")
    assert sent[0]["template_id"] == "one_time_code" and sent[0]["signed"]
    login = stack.http.post("/api/v1/auth/public-login", json={"phone": phone, "code": sent[0]["parameters"]["code"]})
    assert login.status_code == 200, login.text
