"""Study quizzes in headless Chromium against every service: a county admin imports a question bank from an XLSX on
the console (the wrong row reported with its number), sets a quiz on the month's directive from it, and a member of
a branch below takes it on a 360 px phone with a countdown and sees their score; the admin then reads the results
and the participation per branch."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from selenium.webdriver.common.by import By

from partyday_quizzes_contracts.rpc import TEMPLATE_EXAMPLES, TEMPLATE_HEADERS
from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
PASSWORD = "quiz-pass-1"


def test_an_admin_sets_a_quiz_from_an_imported_bank_and_a_member_takes_it_on_the_phone(page, stack, tmp_path):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "汉台区委")
    town = stack.create_org(county, "township", "七里街道")
    branch = stack.create_org(town, "branch", "七里社区党支部")
    county_admin = stack.create_member(branch, PASSWORD, name="周部长")
    stack.grant(county_admin, "org_admin", county)
    member = stack.create_member(branch, PASSWORD, name="孙党员")
    month = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives",
        headers=admin,
        json={"org_id": county, "month": month, "theme": "学习新党章", "required_actions": ["学习党章"]},
    )
    assert directive.status_code == 201, directive.text
    wait_for(
        lambda: (
            http.get("/api/v1/quizzes", params={"org_id": county}, headers=county_admin["headers"]).status_code == 200
        ),
        message="the quizzes service answers",
    )

    bank = Workbook()
    for row in [TEMPLATE_HEADERS, *TEMPLATE_EXAMPLES, ("单选", "缺少选项的题", "", "", "", "", "", "", "A", "")]:
        bank.active.append(list(row))
    bank_path = tmp_path / "题库.xlsx"
    bank.save(bank_path)

    page.start_over("/console#/quizzes/bank", county_admin["phone"], PASSWORD)
    page.wait("#bank-import")
    page.shot("the bank, empty")
    page.wait("#bank-import input[type=file]").send_keys(str(bank_path))
    page.click("#bank-import button[type=submit]")
    report = page.wait("#bank-report", "导入 3 题")
    assert "出错 1 行" in report.text and "5" in report.text and "选择题须有 2 至 6 个选项" in report.text
    page.wait("#bank-questions td", "“三会一课”包括哪些？")
    page.shot("the import report and the bank")
    page.click("button[data-edit]")
    page.wait("#question-form textarea[name=question-text]", visible=True)
    page.wait_until(
        lambda: page.js("return document.querySelector('#question-form textarea[name=question-text]').value"),
        "the question to edit was read",
    )
    page.fill("#question-form textarea[name=question-explanation]", "党章规定")
    page.click("#question-form button[type=submit]")
    page.wait("#question-editor .alert.ok", "题目已保存")

    page.go("/console#/quizzes")
    page.fill("#quiz-create input[name=quiz-title]", "学习新党章测试")
    page.fill("#quiz-create input[name=quiz-draw]", "2")
    page.shot("a quiz on the directive")
    page.click("#quiz-create button[type=submit]")
    page.wait("#quiz-create .alert.ok", "学习新党章测试")
    page.wait("#quiz-list a", "学习新党章测试")

    page.start_over("/m/quizzes", member["phone"], PASSWORD)
    page.phone()
    page.wait(".quiz", "学习新党章测试")
    page.shot("the quizzes open to me")
    page.click("a[data-take]")
    clock = page.wait("#countdown", "剩余时间")
    assert "19:" in clock.text or "20:" in clock.text
    questions = page.all("fieldset.question")
    assert len(questions) == 2
    for question in questions:
        question.find_elements(By.CSS_SELECTOR, "input")[0].click()
    page.shot("answering with the countdown")
    page.click("#submit-answers")
    score = page.wait("#my-score", "得分")
    assert "答对" in score.text and "/ 2 题" in score.text
    page.shot("my score")
    assert page.js("return document.documentElement.scrollWidth <= window.innerWidth"), "nothing wider than the phone"

    page.start_over("/console#/quizzes", county_admin["phone"], PASSWORD)
    page.click("#quiz-list a", "学习新党章测试")
    page.wait("#participation-total", "已参加 1 / 应参加 2")
    page.wait("#quiz-results td", "孙党员")
    page.shot("results and participation")
