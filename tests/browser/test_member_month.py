"""A member's month on a 360 px phone, in headless Chromium against every service: they study the month's plan and
its materials (a text, a micro lesson), sign in and out as the activity's windows allow and see their own state,
like (state and count), comment and see it hidden after a report, read the notification, vote until their votes
are used; a member of a branch whose party day closed sees their absence, not a scan button; a public voter votes."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

# Closing runs every second; one report hides a comment (and tells its author).
STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_COMMENT_REPORTS_TO_HIDE": "1",
    "PARTYDAY_CAMPAIGN_OPENING_INTERVAL_S": "1",
}
PASSWORD = "month-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
LESSON_TEXT = "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。"


@pytest.fixture(scope="module")
def month(stack):
    """A township with three branches holding party days this month: A's is open for sign-in and ends in a minute
    and a half (then an hour to sign out), B's and C's ended at once and close; the county's directive of the
    month carries a text and a micro lesson."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "南郑区委")
    town = stack.create_org(county, "township", "大河坎镇")
    names = {"a": "大河坎社区党支部", "b": "新集村党支部", "c": "协税村党支部"}
    branches = {key: stack.create_org(town, "branch", name) for key, name in names.items()}
    people = {
        "member": stack.create_member(branches["a"], PASSWORD, name="李明"),
        "reporter": stack.create_member(branches["a"], PASSWORD, name="王芳"),
        "absent": stack.create_member(branches["b"], PASSWORD, name="陈缺席"),
    }
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives",
        headers=admin,
        json={"org_id": county, "month": month, "theme": "学党章 守初心", "required_actions": ["诵读党章"]},
    )
    assert directive.status_code == 201, directive.text
    directive_id = directive.json()["directive_id"]
    wait_for(
        lambda: (
            http.post(
                f"/api/v1/directives/{directive_id}/materials/text",
                headers=admin,
                json={"title": "党章第一章", "text": LESSON_TEXT},
            ).status_code
            == 201
        ),
        message="the text material was attached",
    )
    lesson = http.post(
        f"/api/v1/directives/{directive_id}/materials",
        headers=admin,
        files={"file": ("lesson.mp4", media_corpus.mp4(1200), "video/mp4")},
        data={"title": "微党课：初心"},
    )
    assert lesson.status_code == 201, lesson.text
    a_ends = now + timedelta(seconds=90)
    themes = {"a": "学习党章 践行初心", "b": "走访困难群众", "c": "重温入党誓词"}
    activities = {}
    for key in ("a", "b", "c"):
        plan = http.post(
            "/api/v1/plans",
            headers=admin,
            json={
                "branch_id": branches[key],
                "month": month,
                "theme": themes[key],
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": (a_ends if key == "a" else now + timedelta(seconds=5)).isoformat(),
                "venue": VENUE,
                "required_actions": ["诵读党章"],
                "attendance_rules": {
                    "opens_before_min": 30,
                    "grace_min": 15,
                    "sign_out_window_min": 60 if key == "a" else 0,
                },
            },
        )
        assert plan.status_code == 201, plan.text
        plan_id = plan.json()["plan_id"]
        assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=admin).status_code == 200
        approved = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin)
        assert approved.status_code == 200, approved.text
        activities[key] = approved.json()["activity_id"]
    for activity in activities.values():
        wait_for(
            lambda a=activity: http.get(f"/api/v1/activities/{a}/score", headers=admin).status_code == 200,
            message="scoring and attendance know the activity",
        )
    return {
        "town": town,
        "month": month,
        "names": names,
        "themes": themes,
        "people": people,
        "activities": activities,
        "a_ends": a_ends,
    }


def narrow(page) -> None:
    """A small phone: 360 px wide."""
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )


def fits(page) -> None:
    """Nothing sticks out sideways at this width."""
    overflow = page.js("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def switch_to_english(page) -> None:
    page.js("const s = document.querySelector('select.lang'); s.value = 'en'; s.dispatchEvent(new Event('change'))")


def sign(page, stack, activity: str, button: str, status: str) -> None:
    code = stack.http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=stack.admin).json()
    page.go(f"/m/checkin?activity={activity}&token={code['token']}")
    if button == "#sign-out":
        page.fill("#reflection", "重温入党誓词，更加坚定了理想信念。")
    page.click(button)
    page.wait(f"#scan-out [data-status={status}]")


