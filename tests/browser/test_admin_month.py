"""An administrator's month in the console: the city admin lands on the city's home, dispatches a directive to an
organisation chosen by name and watches the home's numbers move; a county admin lands on the county, spot-checks,
issues a rectification to a branch chosen by name and closes it once answered; a secretary sees no superior's
control."""

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.keys import Keys

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD as ADMIN_PASSWORD
from partyday_common.settings import DEVELOPMENT_ADMIN_PHONE as ADMIN_PHONE
from tests.e2e.helpers import wait_for

# Activities close within a second of their end, so that the first branch's short party day is scored and ranked;
# calls get 6 s, logins (argon2) being slow on a shared two-core machine.
STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_RPC_TIMEOUT_S": "6",
}
CHART_DRAWN = "const i = document.getElementById('home-chart-image'); return !!i && i.complete && i.naturalWidth > 0"
PASSWORD = "admin-month-1"
VENUE = {"name": "党员活动室", "lat": 33.1, "lon": 107.3, "radius_m": 300}


@pytest.fixture(scope="module")
def county(stack):
    """城固县委 > 博望镇 > three branches; the county admin is a member of the first branch, whose party day is
    approved, the secretary admins the second, whose party day ends at once (and is scored)."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    def org(parent, level, name):
        answer = http.post(
            "/api/v1/orgs",
            headers=admin,
            json={"name": name, "level": level, "parent_id": parent, "code": f"CG{uuid.uuid4().hex[:8]}"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    county = org(root["org_id"], "county", "城固县委")
    town = org(county["org_id"], "township", "博望镇党委")
    branches = [org(town["org_id"], "branch", f"博望村第{n}党支部") for n in ("一", "二", "三")]
    county_admin = stack.create_member(branches[0]["org_id"], PASSWORD)
    stack.grant(county_admin, "org_admin", county["org_id"])
    secretary = stack.create_member(branches[1]["org_id"], PASSWORD)
    stack.grant(secretary, "branch_admin", branches[1]["org_id"])
    now = datetime.now(timezone.utc)
    stack.approved_activity(
        branches[0]["org_id"],
        now + timedelta(hours=1),
        now + timedelta(hours=2),
        theme="重温入党誓词",
        venue=VENUE,
        required_actions=["诵读党章"],
    )
    activity = stack.approved_activity(
        branches[1]["org_id"],
        now - timedelta(minutes=1),
        now + timedelta(seconds=5),
        theme="学习党章",
        venue=VENUE,
        required_actions=["诵读党章"],
        attendance_rules={"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
    )
    return {
        "root": root,
        "county": county,
        "town": town,
        "branches": branches,
        "county_admin": county_admin,
        "secretary": {**secretary, "headers": stack.login(secretary["phone"], PASSWORD)},
        "activity": activity,
        "month": now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"),
    }


def count(page, css: str) -> int:
    """A number the home shows, once it has loaded."""
    page.wait_until(lambda: page.wait(css).text.strip().isdigit(), f"{css} loaded")
    return int(page.wait(css).text)


def choose_org(page, scope: str, typed: str, name: str, shown: bool = True) -> None:
    """Type into the organisation picker inside `scope` and choose the suggestion named `name` with the keyboard;
    the picker then names it (`shown`) unless the choice moves the page on."""
    field = page.wait(f"{scope} .org-picker-input")
    field.clear()
    field.send_keys(typed)
    page.wait(f"{scope} .org-picker-list li", name)
    options = [option.text for option in page.all(f"{scope} .org-picker-list li")]
    for _ in range(next(i for i, text in enumerate(options) if name in text) + 1):
        field.send_keys(Keys.ARROW_DOWN)
    field.send_keys(Keys.ENTER)
    if shown:
        page.wait(f"{scope} .org-picker-status .org-name", name)


def fits(page, width: int) -> None:
    """At `width` px the page scrolls no wider than the screen (wide tables scroll inside their own box)."""
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    )
    try:
        page.wait("#home-progress-table")
        overflow = page.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.shot(f"home-{width}px")
        assert overflow <= 0, f"the home is {overflow} px wider than a {width} px screen"
    finally:
        page.desk()


def test_the_city_admin_dispatches_and_watches_the_home(stack, county, page):
    page.go("/console")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait(".sidenav a.active", "本级概览")
    page.wait(".home-title", county["root"]["name"])
    page.wait(f"#home-progress-table tr[data-org='{county['county']['org_id']}']", "城固县委")
    page.wait("#home-chart h3", "下级得分排名")
    submitted = count(page, "#home-submitted .tile-count")
    planned_cell = f"#home-progress-table tr[data-org='{county['county']['org_id']}'] td[data-stage=planned] .count"
    planned = int(page.wait(planned_cell).text)
    for tile in ("#home-overdue", "#home-reviews", "#home-rect-open", "#home-rect-answered"):
        page.wait(tile)
    page.shot("home")
    fits(page, 1280)
    fits(page, 360)

    page.click("a[data-period=quarter]")
    quarter = f"{county['month'][:4]}-Q{(int(county['month'][5:]) - 1) // 3 + 1}"
    page.wait(".home-title", quarter)
    page.wait("#home-progress-table", "城固县委")
    page.click("a[data-period=year]")
    page.wait(".home-title", f" · {county['month'][:4]}")
    page.wait("#home-progress-table", "城固县委")
    page.shot("home-year")
    page.click("a[data-period=month]")
    page.js(
        "document.querySelector('.topbar select.lang').value='en';"
        "document.querySelector('.topbar select.lang').dispatchEvent(new Event('change'))"
    )
    page.wait(".sidenav a.active", "Overview")
    page.wait("#home-submitted", "Plans to review")
    page.wait("#home-progress-table th", "Organisation")
    page.shot("home-english")
    page.js(
        "document.querySelector('.topbar select.lang').value='zh';"
        "document.querySelector('.topbar select.lang').dispatchEvent(new Event('change'))"
    )
    page.wait(".sidenav a.active", "本级概览")

    page.click(".sidenav a", "活动要求下发")
    choose_org(page, "form", "城固", "城固县委")
    page.fill("input[name=theme]", "学习贯彻全会精神（城固）")
    page.click("form button[type=submit]", "一键下发")
    page.wait(".alert.ok", "学习贯彻全会精神（城固）")
    sent = stack.http.get(
        "/api/v1/directives",
        headers=stack.admin,
        params={"org_id": county["county"]["org_id"], "month": county["month"]},
    ).json()
    [directive] = [d for d in sent if d["org_id"] == county["county"]["org_id"]]
    assert directive["theme"] == "学习贯彻全会精神（城固）"
    page.click(f"button[data-delivery='{directive['directive_id']}']")
    reached = page.wait("#delivery h3", "学习贯彻全会精神（城固）")
    assert f"（{len(county['branches'])} 个）" in reached.text
    for branch in county["branches"]:
        page.wait("#delivery td", branch["name"])
    page.shot("dispatched")

    # The third branch's plan answers the directive and waits for review: the home counts it.
    now = datetime.now(timezone.utc)
    plan = stack.http.post(
        "/api/v1/plans",
        headers=stack.admin,
        json={
            "branch_id": county["branches"][2]["org_id"],
            "month": county["month"],
            "theme": "学习贯彻全会精神",
            "starts_at": (now + timedelta(hours=3)).isoformat(),
            "ends_at": (now + timedelta(hours=4)).isoformat(),
            "venue": VENUE,
            "required_actions": directive["required_actions"],
        },
    )
    assert plan.status_code == 201, plan.text
    submitted_plan = stack.http.post(f"/api/v1/plans/{plan.json()['plan_id']}/submit", headers=stack.admin)
    assert submitted_plan.status_code == 200, submitted_plan.text

    def moved():
        page.revisit("/console#/home")
        return (
            count(page, "#home-submitted .tile-count") == submitted + 1
            and int(page.wait(planned_cell).text) == planned + 1
        )

    page.wait_until(moved, "the home counted the submitted plan", timeout=30)
    page.shot("home-moved")

    def ranked():
        page.revisit("/console#/home")
        page.wait("#home-chart h3")
        return page.js(CHART_DRAWN)

    page.wait_until(ranked, "the scored party day drew the ranking chart", timeout=60)
    page.shot("home-ranked")
    page.click("#home-submitted")
    page.wait(".sidenav a.active", "方案审核")
    page.wait(f"tr[data-plan='{plan.json()['plan_id']}']", "博望村第三党支部")


def test_a_county_admin_spot_checks_issues_and_closes_a_rectification(stack, county, page):
    page.start_over("/console", county["county_admin"]["phone"], PASSWORD)
    page.wait(".sidenav a.active", "本级概览")
    page.wait(".home-title", "城固县委")
    page.wait(".topbar .context", "城固县委")
    page.wait("#home-progress-table", "博望镇党委")
    page.shot("county-home")

    page.click(".sidenav a", "一键抽查")
    page.wait("form .org-picker-status .org-name", "城固县委")
    page.fill("input[type=number]", "10")
    page.click("form button[type=submit]", "一键抽查")
    page.wait("table tr", "博望村第一党支部")
    page.wait("table tr", "学习党章")
    rectify = "a[href*='rectifications/new']"
    assert not page.wait("table tr", "博望村第一党支部").find_elements("css selector", rectify), (
        "nobody rectifies their own branch"
    )
    assert page.wait("table tr", "博望村第二党支部").find_elements("css selector", rectify)
    page.shot("spot-check")

    page.click(".sidenav a", "整改通知")
    choose_org(page, "#rect-form", "第二", "博望村第二党支部")
    page.fill("#rect-form textarea[name=issue]", "签到表缺少签名，请补齐")
    page.js(
        "document.querySelector('#rect-form input[name=due_on]').value = arguments[0]",
        (datetime.now(timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%d"),
    )
    page.click("#rect-form button[type=submit]", "下发")
    page.wait(".alert.ok", "整改通知已下发")
    page.wait("table tr", "签到表缺少签名")
    [notice] = stack.http.get(
        "/api/v1/rectifications", headers=stack.admin, params={"org_id": county["branches"][1]["org_id"]}
    ).json()["items"]
    assert notice["issue"] == "签到表缺少签名，请补齐" and notice["status"] == "open"
    page.shot("rectification-issued")

    answered = stack.http.post(
        f"/api/v1/rectifications/{notice['rectification_id']}/answer",
        headers=county["secretary"]["headers"],
        json={"text": "已补齐签名"},
    )
    assert answered.status_code == 200, answered.text
    page.click(".sidenav a", "本级概览")
    assert count(page, "#home-rect-answered .tile-count") == 1
    page.click("#home-rect-answered")
    page.wait("a[data-filter=answered][aria-current=true]")
    row = "table tr:has(button[data-action=close])"
    page.fill(f"{row} textarea[name=comment]", "已核实，予以销号")
    page.click(f"{row} button[data-action=close]")
    page.wait(".empty", "没有整改通知")
    page.click("a[data-filter=closed]")
    page.wait("table tr .badge", "已销号")
    closed = stack.http.get(f"/api/v1/rectifications/{notice['rectification_id']}", headers=stack.admin).json()
    assert closed["status"] == "closed" and [step["act"] for step in closed["history"]] == ["answered", "closed"]
    page.shot("rectification-closed")

    # A superior of the branch scores its party day.
    page.go(f"/console#/activity/{county['activity']}")
    page.wait("#score input[name=superior_score]")

    # The township, found by name, becomes the console's node and its home follows.
    page.click(".sidenav a", "组织架构")
    choose_org(page, ".toolbar", "博望", "博望镇党委", shown=False)
    page.wait(".topbar .context", "博望镇党委")
    page.click(".sidenav a", "本级概览")
    page.wait(".home-title", "博望镇党委")
    page.wait("#home-progress-table", "博望村第三党支部")


def test_a_secretary_sees_no_superiors_control(stack, county, page):
    page.start_over("/console", county["secretary"]["phone"], PASSWORD)
    page.wait(".sidenav a.active", "本月方案")
    nav = [link.text for link in page.all(".sidenav a")]
    assert "本级概览" not in nav and "一键抽查" not in nav and "方案审核" not in nav, nav

    # A notice the branch has answered waits for a superior: the secretary cannot close or reopen it.
    issued = stack.http.post(
        "/api/v1/rectifications",
        headers=stack.admin,
        json={"branch_id": county["branches"][1]["org_id"], "issue": "补交学习笔记", "due_on": "2030-01-01"},
    )
    assert issued.status_code == 201, issued.text
    answered = stack.http.post(
        f"/api/v1/rectifications/{issued.json()['rectification_id']}/answer",
        headers=county["secretary"]["headers"],
        json={"text": "已补交"},
    )
    assert answered.status_code == 200, answered.text
    page.go("/console#/rectifications")
    page.wait("table tr", "补交学习笔记")
    assert not page.all("#rect-form"), "issuing is a superior's"
    assert not page.all("button[data-action=close]") and not page.all("button[data-action=reopen]")
    page.go("/console#/overdue")
    page.wait("h2", "逾期名单")
    page.wait_until(lambda: not page.all(".loading"), "the overdue list loaded")
    assert not page.all("a[href*='rectifications/new']")
    wait_for(
        lambda: (
            stack.http.get(f"/api/v1/activities/{county['activity']}/score", headers=stack.admin).json()["status"]
            == "scored"
        ),
        message="the secretary's party day was scored",
    )
    page.go(f"/console#/activity/{county['activity']}")
    page.wait("#score .big")
    page.wait(".card h3", "学习党章")
    assert not page.all("input[name=superior_score]"), "the superior's score is a superior's"
    page.wait(".toolbar button", "二维码海报")
    page.go("/console#/orgs")
    page.wait(".facts")
    assert not page.all("a[href*='rectifications/new']")
    assert not page.all("#org-edit") and not page.all("#org-add"), "the tree is its managers'"
    page.shot("secretary")
    refused = stack.http.post(
        "/api/v1/rectifications",
        headers=county["secretary"]["headers"],
        json={"branch_id": county["branches"][2]["org_id"], "issue": "x", "due_on": "2030-01-01"},
    )
    assert refused.status_code == 403


def test_a_county_admin_adds_a_township_and_renames_it_in_the_tree(stack, county, page):
    page.start_over("/console#/orgs", county["county_admin"]["phone"], PASSWORD)
    page.wait(".panel h3", "城固县委")
    page.click("details.org-add summary")
    page.fill("#org-add input[name=child_name]", "龙头镇党委")
    assert page.wait("#org-add select[name=level]").get_attribute("value") == "township"
    page.click("#org-add button[type=submit]")
    page.wait(".panel h3", "龙头镇党委")
    [added] = stack.http.get(
        "/api/v1/orgs/search", headers=stack.admin, params={"q": "龙头镇", "under": county["county"]["org_id"]}
    ).json()["items"]
    assert (added["level"], added["parent_id"]) == ("township", county["county"]["org_id"])
    page.click("details.org-edit summary")
    page.fill("#org-edit input[name=name]", "龙头镇委员会")
    page.fill("#org-edit input[name=venue_lat]", "33.16")
    page.fill("#org-edit input[name=venue_lon]", "107.32")
    page.click("#org-edit button[type=submit]")
    page.wait(".panel h3", "龙头镇委员会")
    renamed = stack.http.get(f"/api/v1/orgs/{added['org_id']}", headers=stack.admin).json()
    assert (renamed["name"], renamed["venue_lat"], renamed["venue_lon"]) == ("龙头镇委员会", 33.16, 107.32)
    page.shot("tree-edited")


def test_a_county_auditor_reads_the_county_but_decides_nothing(stack, county, page):
    auditor = stack.create_member(county["branches"][0]["org_id"], PASSWORD)
    stack.grant(auditor, "auditor", county["county"]["org_id"])
    page.start_over("/console", auditor["phone"], PASSWORD)
    page.wait(".sidenav a.active", "本级概览")
    page.wait(".home-title", "城固县委")
    count(page, "#home-rect-open .tile-count")
    assert not page.all("#home-submitted") and not page.all("#home-reviews"), "an auditor reviews nothing"

    page.go("/console#/plans/submitted")
    page.wait("tr[data-plan]", "博望村第三党支部")
    assert not page.all("button[data-action=approve]") and not page.all("button[data-action=return]")
    page.go("/console#/rectifications")
    page.wait(".toolbar a[data-filter=all]")
    page.wait("table tr", "签到表缺少签名")
    assert not page.all("#rect-form") and not page.all("button[data-action=close]")
    page.shot("auditor")
