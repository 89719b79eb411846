"""A county's evaluation month in the console, in headless Chromium against every service: a county admin opens
an evaluation and judges on the five criteria, the working group shortlists, the committee names and publishes the
winners; a campaign is opened, found again in the list and its results read; hidden comments leave the moderation
queue once restored or removed; a branch secretary proposes a golden idea the county admin judges. At 1,280 px and
at 360 px."""

import itertools
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

# Closing runs every second; one report hides a comment, so that a single member's report puts it in the queue;
# calls get 6 s, since the test logs in five times on a shared two-core machine, each login an argon2 verification.
STACK_ENVIRONMENT = {
    "PARTYDAY_RPC_TIMEOUT_S": "6",
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_COMMENT_REPORTS_TO_HIDE": "1",
}
PASSWORD = "evaluation-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
_phones = itertools.count(13700000000)


@pytest.fixture(scope="module")
def county(stack):
    """A county with a township, two branches whose party days ended at once (closed and scored), and a county
    office whose members are the county's admin (a judge), its working group and its committee."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    def org(parent, level, name):
        answer = http.post(
            "/api/v1/orgs",
            headers=admin,
            json={
                "name": name,
                "level": level,
                "parent_id": parent,
                "domain": "community",
                "code": f"E{uuid.uuid4().hex[:10]}",
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["org_id"]

    def member(branch, name, role=None, over=None):
        phone = str(next(_phones))
        answer = http.post(
            "/api/v1/members",
            headers=admin,
            json={"name": name, "phone": phone, "password": PASSWORD, "branch_id": branch},
        )
        assert answer.status_code == 201, answer.text
        made = {"member_id": answer.json()["member_id"], "phone": phone, "name": name}
        if role:
            granted = http.post(
                "/api/v1/role-grants",
                headers=admin,
                json={"member_id": made["member_id"], "role": role, "org_id": over},
            )
            assert granted.status_code == 201, granted.text
        made["headers"] = stack.login(phone, PASSWORD)
        return made

    county_id = org(root["org_id"], "county", "南郑区委")
    office = org(org(county_id, "township", "区直机关工委"), "branch", "区委办党支部")
    town = org(county_id, "township", "大河坎镇")
    names = {"a": "大河坎镇第一党支部", "b": "大河坎镇第二党支部"}
    themes = {"a": "重温入党誓词", "b": "走访慰问老党员"}
    branches = {key: org(town, "branch", name) for key, name in names.items()}
    people = {
        "admin": member(office, "钱区委", "org_admin", county_id),
        "working_group": member(office, "孙工作组", "working_group", county_id),
        "committee": member(office, "李评委会", "committee", county_id),
        "a": member(branches["a"], "周党员"),
        "a_secretary": member(branches["a"], "冯书记", "branch_admin", branches["a"]),
        "a_reporter": member(branches["a"], "吴党员"),
        "b": member(branches["b"], "郑党员"),
    }
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    activities = {}
    for key, branch in branches.items():
        plan = http.post(
            "/api/v1/plans",
            headers=admin,
            json={
                "branch_id": branch,
                "month": month,
                "theme": themes[key],
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": (now + timedelta(seconds=5)).isoformat(),
                "venue": VENUE,
                "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
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
            lambda a=activity: (
                http.get(f"/api/v1/activities/{a}/score", headers=admin).json().get("status", "pending") != "pending"
            ),
            timeout=60,
            message="the party day closed and was scored",
        )
    return {
        "county": county_id,
        "town": town,
        "branches": branches,
        "names": names,
        "themes": themes,
        "people": people,
        "month": month,
        "activities": activities,
    }


def console_as(page, who: dict, path: str) -> None:
    page.start_over(f"/console{path}", who["phone"], PASSWORD)


def no_sideways_scroll(page, width: int) -> None:
    wide = page.js("return document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide} px wide at {width} px"


def test_a_county_admin_runs_an_evaluation_with_a_working_group_and_a_committee(stack, county, page):
    people, names = county["people"], county["names"]
    console_as(page, people["admin"], "#/evaluations")
    page.wait("#evaluation-list .empty", "没有评选")
    page.shot("no-evaluation-yet")
    page.wait("#evaluation-form select[name=kind]").send_keys("最佳")
    page.fill("#evaluation-form input[name=period]", county["month"])
    page.fill("#evaluation-form input[name=best_slots]", "1")
    page.fill("#evaluation-form input[name=excellent_slots]", "1")
    page.fill("#evaluation-form input[name=min_sign_in_rate]", "0")
    page.click("#evaluation-form input[name=summary_required]")
    page.click("#evaluation-form button[type=submit]")
    page.wait(".alert.ok", f"已发起：最佳/优秀主题党日 {county['month']}")
    page.wait(".steps li.current", "评委评分")
    for key in ("a", "b"):
        page.wait("#candidates td", names[key])
    page.shot("opened")

    # The county's admin judges both party days on the five criteria.
    for key, marks in (("a", (18, 17, 16, 19, 15)), ("b", (12, 13, 14, 15, 16))):
        row = page.wait("#candidates tr", names[key])
        row.find_element("css selector", "details.judge summary").click()
        for criterion, mark in zip(("theme", "content", "form", "organisation", "effect"), marks):
            box = row.find_element("css selector", f"input[name={criterion}]")
            box.clear()
            box.send_keys(str(mark))
        row.find_element("css selector", "form.marks button[type=submit]").click()
        page.wait(".alert.ok", f"已评分：{names[key]}，合计 {sum(marks)} 分")
        page.wait("#candidates tr", f"主题 {marks[0]}")
    page.wait("#candidates tr", "85")
    row = page.wait("#candidates tr", names["a"])
    assert "85" in row.text and "主题 18" in row.text and "成效 15" in row.text, row.text
    assert not page.all("[data-step=first-review]"), "a judge does not shortlist"
    page.shot("judged")
    evaluation = page.js("return location.hash").split("/")[-1]

    # The judge comes back: the form starts from their own marks, says what they marked, and a change replaces them.
    console_as(page, people["admin"], f"#/evaluations/{evaluation}")
    page.wait("#my-marks", "我已评 2 / 2 个候选")
    row = page.wait("#candidates tr", names["b"])
    assert row.find_element("css selector", "details.judge").get_attribute("data-marked") == "yes"
    row.find_element("css selector", "details.judge summary").click()
    assert "我的评分合计 70 分" in row.text, row.text
    criteria = ("theme", "content", "form", "organisation", "effect")
    given = [row.find_element("css selector", f"input[name={c}]").get_attribute("value") for c in criteria]
    assert given == ["12", "13", "14", "15", "16"], given
    page.shot("judge-comes-back")
    box = row.find_element("css selector", "input[name=effect]")
    box.clear()
    box.send_keys("6")
    row.find_element("css selector", "form.marks button[type=submit]").click()
    page.wait(".alert.ok", f"已评分：{names['b']}，合计 60 分")
    row = page.wait("#candidates tr", "成效 6")
    row.find_element("css selector", "details.judge summary").click()
    assert row.find_element("css selector", "input[name=effect]").get_attribute("value") == "6"
    assert "我的评分合计 60 分" in row.text and "（1 位评委）" in row.text, "the change replaced the first marks"
    page.wait("#my-marks", "我已评 2 / 2 个候选")

    # The working group shortlists both; judging ends. One who sits on it and administers nothing lands on the
    # evaluations.
    console_as(page, people["working_group"], "")
    page.wait(".sidenav a.active", "评选")
    page.go(f"/console#/evaluations/{evaluation}")
    page.wait(".steps li.current", "评委评分")
    assert not page.all("details.judge"), "the working group does not judge"
    for key in ("a", "b"):
        page.wait("#candidates tr", names[key]).find_element("css selector", "input[name=shortlist]").click()
    page.shot("shortlisting")
    page.click("[data-step=first-review]")
    page.wait(".alert.ok", "初审已提交")
    page.wait(".steps li.current", "复审")
    page.wait_until(
        lambda: (
            page.js(
                "return [...document.querySelectorAll('#candidates tbody tr')]"
                ".filter((row) => row.textContent.includes('入围')).length"
            )
            == 2
        ),
        "both candidates shown shortlisted",
    )
    assert not page.all("[data-step]"), "the working group has no further step"

    # The committee names the best and the excellent, then publishes.
    console_as(page, people["committee"], f"#/evaluations/{evaluation}")
    page.wait(".steps li.current", "复审")
    for key, award in (("a", "最佳"), ("b", "优秀")):
        page.wait("#candidates tr", names[key]).find_element("css selector", "select[name=award]").send_keys(award)
    page.shot("choosing")
    page.click("[data-step=second-review]")
    page.wait(".alert.ok", "复审已提交")
    page.wait(".steps li.current", "待公布")
    page.click("[data-step=publish]")
    page.wait(".alert.ok", "结果已公布")
    winners = page.wait("#winners .winners", "获奖名单")
    page.wait("#winners tr", names["a"])
    rows = [row.text for row in page.all("#winners tbody tr")]
    assert rows[0].startswith("最佳") and names["a"] in rows[0] and county["themes"]["a"] in rows[0], rows
    assert rows[1].startswith("优秀") and names["b"] in rows[1], rows
    assert winners.is_displayed()
    page.shot("published")
    no_sideways_scroll(page, 1360)

    # The admin reads the published winners too, in English, and on a 360 px screen.
    console_as(page, people["admin"], f"#/evaluations/{evaluation}")
    page.wait("#winners tr", names["a"])
    assert not page.all("[data-step]") and not page.all("details.judge")
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )
    page.wait("#winners tr", names["a"])
    page.shot("published-360")
    no_sideways_scroll(page, 360)
    page.desk()
    page.js("localStorage.setItem('partyday.lang', 'en')")
    page.driver.refresh()
    page.wait(".steps li.current", "Published")
    page.wait("#winners td", "Best")
    page.shot("published-en")


def test_a_campaign_is_opened_found_in_the_list_and_its_results_read(stack, county, page):
    people, names = county["people"], county["names"]
    console_as(page, people["admin"], "#/campaigns")
    page.wait("#campaign-list .empty", "还没有打Call活动")
    page.fill("#campaign-form input[name=title]", "南郑区我为主题党日打Call")
    page.fill("#campaign-form input[name=votes_per_voter]", "2")
    page.click("#campaign-form button[type=submit]")
    page.wait("#campaign-form .alert.ok", "已发起：南郑区我为主题党日打Call")
    row = page.wait("#campaign-list tr", "南郑区我为主题党日打Call")
    assert county["month"] in row.text and "投票中" in row.text, row.text
    page.shot("opened")
    campaign = row.find_element("css selector", "a[data-campaign]").get_attribute("data-campaign")
    voted = stack.http.post(
        f"/api/v1/campaigns/{campaign}/votes",
        headers=people["b"]["headers"],
        json={"activity_id": county["activities"]["b"]},
    )
    assert voted.status_code == 201, voted.text

    # Found again later, from the list, after leaving the page.
    page.go("/console#/evaluations")
    page.click(".sidenav a", "打Call活动")
    page.click("#campaign-list a", "南郑区我为主题党日打Call")
    page.wait(".campaign h3", "南郑区我为主题党日打Call")
    page.wait(".total-votes", "共 1 票")
    first, second = page.all("#campaign-results tbody tr")[:2]
    assert names["b"] in first.text and first.text.endswith("1"), first.text
    assert names["a"] in second.text and second.text.endswith("0"), second.text
    page.wait(".campaign .facts", "/m/vote?campaign=" + campaign)
    page.shot("results")

    # Managed from its detail: a new title and end of voting, then voting closed now, after a confirmation.
    closes = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#campaign-manage input[name=title]", "南郑区十二月打Call")
    page.js("document.querySelector('#campaign-manage input[name=closes_at]').value = arguments[0]", closes)
    page.click("#campaign-manage button[type=submit]", "保存修改")
    page.wait(".campaign h3", "南郑区十二月打Call")
    assert page.wait("#campaign-manage input[name=closes_at]").get_attribute("value") == closes
    shown = stack.http.get(f"/api/v1/campaigns/{campaign}", headers=people["admin"]["headers"]).json()
    assert datetime.fromisoformat(shown["closes_at"]) == datetime.fromisoformat(f"{closes}:00+08:00")
    page.wait(".campaign .facts", "投票中")
    page.click("#campaign-close", "立即截止投票")
    page.wait("#campaign-close", "确认立即截止投票？")
    page.shot("close-confirm")
    page.click("#campaign-close", "确认立即截止投票？")
    page.wait(".campaign .facts", "已截止")
    assert not page.all("#campaign-close"), "a closed campaign offers no closing"
    window = [page.wait(f"#campaign-manage input[name={end}]") for end in ("opens_at", "closes_at")]
    assert all(not end.is_enabled() for end in window), "a closed window is never reopened"
    page.wait(".total-votes", "共 1 票")
    page.shot("closed")
    late = stack.http.post(
        f"/api/v1/campaigns/{campaign}/votes",
        headers=people["a"]["headers"],
        json={"activity_id": county["activities"]["a"]},
    )
    assert late.status_code == 422 and late.json()["error"]["code"] == "VOTING_CLOSED", late.text
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )
    page.wait(".total-votes", "共 1 票")
    page.shot("results-360")
    no_sideways_scroll(page, 360)

    # A branch's secretary reads the campaign and its results but may not run it.
    page.desk()
    console_as(page, people["a_secretary"], f"#/campaigns/{campaign}")
    page.wait(".campaign h3", "南郑区十二月打Call")
    page.wait(".total-votes", "共 1 票")
    assert not page.all("#campaign-manage") and not page.all("#campaign-close")


def test_hidden_comments_leave_the_moderation_queue_once_restored_or_removed(stack, county, page):
    people, http = county["people"], stack.http
    activity = county["activities"]["a"]

    def hidden(text):
        said = http.post(f"/api/v1/activities/{activity}/comments", headers=people["a"]["headers"], json={"text": text})
        assert said.status_code == 201, said.text
        comment = said.json()["comment_id"]
        reported = http.post(f"/api/v1/comments/{comment}/reports", headers=people["a_reporter"]["headers"], json={})
        assert reported.status_code == 201, reported.text
        return comment

    kept, comment = hidden("党员讲党课很受启发"), hidden("这次活动纯属走过场")
    console_as(page, people["admin"], "#/moderation")
    page.wait("#moderation-queue tr", "党员讲党课很受启发").find_element(
        "css selector", "[data-decision=restore]"
    ).click()
    page.wait(".alert.ok", "已恢复：党员讲党课很受启发")
    page.wait_until(
        lambda: page.js(
            "return !document.querySelector('#moderation-queue').textContent.includes('党员讲党课很受启发')"
        ),
        "the restored comment left the queue",
    )
    row = page.wait("#moderation-queue tr", "这次活动纯属走过场")
    page.wait("#moderation-queue tr", county["themes"]["a"])
    page.wait("#moderation-queue tr", people["a"]["name"])
    assert county["names"]["a"] in page.wait("#moderation-queue tr", county["names"]["a"]).text
    page.shot("queue")
    row.find_element("css selector", "[data-decision=remove]").click()
    page.wait(".alert.ok", "已删除：这次活动纯属走过场")
    page.wait("#moderation-queue .empty", "没有待审核的评论")
    page.shot("queue-empty")
    mine = http.get("/api/v1/me/comments", headers=people["a"]["headers"]).json()["items"]
    assert sorted((c["comment_id"], c["status"]) for c in mine) == sorted([(comment, "removed"), (kept, "visible")])


def test_a_secretary_proposes_a_golden_idea_which_the_county_admin_judges(stack, county, page):
    people = county["people"]
    year, month = county["month"].split("-")
    quarter = f"{year}-Q{(int(month) - 1) // 3 + 1}"
    console_as(page, people["admin"], "#/evaluations")
    page.wait("#evaluation-form select[name=kind]").send_keys("金点子")
    assert page.wait("#evaluation-form input[name=period]").get_attribute("value") == quarter
    page.click("#evaluation-form button[type=submit]")
    page.wait(".alert.ok", f"已发起：金点子 {quarter}")
    evaluation = page.js("return location.hash").split("/")[-1]

    console_as(page, people["a_secretary"], "#/evaluations")
    assert not page.all("#evaluation-form"), "a branch's admin opens no evaluation"
    page.wait(f"#evaluation-list [data-evaluation='{evaluation}']")
    assert not page.all(f"#evaluation-list a[data-evaluation='{evaluation}']"), "the county's judging is not hers"
    page.click(f"a[data-action=propose][href$='{evaluation}/propose']")
    page.wait(".photo-choice", "本季度的活动还没有图片")
    page.fill("input[name=title]", "红色故事接力讲")
    page.fill("textarea[name=text]", "每月一名党员讲一个身边的红色故事，录成短视频")
    page.click("form button[type=submit]", "提出金点子")
    page.wait(".alert.ok", "已提出：红色故事接力讲")
    page.shot("proposed")
    # The month's published winners open to her from the list.
    page.go("/console#/evaluations")
    page.click("#evaluation-list a[href$='/winners']")
    assert county["names"]["a"] in page.wait("#winners tbody tr", "最佳").text
    page.shot("winners-for-a-branch")

    console_as(page, people["admin"], f"#/evaluations/{evaluation}")
    row = page.wait("#candidates tr", "红色故事接力讲")
    assert "金点子" in row.text and county["names"]["a"] in row.text
    row.find_element("css selector", "details.judge summary").click()
    for criterion in ("theme", "content", "form", "organisation", "effect"):
        box = row.find_element("css selector", f"input[name={criterion}]")
        box.clear()
        box.send_keys("20")
    row.find_element("css selector", "form.marks button[type=submit]").click()
    page.wait(".alert.ok", f"已评分：{county['names']['a']}，合计 100 分")
    page.wait("#candidates tr", "红色故事接力讲")
    page.shot("idea-judged")
