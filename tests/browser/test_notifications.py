"""The inbox in headless Chromium: a returned plan puts an unread badge on the secretary's phone and console,
the message reads in the inbox, and opening it clears the badge."""

PASSWORD = "inbox-pass-1"
STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}


def returned_plan_for_a_new_secretary(stack) -> dict:
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "消息县")
    town = stack.create_org(county, "township", "消息镇")
    branch = stack.create_org(town, "branch", "消息一支部")
    secretary = stack.create_member(branch, PASSWORD, name="郑书记")
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
    returned = http.post(f"/api/v1/plans/{plan['plan_id']}/return", headers=admin, json={"comment": "请补充议题"})
    assert returned.status_code == 200, returned.text
    return secretary


def test_the_unread_badge_and_the_message_on_the_phone_and_at_the_desk(stack, page):
    secretary = returned_plan_for_a_new_secretary(stack)
    page.phone()
    page.go("/m")
    page.login(secretary["phone"], PASSWORD)
    for _ in range(30):
        badge = page.wait(".tabbar a", "消息")
        if badge.find_elements("css selector", "#unread-badge") and badge.text.strip().endswith("1"):
            break
        page.go("/m")
    assert page.wait("#unread-badge").text == "1"
    page.shot("badge-phone")

    page.click(".tabbar a", "消息")
    message = page.wait("article.notification.unread", "计划被退回")
    assert "请补充议题" in message.text and "消息一支部" in message.text
    page.shot("inbox-phone")
    message.click()
    page.wait("article.notification:not(.unread)", "请补充议题")
    page.wait_until(lambda: not page.wait("#unread-badge", visible=False).is_displayed(), "the badge cleared")
    page.shot("read-phone")

    page.start_over("/console#/inbox", secretary["phone"], PASSWORD)
    page.wait("article.notification", "请补充议题")
    assert page.wait("#inbox-link").text.startswith("消息通知")
    page.shot("inbox-console")


def test_a_member_chooses_how_they_are_told_below_their_inbox(stack, page):
    secretary = returned_plan_for_a_new_secretary(stack)
    page.reset()
    page.phone()
    page.go("/m")
    page.login(secretary["phone"], PASSWORD)
    page.click(".tabbar a", "消息")
    page.wait("#notification-settings tr[data-kind='plan_returned']")
    required = page.wait("input[name='plan_overdue.sms']")
    assert required.is_selected() and not required.is_enabled(), "what the organisation requires stays checked"
    inbox = page.wait("input[name='plan_returned.inbox']")
    assert inbox.is_selected() and not inbox.is_enabled(), "the inbox always tells"
    sms = page.wait("input[name='plan_returned.sms']")
    assert sms.is_selected() and sms.is_enabled()
    sms.click()
    page.fill("#notification-settings input[name='email']", "zheng@example.cn")
    page.click("#notification-settings button[type='submit']")
    page.wait("#notification-settings .alert.ok", "通知设置已保存")
    page.shot("settings-saved-phone")

    page.start_over("/console#/inbox", secretary["phone"], PASSWORD)
    page.wait("#notification-settings input[name='email']")
    assert page.wait("#notification-settings input[name='email']").get_attribute("value") == "zheng@example.cn"
    assert not page.wait("input[name='plan_returned.sms']").is_selected(), "the choice is kept"
    page.shot("settings-console")
    token = stack.login(secretary["phone"], PASSWORD)
    settings = stack.http.get("/api/v1/me/notification-settings", headers=token).json()
    assert "sms" not in settings["channels"]["plan_returned"] and settings["email"] == "zheng@example.cn"