def test_a_member_studies_signs_in_and_out_likes_comments_and_reads_the_notification(stack, month, page):
    member, activity = month["people"]["member"], month["activities"]["a"]
    narrow(page)
    page.position(VENUE["lat"] + 0.0004, VENUE["lon"], accuracy=12)
    page.go("/m")
    page.login(member["phone"], PASSWORD)

    page.wait("article.activity h3", month["themes"]["a"])
    day = page.wait("#my-day[data-state=sign_in_open]")
    assert "签到进行中" in day.text and page.wait("#scan-to-sign").text == "扫码签到"
    text = page.wait("#study details.material-text summary", "党章第一章")
    text.send_keys(Keys.ENTER)
    page.wait("#study details[open] .prose", LESSON_TEXT[:10])
    page.click("#study button[data-watch]", "观看")
    page.wait_until(
        lambda: (
            page.js("const v = document.querySelector('#study video.lesson'); return v && v.src") or ""
        ).startswith("blob:"),
        "the micro lesson is loaded into the page's player",
    )
    assert page.wait("#study li[data-kind=video]").text.startswith("微党课")
    page.wait("#study-note .notes", "本月还没有写学习心得")
    page.fill("#note-text", "学习党章第一章，明白了党员的义务和权利。")
    page.click("#study-note button[type=submit]")
    page.wait("#study-note .note-list li", "明白了党员的义务和权利")
    assert page.js("return document.getElementById('note-text').value") == ""
    like = page.wait("#like", "点赞 · 0")
    assert like.get_attribute("aria-pressed") == "false"
    fits(page)
    page.shot("month-zh-360")

    page.click("#like")
    liked = page.wait("#like:disabled", "已点赞 · 1")
    assert liked.get_attribute("aria-pressed") == "true"
    page.js("window.location.reload()")
    page.wait("#like[aria-pressed=true]:disabled", "已点赞 · 1")

    sign(page, stack, activity, "#sign-in", "signed_in")
    page.go("/m")
    page.wait("#my-day[data-state=signed_in]")
    assert "签到" in page.wait("#my-day .signed-in-at").text and not page.all("#scan-to-sign")
    page.shot("signed-in-zh-360")

    time.sleep(max(0.0, (month["a_ends"] - datetime.now(timezone.utc)).total_seconds()) + 1)
    page.go("/m")
    page.wait("#my-day[data-state=sign_out_open]")
    assert page.wait("#scan-to-sign").text == "扫码签退"
    sign(page, stack, activity, "#sign-out", "signed_out")
    page.go("/m")
    page.wait("#my-day[data-state=signed_out]")
    assert "签退" in page.wait("#my-day .signed-out-at").text and not page.all("#scan-to-sign")

    page.fill("#comment-text", "重温誓词，很受教育")
    page.click("#engage button", "发表")
    page.wait(".comment-list li", "重温誓词，很受教育")
    page.shot("signed-out-zh-360")
    assert not page.all(".comment-list li button[data-report]"), "nobody reports their own comment"

    page.reset()
    narrow(page)
    page.go("/m")
    page.login(month["people"]["reporter"]["phone"], PASSWORD)
    page.click(".comment-list li button[data-report]")
    page.fill(".comment-list li .report input[name=reason]", "测试举报")
    page.click(".comment-list li .report button[type=submit]")
    page.wait(".comment-list li .report [role=status]", "已举报")
    fits(page)
    page.shot("reported-zh-360")

    page.reset()
    narrow(page)
    page.go("/m")
    page.login(member["phone"], PASSWORD)
    page.go("/m/history")
    page.wait(f"#my-history li[data-activity='{activity}']", month["themes"]["a"])
    page.wait(f"#my-history li[data-activity='{activity}'] .badge", "已签退")
    page.wait("#my-absences .absence-summary", "缺勤 0 次")
    hidden = page.wait("#my-comments li[data-status=hidden]", "重温誓词，很受教育")
    assert "被举报隐藏" in hidden.text and "等待上级审核" in hidden.text
    fits(page)
    page.shot("history-zh-360")

    for _ in range(30):
        page.go("/m/inbox")
        if page.all("article.notification.unread"):
            break
        time.sleep(1)
    message = page.wait("article.notification.unread", "您的评论已被隐藏")
    assert message.get_attribute("tabindex") == "0" and message.get_attribute("role") == "button"
    page.shot("inbox-zh-360")
    unread = len(page.all("article.notification.unread"))
    assert page.wait("#unread-badge").text == str(unread)
    page.js("arguments[0].focus()", message)
    message.send_keys(" ")
    page.wait("article.notification:not(.unread)", "您的评论已被隐藏")
    page.wait_until(
        lambda: page.wait("#unread-badge", visible=False).get_attribute("textContent") == str(unread - 1),
        "the badge counted one fewer",
    )

    page.go("/m")
    page.wait("#my-day[data-state=signed_out]")
    switch_to_english(page)
    page.wait("#my-day h3", "My sign-in")
    page.wait("#study h3", "This month's study")
    page.wait("#like", "Liked · 1")
    fits(page)
    page.shot("month-en-360")
    page.go("/m/history")
    page.wait("#my-comments li[data-status=hidden]", "Hidden after reports")
    fits(page)
    page.shot("history-en-360")


