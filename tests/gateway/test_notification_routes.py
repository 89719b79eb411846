"""The inbox routes: a member's own notifications through the notifications service, nobody else's."""

from tests.gateway.fakes import FakeRpc

MEMBER = {
    "session_active": True,
    "kind": "member",
    "subject": "m1",
    "member_id": "m1",
    "name": "李明",
    "org_id": "b1",
    "org_path": "/root/b1/",
    "roles": [],
}
PUBLIC = {**MEMBER, "kind": "public", "member_id": None, "org_id": None, "org_path": None}
NOTIFICATION = {
    "notification_id": "n1",
    "kind": "plan_returned",
    "title": "2026-12主题党日计划被退回",
    "body": "一支部2026-12的主题党日计划被退回，意见：请补充。请修改后重新提交。",
    "subject_id": "p1",
    "created_at": "2026-12-04T10:00:00+00:00",
    "read_at": None,
}
SETTINGS = {
    "member_id": "m1",
    "email": "m1@example.org",
    "language": "en",
    "channels": {"plan_returned": ["inbox", "email"]},
    "allowed": {"plan_returned": ["inbox", "sms", "email"]},
    "required": {"plan_returned": ["inbox"]},
}


def test_the_inbox_is_the_callers_own_newest_first_with_the_unread_count(gateway):
    page = {"items": [NOTIFICATION], "total": 1, "unread": 1, "page": 2, "page_size": 10}
    rpc = gateway.use(FakeRpc(caller=MEMBER).answer("notifications", "inbox", page))
    answer = gateway.get("/api/v1/me/notifications", params={"page": 2, "page_size": 10})
    assert answer.status_code == 200, answer.text
    assert answer.json() == page
    assert rpc.calls == [("notifications", "inbox", ("m1",), {"page": 2, "page_size": 10, "unread_only": False})]


def test_marking_read_passes_the_idempotency_key(gateway):
    rpc = gateway.use(
        FakeRpc(caller=MEMBER)
        .answer("notifications", "mark_read", {**NOTIFICATION, "read_at": "2026-12-04T11:00:00+00:00"})
        .answer("notifications", "mark_all_read", {"marked": 3, "unread": 0})
    )
    one = gateway.post("/api/v1/me/notifications/n1/read", headers={"Idempotency-Key": "k1"})
    assert one.status_code == 200 and one.json()["read_at"]
    every = gateway.post("/api/v1/me/notifications/read-all")
    assert every.json() == {"marked": 3, "unread": 0}
    assert rpc.calls == [
        ("notifications", "mark_read", ("m1", "n1"), {"idempotency_key": "k1"}),
        ("notifications", "mark_all_read", ("m1",), {"idempotency_key": None}),
    ]


def test_the_settings_are_checked_before_they_reach_the_service(gateway):
    rpc = gateway.use(FakeRpc(caller=MEMBER).answer("notifications", "update_member_settings", SETTINGS))
    changed = gateway.put("/api/v1/me/notification-settings", json={"email": "m1@example.org", "language": "en"})
    assert changed.status_code == 200, changed.text
    assert rpc.calls[0].args == ("m1", {"email": "m1@example.org", "language": "en"})
    assert gateway.put("/api/v1/me/notification-settings", json={"language": "fr"}).status_code == 400
    assert gateway.put("/api/v1/me/notification-settings", json={"email": "not-an-address"}).status_code == 400
    assert gateway.put("/api/v1/me/notification-settings", json={"channels": {"nope": ["sms"]}}).status_code == 400


def test_notifications_need_a_members_account(gateway):
    gateway.use(FakeRpc(caller=PUBLIC))
    refused = gateway.get("/api/v1/me/notifications")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "MEMBERS_ONLY"


def test_dead_letters_are_for_the_city_admin(gateway):
    dead = {
        "items": [
            {
                "delivery_id": "d1",
                "notification_id": "n1",
                "recipient_id": "m1",
                "kind": "plan_returned",
                "channel": "sms",
                "attempts": 5,
                "last_error": "the SMS gateway answered 503",
                "created_at": "2026-12-04T10:00:00+00:00",
            }
        ],
        "total": 1,
        "page": 1,
        "page_size": 50,
        "counts": {"sms": {"dead": 1, "sent": 9}},
    }
    gateway.use(FakeRpc(caller=MEMBER))
    assert gateway.get("/api/v1/notifications/dead-letters").status_code == 403
    city_admin = {**MEMBER, "roles": [{"role": "city_admin", "org_id": "root", "org_path": "/root/"}]}
    rpc = gateway.use(FakeRpc(caller=city_admin).answer("notifications", "dead_letters", dead))
    answer = gateway.get("/api/v1/notifications/dead-letters")
    assert answer.status_code == 200 and answer.json() == dead
    assert rpc.calls == [("notifications", "dead_letters", (), {"page": 1, "page_size": 50})]
