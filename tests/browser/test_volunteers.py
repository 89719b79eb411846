"""A volunteer request's whole way in the browser: a resident on a 360 px phone finds their community, proves their
phone with a code and posts the request on /help; the branch's secretary sees it in the console, takes it in and
dispatches it to a member chosen by name; the member claims it on their phone and records it done with a photo; the
resident follows it by its link, sees the photo, confirms and rates it; the secretary's counts show it."""

import io
import uuid

from PIL import Image

from tests.e2e.helpers import code_sent_to

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_RPC_TIMEOUT_S": "6"}
PASSWORD = "volunteer-page-1"
PHONE = "13600000042"


def narrow(page, width: int = 360) -> None:
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 780, "deviceScaleFactor": 1, "mobile": True}
    )


def fits(page) -> bool:
    return page.js("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_resident_a_secretary_and_a_member_take_a_request_from_posting_to_rating(stack, page, tmp_path):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    tag = uuid.uuid4().hex[:6]
    town = stack.create_org(stack.create_org(root["org_id"], "county", f"南郑区委{tag}"), "township", f"大河坎镇{tag}")
    branch_name = f"阳光社区党支部{tag}"
    branch = stack.create_org(town, "branch", branch_name, domain="community")
    secretary = stack.create_member(branch, PASSWORD, name="周书记")
    stack.grant(secretary, "branch_admin", branch)
    member = stack.create_member(branch, PASSWORD, name=f"吴志愿{tag}")

    narrow(page)
    page.go("/help")
    page.wait("h1, .brand", "志愿云呼叫")
    page.fill("input[name=community]", f"阳光社区党支部{tag}")
    page.click(f"button.pick[data-org='{branch}']")
    page.fill("textarea[name=what]", "帮忙搬运一台旧冰箱")
    page.fill("input[name=where]", "阳光小区8号楼")
    page.js("document.querySelector('input[name=wanted_by]').value = '2099-06-01T10:00'")
    page.fill("input[name=name]", "陈先生")
    page.fill("input[name=phone]", PHONE)
    page.click("#send-code")
    page.wait("#help-form .alert.ok", "验证码已发送")
    page.fill("input[name=code]", code_sent_to(stack, PHONE))
    assert fits(page), "the request form fits a 360 px phone"
    page.shot("resident-form")
    page.click("#help-form button[type=submit]")
    page.wait("#help-request[data-state=submitted]", "帮忙搬运一台旧冰箱")
    follow_url = page.driver.current_url
    assert "token=" in follow_url
    assert fits(page)
    page.shot("resident-follow")

    page.desk()
    page.start_over("/console#/volunteers", secretary["phone"], PASSWORD)
    page.click("#view table a", "帮忙搬运一台旧冰箱")
    page.wait("#volunteer-request[data-state=submitted]", PHONE)
    page.click("#volunteer-accept")
    page.wait("#volunteer-request[data-state=accepted]")
    page.fill("input[name=volunteer_search]", f"吴志愿{tag}")
    page.click(f"button.picker-option[data-member='{member['member_id']}']")
    page.wait(".chosen-members li", f"吴志愿{tag}")
    page.shot("secretary-dispatch")
    page.click("#volunteer-dispatch")
    page.wait("#volunteer-request[data-state=dispatched]")

    photo = tmp_path / "fridge.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page.start_over("/m/volunteer", member["phone"], PASSWORD)
    narrow(page)
    page.wait("#volunteer-open .card", "帮忙搬运一台旧冰箱")
    assert PHONE not in page.wait("#volunteer-open").text, "the phone is masked until the member claims the work"
    page.click("#volunteer-open button[data-claim]")
    form = page.wait("#volunteer-mine .complete-form")
    assert PHONE in page.wait("#volunteer-mine").text
    form.find_element("css selector", "input[name=photo]").send_keys(str(photo))
    page.fill("#volunteer-mine input[name=note]", "冰箱已搬到楼下回收点")
    assert fits(page)
    page.shot("member-complete")
    page.click("#volunteer-mine .complete-form button[type=submit]")
    page.wait("#volunteer-mine .card", "已完成")

    page.reset()
    narrow(page)
    page.driver.get(follow_url)
    assert PHONE not in page.wait("#help-request").text, "the follow page shows no phone"
    page.wait("#help-request[data-state=done]", "冰箱已搬到楼下回收点")
    page.wait_until(
        lambda: page.js("const i = document.getElementById('help-photo'); return i && i.naturalWidth > 0"),
        "the photo shown",
    )
    page.click("#help-rate button[type=submit]")
    page.wait("#help-request[data-state=confirmed]")
    assert "★★★★★" in page.wait("#help-rating").text
    page.shot("resident-rated")
    page.js("localStorage.setItem('partyday.lang', 'en')")
    page.driver.refresh()
    page.wait("#help-request", "Confirmed")
    assert fits(page)
    page.shot("resident-rated-english")

    page.desk()
    page.start_over("/console#/volunteers", secretary["phone"], PASSWORD)
    stats = page.wait("#volunteer-stats tbody tr", branch_name)
    assert stats.text.split()[1:] == ["1", "1", "5"], stats.text
    page.js(
        "const s = document.querySelector('select[name=state]'); s.value = 'submitted';"
        "s.dispatchEvent(new Event('change'))"
    )
    page.wait("#view .empty", "没有志愿服务需求")
    page.js(
        "const s = document.querySelector('select[name=state]'); s.value = 'confirmed';"
        "s.dispatchEvent(new Event('change'))"
    )
    page.wait("#view table a", "帮忙搬运一台旧冰箱")
    page.shot("secretary-list")
    page.click("#volunteer-overdue-link")
    page.wait("#view .empty", "没有逾期的需求")
    page.shot("secretary-counts")
