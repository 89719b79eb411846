"""Political birthdays and lost members in headless Chromium against every service: the branch secretary sees the
month's political birthdays on the phone and marks them celebrated, then finds the mark on the console's plan; a
county admin works the lost-contact register in the console: registers a member chosen with the member picker,
sees the open count on the home, adds a step, marks the member found, and transfers another with the
organisation picker. The register holds at 360 px."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.keys import Keys

PASSWORD = "birthdays-pass-1"
STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_RPC_TIMEOUT_S": "6"}
VENUE = {"name": "党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}


@pytest.fixture(scope="module")
def town(stack):
    """A county with a township of two branches: 东村 with its secretary, a member of ten years whose political
    birthday is this month, and two members out of contact; 西村; a county admin; 东村's party day in two hours."""
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai"))
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "勉县县委")
    township = stack.create_org(county, "township", "武侯镇")
    east, west = stack.create_org(township, "branch", "东村党支部"), stack.create_org(township, "branch", "西村党支部")
    people = {
        "admin": stack.create_member(east, PASSWORD, name="县管理员"),
        "secretary": stack.create_member(east, PASSWORD, name="东书记"),
        "veteran": stack.create_member(east, PASSWORD, name="老党员", joined_on=f"{month.year - 10}-{month:%m}-01"),
        "lost": stack.create_member(east, PASSWORD, name="失联党员"),
        "moved": stack.create_member(east, PASSWORD, name="外出党员"),
    }
    stack.grant(people["secretary"], "branch_admin", east)
    stack.grant(people["admin"], "org_admin", county)
    stack.approved_activity(east, now + timedelta(hours=2), now + timedelta(hours=3), theme="重温入党誓词", venue=VENUE)
    return {"county": county, "township": township, "east": east, "west": west, "people": people}


def choose_org(page, scope: str, typed: str, name: str) -> None:
    """Type into the organisation picker inside `scope` and choose the suggestion named `name` with the keyboard."""
    field = page.wait(f"{scope} .org-picker-input")
    field.clear()
    field.send_keys(typed)
    page.wait(f"{scope} .org-picker-list li", name)
    options = [option.text for option in page.all(f"{scope} .org-picker-list li")]
    for _ in range(next(i for i, text in enumerate(options) if name in text) + 1):
        field.send_keys(Keys.ARROW_DOWN)
    field.send_keys(Keys.ENTER)
    page.wait(f"{scope} .org-picker-status .org-name", name)


def register(page, typed: str, name: str, since: str, contact: str) -> None:
    page.fill("#lost-register-form input[name=lost_member_search]", typed)
    page.click("#lost-register-form .picker-option", name)
    page.wait("#lost-register-form .picked", name)
    page.js("document.querySelector('#lost-since').value = arguments[0]", since)
    page.fill("#lost-contact", contact)
    page.click("#lost-register")
    page.wait("article[data-entry] h3", name)


def test_the_secretary_sees_and_marks_the_months_political_birthdays_on_the_phone(stack, town, page):
    secretary = town["people"]["secretary"]
    page.phone()
    page.go("/m")
    page.login(secretary["phone"], PASSWORD)
    line = page.wait("#political-birthdays li", "老党员")
    assert "党龄 10 年" in line.text
    page.shot("birthdays on the phone")
    page.click("#mark-celebrated")
    page.wait("#birthdays-celebrated", "已过政治生日")
    assert not page.all("#mark-celebrated")
    page.shot("birthdays celebrated")

    page.desk()
    page.go("/console#/plan")
    page.wait("#plan-state")
    page.wait("#political-birthdays #birthdays-celebrated", "已过政治生日")
    assert "老党员" in page.wait("#political-birthdays").text


def test_a_county_admin_registers_steps_finds_and_transfers_lost_members(stack, town, page):
    admin = town["people"]["admin"]
    page.start_over("/console#/lost-members", admin["phone"], PASSWORD)
    page.wait("#view .empty", "没有正在查找的党员")
    register(page, "失联", "失联党员", "2026-03-01", "外出务工，最后联系电话13800000000")
    page.shot("registered")

    page.go("/console#/home")
    page.wait("#home-lost-table tr[data-org] td", "1")
    assert "正在查找 1 人" in page.wait("#home-lost").text
    page.shot("home count")

    page.go("/console#/lost-members")
    page.fill("article[data-entry] input[name=step_what]", "电话联系家属")
    page.click("article[data-entry] button[type=submit]", "记录")
    page.wait("article[data-entry] ol.steps li", "电话联系家属")
    assert "县管理员" in page.wait("article[data-entry] ol.steps li").text
    page.click("article[data-entry] [data-found]")
    page.wait("#view .empty", "没有正在查找的党员")
    lost = stack.http.get(f"/api/v1/members/{town['people']['lost']['member_id']}", headers=stack.admin).json()
    assert lost["lost_contact"] is False

    register(page, "外出", "外出党员", "2025-06-01", "13900000000")
    choose_org(page, "article[data-entry]", "西村", "西村党支部")
    page.click("article[data-entry] [data-transfer]")
    page.wait("#view .empty", "没有正在查找的党员")
    moved = stack.http.get(f"/api/v1/members/{town['people']['moved']['member_id']}", headers=stack.admin).json()
    assert moved["branch_id"] == town["west"] and moved["lost_contact"] is False

    page.js("const s = document.querySelector('#lost-status'); s.value = 'all'; s.dispatchEvent(new Event('change'))")
    page.wait("article[data-entry] h3", "外出党员")
    assert {entry.text.split()[0] for entry in page.all("article[data-entry] h3")} == {"失联党员", "外出党员"}
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )
    page.driver.refresh()
    page.wait("article[data-entry] h3", "外出党员")
    overflow = page.js("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the register is {overflow}px wider than a phone"
    page.shot("register at 360 px")
