"""三会一课 in headless Chromium against every service: a secretary plans a members' meeting in the console (published
at once, no approval needed), members sign in, and the secretary records a decision that passes by the double
majority; the phone lists the meeting; a county admin sees the branches that missed a cadence and the settings."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
PASSWORD = "meetings-pass-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOM = (33.0700, 107.0300)


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


@pytest.fixture(scope="module")
def county(stack):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "三会县")
    town = stack.create_org(county, "township", "一课镇")
    home = stack.create_org(town, "branch", "东街党支部", venue_lat=ROOM[0], venue_lon=ROOM[1])
    sister = stack.create_org(town, "branch", "西街党支部")
    secretary = stack.create_member(home, PASSWORD, name="王书记")
    stack.grant(secretary, "branch_admin", home)
    members = [stack.create_member(home, PASSWORD, name=name) for name in ("赵一", "钱二")]
    admin = stack.create_member(sister, PASSWORD, name="县管理员")
    stack.grant(admin, "org_admin", county)
    return {"county": county, "home": home, "secretary": secretary, "members": members, "admin": admin}


def sign_in(stack, activity_id, secretary, member):
    code = stack.http.get(f"/api/v1/activities/{activity_id}/qr", params={"format": "json"}, headers=secretary).json()
    signed = stack.http.post(
        f"/api/v1/activities/{activity_id}/check-in",
        headers=member["headers"],
        json={
            "token": code["token"],
            "lat": ROOM[0],
            "lon": ROOM[1],
            "accuracy_m": 10,
            "device_id": f"phone-{member['member_id']}",
            "nonce": uuid.uuid4().hex,
        },
    )
    assert signed.status_code == 200, signed.text


def test_a_secretary_plans_a_members_meeting_and_records_a_decision(stack, county, page):
    secretary = county["secretary"]
    page.start_over("/console#/meetings", secretary["phone"], PASSWORD)
    page.wait("#meeting-form h3", "计划一次会议")
    page.wait("#meeting-settings td", "党员大会")
    now = datetime.now(SHANGHAI)
    starts, ends = now - timedelta(minutes=1), now + timedelta(hours=2)
    page.js(
        "const form = document.querySelector('#meeting-form');"
        "form.querySelector('[name=kind]').value = 'members_meeting';"
        "form.querySelector('[name=starts_at]').value = arguments[0];"
        "form.querySelector('[name=ends_at]').value = arguments[1];",
        f"{starts:%Y-%m-%dT%H:%M}",
        f"{ends:%Y-%m-%dT%H:%M}",
    )
    page.fill("#meeting-form input[name=theme]", "党员大会：接收预备党员")
    page.fill("#meeting-form input[name=venue]", "党员活动室")
    page.fill("#meeting-form input[name=lat]", str(ROOM[0]))
    page.fill("#meeting-form input[name=lon]", str(ROOM[1]))
    page.shot("meeting form")
    page.click("#meeting-form button[type=submit]")
    page.wait("#meetings-list td", "党员大会：接收预备党员")
    page.wait("#meetings-list td", "已公示")
    page.shot("published without approval")

    listed = stack.http.get(
        "/api/v1/plans",
        params={"org_id": county["home"], "month": f"{now:%Y-%m}", "kind": "members_meeting"},
        headers=secretary["headers"],
    ).json()
    [meeting] = listed["items"]
    activity_id = meeting["activity_id"]
    wait_for(
        lambda: (
            stack.http.get(f"/api/v1/activities/{activity_id}/attendance", headers=secretary["headers"]).status_code
            == 200
        ),
        message="attendance opened the sheet",
    )
    for member in county["members"]:
        sign_in(stack, activity_id, secretary["headers"], member)

    page.click("#meetings-list a", "查看活动")
    page.wait("#decisions p", "应到会 3 人，已签到 2 人")
    page.fill("#decision-form input[name=decision-title]", "接收赵一为预备党员")
    page.fill("#decision-form input[name=in_favour]", "2")
    page.click("#decision-form button[type=submit]")
    page.wait("#decisions td", "接收赵一为预备党员")
    page.wait("#decisions .badge", "通过")
    page.shot("decision passed")
    page.fill("#decision-form input[name=decision-title]", "多报票数")
    page.fill("#decision-form input[name=in_favour]", "3")
    page.click("#decision-form button[type=submit]")
    page.wait("#decisions .alert", "表决票数不能超过到会人数")
    page.shot("too many votes refused")

    page.start_over("/m", secretary["phone"], PASSWORD)
    page.phone()
    page.wait("#m-meetings li", "党员大会：接收预备党员")
    page.click("#m-meetings details.m-decisions summary", "表决事项")
    page.wait("#m-meetings .decisions li", "接收赵一为预备党员")
    page.fill("#m-meetings .m-decision-form input[name=decision-title]", "推选党小组长")
    page.fill("#m-meetings .m-decision-form input[name=in_favour]", "1")
    page.fill("#m-meetings .m-decision-form input[name=against]", "1")
    page.click("#m-meetings .m-decision-form button[type=submit]")
    page.wait("#m-meetings .alert", "未通过")
    page.wait("#m-meetings .decisions li", "推选党小组长")
    page.js("document.querySelector('#m-meetings .decisions').scrollIntoView({block: 'center'})")
    page.shot("the phone records a decision of the meeting")


def test_a_county_admin_sees_the_branches_that_missed_a_cadence(stack, county, page):
    page.start_over("/console#/meetings", county["admin"]["phone"], PASSWORD)
    page.wait("#meeting-settings h3", "会议设置")
    assert page.wait("#save-meeting-settings").is_displayed()
    month = previous_month(datetime.now(SHANGHAI).strftime("%Y-%m"))
    page.js(
        "const kind = document.querySelector('#meetings-overdue select[name=overdue-kind]');"
        "kind.value = 'branch_committee'; kind.dispatchEvent(new Event('change'));"
    )
    page.wait("#meetings-overdue-list td", "东街党支部")
    page.wait("#meetings-overdue-list td", "西街党支部")
    page.wait("#meetings-overdue-list td", month)
    rows = page.all("#meetings-overdue-list tbody tr")
    assert len(rows) == 2 and all("支委会" in row.text for row in rows), [row.text for row in rows]
    page.shot("missed cadences")
    page.js(
        "const box = document.querySelector('#meeting-settings input[name=approval-members_meeting]');"
        "box.checked = true;"
    )
    page.click("#save-meeting-settings")
    page.wait("#meeting-settings .alert", "会议设置已保存")
    settings = stack.http.get(f"/api/v1/orgs/{county['home']}/meeting-settings", headers=stack.admin).json()
    assert settings["kinds"]["members_meeting"]["requires_approval"] is True
    page.shot("settings saved")
