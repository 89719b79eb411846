"""Reports, the six-haves archive and study in the console, in headless Chromium against every service: a county
admin previews and downloads each report, follows every have of a branch's month to its record, adds a study text
to a directive and reads the members' study notes; a secretary sees no control they may not use."""

import io
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
from openpyxl import load_workbook

from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    # The shared two-core machine is busy with other suites: a login's argon2 may outlast the usual 2 s.
    "PARTYDAY_RPC_TIMEOUT_S": "6",
}
PASSWORD = "reports-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
NOTE = "学习党章，坚定理想信念，做合格党员。"
GUIDE = "党章是党的根本大法，是全党必须共同遵守的根本行为规范。"


@pytest.fixture(scope="module")
def county(stack):
    """A county with a township and two branches whose party days of this month are held and scored: 甲 kept all
    six records (task list, plan, the directive's study materials, a member's note, summary with an approved photo,
    the closed sheet), 乙 held its day with nobody signed in. A county admin and 甲's secretary log in."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county_id = stack.create_org(root["org_id"], "county", "汉台区委")
    town = stack.create_org(county_id, "township", "北关街道")
    first = stack.create_org(town, "branch", "北关社区甲党支部")
    second = stack.create_org(town, "branch", "北关社区乙党支部")
    county_admin = stack.create_member(first, PASSWORD, name="县管理员")
    secretary = stack.create_member(first, PASSWORD, name="张书记")
    member = stack.create_member(first, PASSWORD, name="李明")
    stack.create_member(second, PASSWORD, name="王芳")
    stack.grant(county_admin, "org_admin", county_id)
    stack.grant(secretary, "branch_admin", first)
    now = datetime.now(timezone.utc)
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    month = local.strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives",
        headers=admin,
        json={
            "org_id": county_id,
            "month": month,
            "theme": "学习党章 践行初心",
            "required_actions": ["诵读党章"],
            "study_materials": ["党章第一章"],
        },
    )
    assert directive.status_code == 201, directive.text
    guide = http.post(
        f"/api/v1/directives/{directive.json()['directive_id']}/materials/text",
        headers=admin,
        json={"title": "党章导读", "text": GUIDE},
    )
    assert guide.status_code == 201, guide.text
    assert (
        http.put(
            f"/api/v1/branches/{first}/task-lists/{local.year}",
            headers=secretary["headers"],
            json={"items": ["学习党章", "志愿服务"]},
        ).status_code
        == 200
    )
    ends_at = now + timedelta(seconds=25)
    activities = {}
    for branch, theme in ((first, "诵读党章"), (second, "走访群众")):
        plan = http.post(
            "/api/v1/plans",
            headers=admin,
            json={
                "branch_id": branch,
                "month": month,
                "theme": theme,
                "required_actions": ["诵读党章"],
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": ends_at.isoformat(),
                "venue": VENUE,
                "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
            },
        )
        assert plan.status_code == 201, plan.text
        plan_id = plan.json()["plan_id"]
        assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=admin).status_code == 200
        activities[branch] = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin).json()["activity_id"]
    activity = activities[first]
    for each in activities.values():
        wait_for(lambda a=each: http.get(f"/api/v1/activities/{a}/attendance", headers=admin).status_code == 200)
    code = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=admin).json()
    for who in (secretary, member):
        signed = http.post(
            f"/api/v1/activities/{activity}/check-in",
            headers=who["headers"],
            json={
                "token": code["token"],
                "lat": VENUE["lat"],
                "lon": VENUE["lon"],
                "accuracy_m": 10,
                "device_id": who["phone"],
                "nonce": uuid.uuid4().hex,
            },
        )
        assert signed.status_code == 200, signed.text
    photo = media_corpus.jpeg(
        width=640,
        height=480,
        taken_at=local.strftime("%Y:%m:%d %H:%M:%S"),
        offset="+08:00",
        gps=(VENUE["lat"], VENUE["lon"]),
    )
    wait_for(lambda: http.get(f"/api/v1/activities/{activity}/media", headers=admin).status_code == 200)
    sent = http.post(
        f"/api/v1/activities/{activity}/media",
        headers=secretary["headers"],
        files={"file": ("photo.jpg", photo, "image/jpeg")},
        data={"caption": "诵读党章", "action": "诵读党章"},
    )
    assert sent.status_code == 201, sent.text
    assert http.post(f"/api/v1/media/{sent.json()['media_id']}/approve", headers=admin).status_code == 200
    noted = http.post(
        f"/api/v1/branches/{first}/months/{month}/study-notes", headers=member["headers"], json={"text": NOTE}
    )
    assert noted.status_code == 201, noted.text
    time.sleep(max(0.0, (ends_at - datetime.now(timezone.utc)).total_seconds()) + 0.5)
    summary = http.post(
        f"/api/v1/activities/{activity}/summary",
        headers=secretary["headers"],
        json={"text": "全体党员诵读党章，交流学习体会。"},
    )
    assert summary.status_code == 200, summary.text
    for each in activities.values():
        wait_for(
            lambda a=each: (
                (answer := http.get(f"/api/v1/activities/{a}/score", headers=admin)).status_code == 200
                and answer.json()["status"] == "scored"
            ),
            message="the activity was scored",
        )
    return {
        "county": county_id,
        "first": first,
        "second": second,
        "month": month,
        "activity": activity,
        "admin": county_admin,
        "secretary": secretary,
        "directive": directive.json()["directive_id"],
    }


def choose(page, css: str, value: str) -> None:
    """Pick `value` in the select `css` as a user would, the change announced."""
    page.wait(css)
    page.js(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('change', {bubbles: true}))",
        css,
        value,
    )


def downloaded(page, name: str) -> bytes:
    path = page.downloads / name
    page.wait_until(lambda: path.exists() and path.stat().st_size > 0, f"{name} was downloaded")
    time.sleep(0.3)
    return path.read_bytes()


def pdf_text(body: bytes) -> str:
    with pdfplumber.open(io.BytesIO(body)) as document:
        return "".join(page.extract_text() for page in document.pages).replace("\n", "")


def fits(page, width: int) -> None:
    """Nothing pushes the page wider than the screen."""
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    time.sleep(0.3)
    scroll = page.js("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


def test_a_county_admin_previews_and_downloads_each_report(stack, county, page):
    month = county["month"]
    label = f"{month[:4]}年{int(month[5:])}月"
    page.start_over("/console#/reports", county["admin"]["phone"], PASSWORD)
    page.wait(".sidenav a.active", "督查通报")
    page.wait(".topbar .context", "汉台区委")
    heading = page.wait(".report .report-heading", f"关于{label}主题党日督查情况的报告")
    summary = page.wait(".report-summary", "汉台区委共有2个党支部").text
    assert "已开展主题党日2个，开展率100.0%" in summary
    assert "得分最高的是北关社区甲党支部" in summary and "最低的是北关社区乙党支部" in summary
    assert "上月没有可比的数据" in summary
    page.wait("#report-chart-image")
    page.wait("#report-rows td", "北关社区甲党支部")
    page.shot("inspection preview")
    page.click("[data-action=download-pdf]")
    text = pdf_text(downloaded(page, f"inspection-{month}.pdf"))
    assert heading.text in text
    for paragraph in page.all(".report-summary p"):
        assert paragraph.text in text, paragraph.text

    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    choose(page, "select[name=kind]", "bulletin")
    page.wait(".report[data-kind=bulletin] .report-heading", "主题党日开展情况的通报")
    assert "上季度" in page.wait(".report-summary").text
    page.shot("bulletin preview")
    page.click("[data-action=download-pdf]")
    bulletin = pdf_text(downloaded(page, f"bulletin-{quarter}.pdf"))
    for expected in ("各党组织：", "三、工作要求", "附件1：各党支部得分排名", "汉台区委共有2个党支部"):
        assert expected in bulletin, expected
    page.click("[data-action=download-xlsx]")
    sheet = load_workbook(io.BytesIO(downloaded(page, f"bulletin-{quarter}.xlsx")))["概况"]
    assert "汉台区委共有2个党支部" in sheet["A2"].value

    choose(page, "select[name=kind]", "assessment")
    page.wait(".report[data-kind=assessment] .report-heading", f"关于{month[:4]}年度主题党日考核结果的通报")
    page.wait("#report-rows td", "北关社区乙党支部")
    page.click("[data-action=download-pdf]")
    assert "上年度没有可比的数据" in pdf_text(downloaded(page, f"assessment-{month[:4]}.pdf"))
    fits(page, 360)
    page.shot("assessment at 360")
    fits(page, 1280)
    page.desk()

    page.js(
        "document.querySelector('.topbar select.lang').value='en';"
        "document.querySelector('.topbar select.lang').dispatchEvent(new Event('change'))"
    )
    page.wait("label.field", "Report")
    page.wait("button[data-action=download-pdf]", "Download PDF")
    page.wait(".report-summary h4", "Summary")
    page.shot("english")


def test_a_county_admin_follows_every_have_of_a_branchs_month(stack, county, page):
    page.start_over("/console#/archive", county["admin"]["phone"], PASSWORD)
    card = f".archive-branch[data-branch='{county['first']}']"
    page.wait(f"{card} h3", "6/6")
    page.wait(f".archive-branch[data-branch='{county['second']}'] h3", "北关社区乙党支部")
    for have in (
        "annual_task_list",
        "monthly_plan",
        "study_materials",
        "study_notes",
        "activity_record",
        "sign_in_sheet",
    ):
        assert page.all(f"{card} li.have.present[data-have={have}]"), f"{have} is shown present"
    page.shot("archive")
    links = [
        (element.get_attribute("data-have"), element.get_attribute("data-link"), element.text)
        for element in page.all(f"{card} .have-link")
    ]
    followed = set()
    for have, link, text in links:
        page.go("/console#/archive")
        selector = f"{card} .have-link[data-have={have}][data-link='{link}']"
        page.click(selector, text)
        if link.endswith((".pdf", ".xlsx")):
            body = downloaded(page, f"sign-in-sheet.{link.rsplit('.', 1)[1]}")
            assert body.startswith(b"%PDF") or body.startswith(b"PK")
        elif "/activities/" in link:
            page.wait("#view h2", "活动详情")
            assert county["activity"] in page.js("return location.hash")
        elif "/directives/" in link:
            page.wait("#study-materials")
            assert county["directive"] in page.js("return location.hash")
        else:
            record = page.wait("#archive-record")
            if have == "annual_task_list":
                page.wait("#archive-record li", "学习党章")
            elif have == "monthly_plan":
                page.wait("#archive-record dd", "诵读党章")
            elif have == "study_notes":
                page.wait("#archive-record .note-text", NOTE)
            elif "/media/" in link:
                page.wait_until(
                    lambda: page.js("return document.querySelector('#archive-record img')?.naturalWidth > 0"),
                    "the photo was shown",
                )
            elif have == "study_materials" and link:
                page.wait("#archive-record .note-text", GUIDE)
            elif have == "study_materials":
                assert "活动要求中列出" in record.text
        followed.add(have)
    assert followed == {
        "annual_task_list",
        "monthly_plan",
        "study_materials",
        "study_notes",
        "activity_record",
        "sign_in_sheet",
    }
    page.go("/console#/archive")
    page.wait(f"{card} h3", "6/6")
    fits(page, 360)
    page.shot("archive at 360")
    page.desk()


def test_a_county_admin_adds_a_study_text_and_reads_the_members_notes(stack, county, page):
    page.start_over("/console#/study", county["admin"]["phone"], PASSWORD)
    page.wait("select[name=directive] option", "学习党章 践行初心")
    page.wait(".listed li", "党章第一章")
    page.wait("#study-materials .study-material", "党章导读")
    page.fill("input[name=material-title]", "党章学习辅导")
    page.fill("textarea[name=material-text]", "第一章 党员：年满十八岁的中国工人、农民、军人、知识分子……")
    page.click("#add-study-text button[type=submit]")
    page.wait("#study-materials .study-material", "党章学习辅导")
    page.wait("#study-materials .note-text", "年满十八岁")
    page.shot("study text added")
    page.wait("#study-notes .empty")
    choose(page, "select[name=branch]", county["first"])
    page.wait("#study-notes .note .note-text", NOTE)
    page.wait("#study-notes .note .author", "李明")
    page.shot("study notes")
    fits(page, 360)
    page.shot("study at 360")
    page.desk()


def test_a_secretary_reads_their_branch_but_adds_no_study_material(stack, county, page):
    page.start_over("/console#/study", county["secretary"]["phone"], PASSWORD)
    page.wait("select[name=directive] option", "学习党章 践行初心")
    page.wait("#study-notes .note .note-text", NOTE)
    page.wait("#study-materials .study-material .note-text", GUIDE)
    assert not page.all("#add-study-text") and not page.all("#add-study-file")
    page.shot("secretary study")
    page.go("/console#/archive")
    page.wait(f".archive-branch[data-branch='{county['first']}'] h3", "6/6")
    assert not page.all(f".archive-branch[data-branch='{county['second']}']")
    page.go("/console#/reports")
    summary = page.wait(".report-summary", "北关社区甲党支部的主题党日已报送方案，已通过审批，已开展").text
    assert "本月综合得分" in summary
    page.shot("secretary report")