def test_a_member_whose_party_day_closed_sees_their_absence_and_no_scan_button(stack, month, page):
    absent, activity = month["people"]["absent"], month["activities"]["b"]
    wait_for(
        lambda: stack.http.get(f"/api/v1/activities/{activity}", headers=stack.admin).json()["closed"],
        message="attendance closed B's party day",
    )
    narrow(page)
    page.go("/m")
    page.login(absent["phone"], PASSWORD)
    state = page.wait("#my-day[data-state=absent]")
    assert "缺勤" in state.text and not page.all("#scan-to-sign")
    page.shot("closed-absent-zh-360")
    page.go("/m/history")
    page.wait("#my-absences li", month["themes"]["b"])
    assert "缺勤 1 次" in page.wait("#my-absences .absence-summary").text


def test_a_member_and_a_public_voter_vote_until_their_votes_are_used(stack, month, page):
    opened = stack.http.post(
        "/api/v1/campaigns",
        headers=stack.admin,
        json={"org_id": month["town"], "month": month["month"], "title": "我为主题党日打Call", "votes_per_voter": 2},
    )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    b, c, a = month["activities"]["b"], month["activities"]["c"], month["activities"]["a"]

    narrow(page)
    page.go("/m/inbox")
    page.login(month["people"]["member"]["phone"], PASSWORD)
    for _ in range(30):
        page.go("/m/inbox")
        page.wait("h2", "消息通知")
        if page.all(f"article.notification a[href='/m/vote?campaign={campaign}']"):
            break
        time.sleep(1)
    page.wait("article.notification", "投票开始：我为主题党日打Call")
    page.click(f"article.notification a[href='/m/vote?campaign={campaign}']", "去投票")
    page.wait("#votes-left[data-left='2']", "您还可投 2 票")
    page.click(f"button[data-vote='{b}']")
    page.wait("#vote-out .alert.ok", "投票成功，还可投 1 票")
    page.wait("#votes-left[data-left='1']", "您还可投 1 票")
    page.wait(f"button[data-vote='{b}']:disabled", "已投")
    page.wait(f"[data-votes='{b}']", "1 票")
    page.click(f"button[data-vote='{c}']")
    page.wait("#votes-left[data-left='0']", "您还可投 0 票")
    page.wait(f"button[data-vote='{a}']:disabled", "票已用完")
    assert all(button.get_attribute("disabled") is not None for button in page.all("button[data-vote]"))
    fits(page)
    page.shot("member-votes-used-zh-360")
    page.js("window.location.reload()")
    page.wait("#votes-left[data-left='0']")
    page.wait(f"button[data-vote='{b}']:disabled", "已投")
    page.wait(f"button[data-vote='{a}']:disabled", "票已用完")
    switch_to_english(page)
    page.wait("#votes-left", "0 of your 2 votes left")
    page.wait(f"button[data-vote='{a}']:disabled", "No votes left")
    fits(page)
    page.shot("member-votes-used-en-360")

    voter = "139" + str(uuid.uuid4().int)[:8]
    page.reset()
    narrow(page)
    page.go(f"/vote?campaign={campaign}")
    page.fill("input[name=phone]", voter)
    page.click("#send-code")
    page.wait(".alert.ok", "验证码已发送")

    def code_in_log():
        for line in reversed(stack.log("directory").splitlines()):
            if voter in line and "one_time_code" in line:
                return line.split('"one_time_code": "')[1][:6]
        return None

    page.fill("input[name=code]", wait_for(code_in_log, message="the one-time code was sent"))
    page.click("form.login button[type=submit]")
    page.wait("#votes-left[data-left='2']", "您还可投 2 票")
    page.click(f"button[data-vote='{a}']")
    page.wait("#votes-left[data-left='1']")
    page.click(f"button[data-vote='{b}']")
    page.wait("#votes-left[data-left='0']", "您还可投 0 票")
    page.wait(f"button[data-vote='{c}']:disabled", "票已用完")
    fits(page)
    page.shot("public-votes-used-zh-360")
    results = stack.http.get(f"/api/v1/campaigns/{campaign}/results", headers=stack.admin).json()
    assert {item["activity_id"]: item["votes"] for item in results["items"]} == {a: 1, b: 2, c: 1}
