"""Studied, and made up, in headless Chromium against every service: on a 360 px phone a member reads the month's
text and marks it finished, an absent member studies the missed day's material and completes the make-up with a
reflection; at the desk the secretary sees both, the study progress per member and the make-up on the sign-in sheet
while the absence stays."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
}
PASSWORD = "study-pages-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
TEXT = "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。"
REFLECTION = "补学了党章第一章，认识到党员要始终走在群众前面，今后按时参加组织生活，不再缺席主题党日。"


@pytest.fixture(scope="module")
def branch(stack):
    """A branch with its secretary, a member who studies and one who misses the party day (closed at once)."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "城固县委")
    branch_id = stack.create_org(stack.create_org(county, "township", "博望镇"), "branch", "博望社区党支部")
    secretary = stack.create_member(branch_id, PASSWORD, name="周书记")
    stack.grant(secretary, "branch_admin", branch_id)
    studious = stack.create_member(branch_id, PASSWORD, name="李学习")
    absent = stack.create_member(branch_id, PASSWORD, name="赵补学")
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives", headers=admin, json={"org_id": county, "month": month, "theme": "学党章"}
    )
    assert directive.status_code == 201, directive.text
    directive_id = directive.json()["directive_id"]
    wait_for(
        lambda: (
            http.post(
                f"/api/v1/directives/{directive_id}/materials/text",
                headers=admin,
                json={"title": "党章第一章", "text": TEXT},
            ).status_code
            == 201
        ),
        message="the text material was attached",
    )
    ends = now + timedelta(seconds=15)
    rules = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0}
    activity = stack.approved_activity(
        branch_id, now - timedelta(minutes=1), ends, theme="重温入党誓词", venue=VENUE, attendance_rules=rules
    )
    token = http.get(
        f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary["headers"]
    ).json()["token"]
    for who in (secretary, studious):
        body = {"token": token, "lat": VENUE["lat"], "lon": VENUE["lon"], "accuracy_m": 10}
        body |= {"device_id": who["phone"], "nonce": uuid.uuid4().hex}
        signed = http.post(f"/api/v1/activities/{activity}/check-in", headers=who["headers"], json=body)
        assert signed.status_code == 200, signed.text
    time.sleep(max(0.0, (ends - datetime.now(timezone.utc)).total_seconds()))
    wait_for(
        lambda: http.get("/api/v1/me/makeups", headers=absent["headers"]).json()["total"] == 1,
        timeout=60,
        message="the closed party day gave the absent member a make-up",
    )
    return {"id": branch_id, "secretary": secretary, "studious": studious, "absent": absent, "activity": activity}


def narrow(page) -> None:
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )


def fits(page) -> None:
    overflow = page.js("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_a_member_studies_an_absent_one_makes_up_and_the_secretary_sees_both(page, branch):
    narrow(page)
    page.go("/m")
    page.login(branch["studious"]["phone"], PASSWORD)
    page.click("#study .material[data-kind=text] summary", "党章第一章")
    page.wait("#study .material[data-kind=text] .progress-state[data-state=opened]", "学习中")
    page.click("#study .material[data-kind=text] button[data-finish]", "我已学完")
    page.wait("#study .material[data-kind=text] .progress-state[data-state=finished]", "已学完")
    page.js("window.location.reload()")
    page.wait("#study .material[data-kind=text] .progress-state[data-state=finished]", "已学完")
    assert not page.all("#my-makeups li"), "who came has nothing to make up"
    fits(page)
    page.shot("studied-zh-360")

    page.reset()
    narrow(page)
    page.go("/m")
    page.login(branch["absent"]["phone"], PASSWORD)
    task = page.wait(f"#my-makeups li[data-activity='{branch['activity']}'][data-makeup=assigned]")
    assert "重温入党誓词" in task.text and "待补学" in task.text
    page.click("#my-makeups .makeup-materials summary", "当天的学习资料")
    page.click("#my-makeups .makeup-materials .material[data-kind=text] summary", "党章第一章")
    page.wait("#my-makeups .makeup-materials .progress-state[data-state=opened]")
    page.fill("#my-makeups textarea[name=reflection]", "学习了")
    page.click("#my-makeups .makeup-form button[type=submit]")
    page.wait("#my-makeups .alert.error[data-code=MAKEUP_REFLECTION_TOO_SHORT]", "至少 30 字")
    page.fill("#my-makeups textarea[name=reflection]", REFLECTION)
    page.click("#my-makeups .makeup-form button[type=submit]")
    fits(page)
    page.go("/m/history")
    done = page.wait("#my-makeups li[data-makeup=done]", "已补学")
    assert REFLECTION in done.text
    page.wait("#my-absences .absence-summary")
    assert page.all(f"#my-absences li[data-absent='{branch['activity']}']"), "the absence stays on record"
    fits(page)
    page.shot("made-up-zh-360")

    page.reset()
    page.go("/console")
    page.login(branch["secretary"]["phone"], PASSWORD)
    page.go(f"/console#/activity/{branch['activity']}")
    row = page.wait("table tr", "赵补学")
    page.wait_until(lambda: "已补学" in page.wait("table tr", "赵补学").text, "the sheet shows the make-up")
    assert "缺勤" in row.text or "缺勤" in page.wait("table tr", "赵补学").text
    page.shot("sheet-with-make-up")
    page.go("/console#/study")
    progress = page.wait("#study-progress tr[data-member]", "李学习")
    assert "已学完" in progress.text
    assert "未学" in page.wait("#study-progress tr[data-member]", "周书记").text
    page.shot("study-progress")
