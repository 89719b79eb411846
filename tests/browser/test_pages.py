"""The console, the member pages and the public voting page in headless Chromium, against every service."""

import itertools
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD as ADMIN_PASSWORD
from partyday_common.settings import DEVELOPMENT_ADMIN_PHONE as ADMIN_PHONE
from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

# Closing runs every second, and one party day missed flags a member (H's, whose party day ends at once).
STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_ABSENCE_FLAG_AFTER": "1",
    "PARTYDAY_ASSESS_INTERVAL_S": "1",
}
PASSWORD = "browser-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
_phones = itertools.count(13600000000)


@pytest.fixture(scope="module")
def city(stack):
    """A county with a township and nine branches: A holds today's party day (open for sign-in), B's ends at
    once and is scored, C's and D's plans wait for review, E has no plan, F's ends soon with its member signed in
    and an hour to sign out, G's secretary drafts its plan in the console, H's ends at once with its secretary
    signed in and one member missing, I's starts in 20 minutes (its member may still ask for leave)."""
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    codes = {}

    def org(parent, level, name):
        code = f"B{uuid.uuid4().hex[:10]}"
        answer = http.post(
            "/api/v1/orgs",
            headers=admin,
            json={"name": name, "level": level, "parent_id": parent, "domain": "community", "code": code},
        )
        assert answer.status_code == 201, answer.text
        codes[answer.json()["org_id"]] = code
        return answer.json()["org_id"]

    def member(branch, name, mobile=False):
        phone = str(next(_phones))
        answer = http.post(
            "/api/v1/members",
            headers=admin,
            json={"name": name, "phone": phone, "password": PASSWORD, "branch_id": branch, "mobile": mobile},
        )
        assert answer.status_code == 201, answer.text
        return {"member_id": answer.json()["member_id"], "phone": phone, "headers": stack.login(phone, PASSWORD)}

    county = org(root["org_id"], "county", "汉台区委")
    town = org(county, "township", "北关街道")
    names = {
        "a": "北关社区第一党支部",
        "b": "北关社区第二党支部",
        "c": "北关社区第三党支部",
        "d": "北关社区第四党支部",
        "e": "北关社区第五党支部",
        "f": "北关社区第六党支部",
        "g": "北关社区第七党支部",
        "h": "北关社区第八党支部",
        "i": "北关社区第九党支部",
    }
    branches = {key: org(town, "branch", name) for key, name in names.items()}
    people = {
        "secretary": member(branches["a"], "张书记"),
        "member": member(branches["a"], "李明"),
        "far": member(branches["a"], "王芳"),
        "offline": member(branches["a"], "赵强", mobile=True),
        "b": member(branches["b"], "陈红"),
        "f": member(branches["f"], "刘洋"),
        "g_secretary": member(branches["g"], "孙书记"),
        "h": member(branches["h"], "吴书记"),
        "h_absent": member(branches["h"], "周缺席"),
        "i": member(branches["i"], "郑请假"),
    }
    for who, branch in (("secretary", "a"), ("g_secretary", "g"), ("h", "h")):
        assert (
            http.post(
                "/api/v1/role-grants",
                headers=admin,
                json={"member_id": people[who]["member_id"], "role": "branch_admin", "org_id": branches[branch]},
            ).status_code
            == 201
        )
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    b_ends, f_ends = now + timedelta(seconds=20), now + timedelta(seconds=25)
    windows = {
        "a": (now + timedelta(minutes=30), 60),
        "b": (b_ends, 0),
        "f": (f_ends, 60),
        "h": (b_ends, 0),
        "c": (now + timedelta(hours=2), 60),
        "d": (now + timedelta(hours=2), 60),
        "i": (now + timedelta(minutes=80), 60),
    }
    starts = {"i": now + timedelta(minutes=20)}
    themes = {
        "a": "学习党章 践行初心",
        "b": "走访困难群众",
        "c": "红色教育基地参观",
        "d": "志愿服务进社区",
        "f": "重温入党誓词",
        "h": "学习身边榜样",
        "i": "学习党史故事",
    }
    plans, activities = {}, {}
    for key, (ends, sign_out_window) in windows.items():
        plan = http.post(
            "/api/v1/plans",
            headers=admin,
            json={
                "branch_id": branches[key],
                "month": month,
                "theme": themes[key],
                "starts_at": starts.get(key, now - timedelta(minutes=1)).isoformat(),
                "ends_at": ends.isoformat(),
                "venue": VENUE,
                "required_actions": ["诵读党章", "缴纳党费"],
                "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": sign_out_window},
            },
        )
        assert plan.status_code == 201, plan.text
        plans[key] = plan.json()["plan_id"]
        assert http.post(f"/api/v1/plans/{plans[key]}/submit", headers=admin).status_code == 200
    for key in ("a", "b", "f", "h", "i"):
        approved = http.post(f"/api/v1/plans/{plans[key]}/approve", headers=admin)
        assert approved.status_code == 200, approved.text
        activities[key] = approved.json()["activity_id"]
    for activity in activities.values():
        wait_for(
            lambda a=activity: http.get(f"/api/v1/activities/{a}/attendance", headers=admin).status_code == 200,
            message="attendance opened the sheet",
        )
    for key in ("b", "f", "h"):
        token = http.get(f"/api/v1/activities/{activities[key]}/qr", params={"format": "json"}, headers=admin).json()[
            "token"
        ]
        signed = http.post(
            f"/api/v1/activities/{activities[key]}/check-in",
            headers=people[key]["headers"],
            json={
                "token": token,
                "lat": VENUE["lat"],
                "lon": VENUE["lon"],
                "accuracy_m": 10,
                "device_id": key,
                "nonce": uuid.uuid4().hex,
            },
        )
        assert signed.status_code == 200, signed.text
    return {
        "county": county,
        "town": town,
        "branches": branches,
        "codes": codes,
        "names": names,
        "themes": themes,
        "people": people,
        "month": month,
        "plans": plans,
        "activities": activities,
        "b_ends": b_ends,
        "f_ends": f_ends,
    }


def qr_token(stack, activity_id: str) -> str:
    answer = stack.http.get(f"/api/v1/activities/{activity_id}/qr", params={"format": "json"}, headers=stack.admin)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def sheet_status(stack, activity_id: str, member_id: str) -> dict:
    sheet = stack.http.get(f"/api/v1/activities/{activity_id}/attendance", headers=stack.admin).json()
    return next(row for row in sheet["members"] if row["member_id"] == member_id)


def test_the_console_logs_in_and_names_the_organisation(stack, city, page):
    page.go("/console")
    page.wait("form.login h1", "主题党日云平台")
    page.login(ADMIN_PHONE, "wrong-password")
    error = page.wait(".alert.error")
    assert "手机号或密码错误" in error.text and "LOGIN_FAILED" in error.text
    page.shot("refused")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait(".sidenav a.active", "本级概览")
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    page.wait(".topbar .context", root["name"])
    page.click(".sidenav a", "组织架构")
    page.wait(".tree a", "汉台区委")
    page.shot("tree")

    page.js(
        "document.querySelector('.topbar select.lang').value='en';"
        "document.querySelector('.topbar select.lang').dispatchEvent(new Event('change'))"
    )
    page.wait(".sidenav a", "Plan review")
    page.driver.refresh()
    page.wait(".sidenav a", "Rankings")
    assert page.js("return document.documentElement.lang") == "en"
    page.shot("english")

    stale = page.js(
        "const s = JSON.parse(localStorage.getItem('partyday.session'));"
        "s.access_token = 'expired'; localStorage.setItem('partyday.session', JSON.stringify(s));"
        "return s.refresh_token"
    )
    page.driver.refresh()
    page.wait(".sidenav a", "Plan review")
    renewed = page.js("return JSON.parse(localStorage.getItem('partyday.session'))")
    assert renewed["access_token"] != "expired" and renewed["refresh_token"] != stale


def test_a_superior_approves_and_returns_plans_in_the_review_queue(stack, city, page):
    page.go("/console#/plans")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    approve_row = f"tr[data-plan='{city['plans']['c']}']"
    return_row = f"tr[data-plan='{city['plans']['d']}']"
    page.wait(approve_row, city["names"]["c"])
    page.wait(return_row, city["themes"]["d"])
    page.shot("queue")

    page.click(f"{approve_row} button[data-action=approve]")
    page.wait(".alert.ok", f"已通过：{city['themes']['c']}")
    page.wait(f"{approve_row} .status", "已公示")
    plan = stack.http.get(f"/api/v1/plans/{city['plans']['c']}", headers=stack.admin).json()
    assert plan["status"] == "published" and plan["activity_id"]

    page.click(f"{return_row} button[data-action=return]")
    page.wait(".alert.warn", "退回时请填写审核意见")
    page.fill(f"{return_row} .return input", "请补充民主议事的具体议题")
    page.click(f"{return_row} button[data-action=return]")
    page.wait(f"{return_row} .status", "已退回")
    page.wait(f"{return_row} .comment", "请补充民主议事的具体议题")
    plan = stack.http.get(f"/api/v1/plans/{city['plans']['d']}", headers=stack.admin).json()
    assert plan["status"] == "returned" and plan["review_comment"] == "请补充民主议事的具体议题"
    page.shot("reviewed")


def test_a_superior_accepts_a_flagged_sign_in_with_a_reason_in_the_console(stack, city, page):
    member = city["people"]["b"]["member_id"]

    def waiting():
        queue = stack.http.get("/api/v1/attendance/reviews", params={"org_id": city["county"]}, headers=stack.admin)
        return next((item for item in queue.json()["items"] if item["member_id"] == member), None)

    # B's member signed in at exactly the venue's published coordinates
    record = wait_for(waiting, message="the sign-in at the venue's pin was flagged")
    assert record["review"] == "flagged" and record["signals"]["items"][0]["signal"] == "venue_coordinates"
    page.go("/console#/reviews")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    row = f"[data-record='{record['record_id']}']"
    page.wait(row)
    page.wait(".signal", "坐标与公布地点完全相同")
    page.shot("queue")
    page.click(f"{row} button[data-action=accept]")
    assert waiting() is not None, "no decision without a reason"
    page.fill(f"{row} textarea", "现场照片核实本人到场")
    page.click(f"{row} button[data-action=accept]")
    page.wait(".alert.ok", "已裁定")
    assert waiting() is None
    log = stack.http.get(
        f"/api/v1/activities/{record['activity_id']}/scans", params={"member_id": member}, headers=stack.admin
    ).json()
    assert [item["review"] for item in log["items"] if item["accepted"]] == ["accepted"]


def test_the_audit_log_shows_a_plan_approval_and_downloads_it_as_csv(stack, city, page):
    approved = city["plans"]["a"]
    page.go("/console#/audit")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait(".sidenav a.active", "操作审计")
    page.fill("input[data-filter=action]", "plan.approve")
    page.fill("input[data-filter=target_id]", approved)
    page.click("form.filters button[type=submit]")
    page.wait(".table td", approved)
    page.wait(".table td code", "plan.approve")
    page.shot("filtered")
    page.click("button[data-action=export-csv]")
    exported = page.downloads / "audit-log.csv"
    wait_for(lambda: exported.exists() and approved in exported.read_text("utf-8-sig"), message="the CSV downloaded")
    rows = exported.read_text("utf-8-sig").splitlines()
    assert rows[0].startswith("audit_id,at,actor_id") and len(rows) == 2 and ",plan.approve,plan," in rows[1]


def test_a_member_signs_in_at_the_venue_from_the_qr_link(stack, city, page):
    activity, member = city["activities"]["a"], city["people"]["member"]
    page.phone()
    page.position(VENUE["lat"] + 0.0005, VENUE["lon"], accuracy=12)
    code = stack.http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=stack.admin).json()
    page.go("/m/scan")
    page.login(member["phone"], PASSWORD)
    page.fill("input[aria-label]", code["url"])
    page.click("button", "打开")
    page.wait("article.card h3", city["themes"]["a"])
    assert page.driver.current_url == f"{stack.base_url}/m/checkin?activity={activity}&token={code['token']}"
    page.shot("checkin")
    page.click("#sign-in")
    done = page.wait("#scan-out [data-status=signed_in]")
    assert "已签到" in done.text
    page.shot("signed-in")
    row = sheet_status(stack, activity, member["member_id"])
    assert row["status"] == "signed_in" and row["signed_in_at"] and not row["sent_late"]

    page.click("#sign-out")
    page.wait("#scan-out .alert.error[data-code=REFLECTION_REQUIRED]")
    page.fill("#reflection", "重温入党誓词，更加坚定了理想信念。")
    page.click("#sign-out")
    refused = page.wait("#scan-out .alert.error[data-code=TOO_EARLY]")
    assert "活动尚未结束，不能提前签退" in refused.text
    assert sheet_status(stack, activity, member["member_id"])["status"] == "signed_in"

    page.go("/m/history")
    page.wait("#my-history li", city["themes"]["a"])
    page.wait("#my-history li .badge", "已签到")
    page.shot("history")

    page.go("/m")
    page.wait("article.activity h3", city["themes"]["a"])
    page.click("#like")
    page.wait("#like:disabled", "已点赞")
    page.fill("#comment-text", "重温誓词，很受教育")
    page.click("#engage button", "发表")
    page.wait(".comment-list li", "重温誓词，很受教育")
    comments = stack.http.get(f"/api/v1/activities/{activity}/comments", headers=stack.admin).json()["items"]
    assert [(item["member_id"], item["text"]) for item in comments] == [(member["member_id"], "重温誓词，很受教育")]
    page.shot("engaged")
    page.driver.refresh()
    page.click("#like", "点赞")
    page.wait("#like:disabled", "已点赞")
    assert not page.all(".alert.error")


def test_a_member_signs_out_with_a_reflection_after_the_end(stack, city, page):
    activity, member = city["activities"]["f"], city["people"]["f"]
    page.phone()
    page.position(VENUE["lat"], VENUE["lon"] + 0.001, accuracy=25)
    page.go(f"/m/checkin?activity={activity}&token={qr_token(stack, activity)}")
    page.login(member["phone"], PASSWORD)
    page.wait("article.card h3", city["themes"]["f"])
    time.sleep(max(0.0, (city["f_ends"] - datetime.now(timezone.utc)).total_seconds()) + 0.5)
    page.fill("#reflection", "重温入党誓词，牢记党员身份，立足岗位作贡献。")
    page.click("#sign-out")
    done = page.wait("#scan-out [data-status=signed_out]")
    assert "已签退" in done.text
    page.shot("signed-out")
    row = sheet_status(stack, activity, member["member_id"])
    assert row["status"] == "signed_out" and row["signed_out_at"]


def test_a_sign_in_outside_the_geofence_is_refused_with_its_reason(stack, city, page):
    activity, far = city["activities"]["a"], city["people"]["far"]
    page.phone()
    page.position(VENUE["lat"] + 0.02, VENUE["lon"], accuracy=10)
    page.go(f"/m/checkin?activity={activity}&token={qr_token(stack, activity)}")
    page.login(far["phone"], PASSWORD)
    page.click("#sign-in")
    refused = page.wait("#scan-out .alert.error[data-code=GEOFENCE_OUTSIDE]")
    assert "不在活动地点的电子围栏内" in refused.text and "GEOFENCE_OUTSIDE" in refused.text
    page.shot("refused")
    assert sheet_status(stack, activity, far["member_id"])["status"] == "expected"

    page.js(
        "document.querySelector('select.lang').value='en';"
        "document.querySelector('select.lang').dispatchEvent(new Event('change'))"
    )
    page.click("#sign-in", "Sign in")
    page.wait("#scan-out .alert.error[data-code=GEOFENCE_OUTSIDE]", "outside the venue's geofence")
    page.shot("refused-english")

    page.start_over(f"/console#/activity/{activity}", ADMIN_PHONE, ADMIN_PASSWORD)
    page.click("#scans button", "仅看被拒绝的")
    audited = page.wait("#scans[data-outcome=refused] tr", "王芳")
    assert "不在活动地点的电子围栏内" in audited.text and " m ±10 m" in audited.text and "127.0.0.1" in audited.text
    assert not [row for row in page.all("#scans[data-outcome=refused] tbody tr") if "通过" in row.text], (
        "refused attempts only"
    )
    page.shot("audit")


def test_a_scan_made_offline_is_sent_when_the_network_is_back(stack, city, page):
    activity, mobile = city["activities"]["a"], city["people"]["offline"]
    page.phone()
    page.position(VENUE["lat"], VENUE["lon"], accuracy=20)
    link = f"/m/checkin?activity={activity}&token={qr_token(stack, activity)}"
    page.go(link)
    page.login(mobile["phone"], PASSWORD)
    page.wait("article.card h3", city["themes"]["a"])
    page.wait_until(
        lambda: page.js("return Boolean(navigator.serviceWorker.controller)"), "the service worker keeps the page"
    )
    registered = page.js("return localStorage.getItem('partyday.device-key-registered')")
    assert registered.startswith(f"{mobile['member_id']}:"), "the phone registered its key at login"
    page.online(False)
    page.go(link)
    page.wait("#view .alert.warn", "没有网络，暂时无法显示活动信息")
    page.click("#sign-in")
    page.wait("#scan-out [data-status=queued]")
    queued = page.js("return JSON.parse(localStorage.getItem('partyday.offline-scans'))")
    assert len(queued) == 1 and queued[0]["kind"] == "sign_in" and queued[0]["scanned_at"]
    assert queued[0]["signature"] and json.loads(queued[0]["signed_payload"])["nonce"] == queued[0]["nonce"]
    assert sheet_status(stack, activity, mobile["member_id"])["status"] == "expected"
    page.shot("queued")
    page.online(True)
    page.wait("#flushed [data-status=signed_in]")
    assert page.js("return localStorage.getItem('partyday.offline-scans')") is None
    row = sheet_status(stack, activity, mobile["member_id"])
    assert row["status"] == "signed_in" and row["sent_late"] is True, "its signature verified with the registered key"
    page.shot("sent")


def test_the_secretary_uploads_a_photo_and_the_superior_approves_it(stack, city, page, tmp_path):
    activity, secretary = city["activities"]["a"], city["people"]["secretary"]
    photo = tmp_path / "party-day.jpg"
    photo.write_bytes(media_corpus.jpeg(width=640, height=480, color=(180, 40, 40)))
    page.phone()
    page.go("/m")
    page.login(secretary["phone"], PASSWORD)
    page.wait("article.activity h3", city["themes"]["a"])
    assert not page.all(".absence-flags"), "nobody in A missed a party day: no card about it"
    page.wait_until(lambda: not page.all("#view .loading"), "the month's cards have loaded")
    page.wait("#upload input[type=file]").send_keys(str(photo))
    page.fill("#upload input[name=caption]", "全体党员诵读党章")
    page.click("#upload button[type=submit]")
    page.wait("#upload-out .alert.ok", "已上传")
    page.shot("uploaded")
    items = stack.http.get(f"/api/v1/activities/{activity}/media", headers=stack.admin).json()["items"]
    uploaded = next(item for item in items if item["caption"] == "全体党员诵读党章")
    assert uploaded["status"] == "pending"

    reused = stack.http.post(
        f"/api/v1/activities/{city['activities']['b']}/media",
        headers=stack.admin,
        files={"file": ("again.jpg", media_corpus.resized(photo.read_bytes()), "image/jpeg")},
        data={"caption": "同一张照片"},
    )
    assert reused.status_code == 201 and reused.json()["duplicates"], reused.text

    page.start_over("/console#/media", ADMIN_PHONE, ADMIN_PASSWORD)
    card = f"figure[data-media='{uploaded['media_id']}']"
    page.wait(card, "全体党员诵读党章")
    flagged = page.wait(f"figure[data-media='{reused.json()['media_id']}']", "同一张照片")
    assert "相似图片" in flagged.text or "重复图片" in flagged.text
    if reused.json()["possible_forgery"]:
        assert "疑似造假" in flagged.text
    page.fill(f"figure[data-media='{reused.json()['media_id']}'] .review input", "与其他活动照片重复")
    page.click(f"figure[data-media='{reused.json()['media_id']}'] button[data-action=reject]")
    page.wait(f"figure[data-media='{reused.json()['media_id']}'] .comment", "与其他活动照片重复")
    assert (
        stack.http.get(f"/api/v1/media/{reused.json()['media_id']}/details", headers=stack.admin).json()["status"]
        == "rejected"
    )
    page.wait_until(
        lambda: page.js(f'const i=document.querySelector("{card} img"); return i && i.naturalWidth > 0'),
        "the thumbnail loaded",
    )
    page.shot("queue")
    page.click(f"{card} button.thumb-open")
    page.wait_until(
        lambda: page.js('const i=document.querySelector("dialog.media-large img"); return i && i.naturalWidth > 0'),
        "the upload shows at screen size",
    )
    page.shot("enlarged")
    page.click("dialog.media-large button", "关闭")
    page.wait_until(lambda: not page.all("dialog.media-large"), "the large view closed")
    page.click(f"{card} button[data-original]")
    original = page.downloads / uploaded["original_name"]
    wait_for(
        lambda: original.exists() and original.read_bytes().startswith(b"\xff\xd8"), message="the original downloaded"
    )
    page.click(f"{card} button[data-action=approve]")
    page.wait(card, "已通过")
    assert (
        stack.http.get(f"/api/v1/media/{uploaded['media_id']}/details", headers=stack.admin).json()["status"]
        == "approved"
    )

    page.go(f"/console#/activity/{activity}")
    page.wait(".card h3", city["themes"]["a"])
    page.wait("table td", "李明")
    page.wait("#score h3", "综合得分")
    page.wait("#score td", "扫码签到率")
    page.fill("#summary textarea[name=summary]", "活动尚未结束")
    page.click("#summary button[type=submit]")
    page.wait("#summary .alert.error[data-code=ACTIVITY_NOT_ENDED]", "活动结束后才能提交小结")
    page.wait(".gallery figure", "全体党员诵读党章")
    page.click("button", "下载签到二维码海报（PDF）")
    poster = page.downloads / f"checkin-{activity}.pdf"
    wait_for(lambda: poster.exists() and poster.read_bytes().startswith(b"%PDF"), message="the poster downloaded")
    page.shot("activity")

    time.sleep(max(0.0, (city["b_ends"] - datetime.now(timezone.utc)).total_seconds()))
    page.go(f"/console#/activity/{city['activities']['b']}")
    page.wait("table td", "陈红")
    page.fill("#summary textarea[name=summary]", "走访困难群众三户，送去慰问品，了解实际困难。")
    page.click("#summary button[type=submit]")
    page.wait("#summary .summary", "走访困难群众三户")
    assert (
        stack.http.get(f"/api/v1/plans/{city['plans']['b']}", headers=stack.admin).json()["summary"]
        == "走访困难群众三户，送去慰问品，了解实际困难。"
    )


def test_a_member_asks_for_leave_on_the_phone_and_the_superior_approves_it_at_the_desk(stack, city, page):
    member, activity = city["people"]["i"], city["activities"]["i"]
    page.phone()
    page.go("/m")
    page.login(member["phone"], PASSWORD)
    page.wait("article.activity h3", city["themes"]["i"])
    page.fill("#leave textarea[name=leave-reason]", "出差在外地，无法参加")
    page.click("#ask-leave")
    page.wait("#leave .badge", "待审批")
    page.shot("leave-asked")

    page.start_over(f"/console#/activity/{activity}", ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait("#leave tr", "出差在外地，无法参加")
    page.click("#leave button[data-action=approve]")
    page.wait("#leave tr .badge", "已批准")
    page.shot("leave-approved")
    requests = stack.http.get(f"/api/v1/activities/{activity}/leave-requests", headers=member["headers"]).json()
    assert [(row["reason"], row["status"]) for row in requests["items"]] == [("出差在外地，无法参加", "approved")]


def test_a_branch_secretary_sees_who_missed_the_party_day_on_the_phone_and_at_the_desk(stack, city, page):
    secretary, branch = city["people"]["h"], city["branches"]["h"]
    wait_for(
        lambda: stack.http.get(f"/api/v1/branches/{branch}/absence-flags", headers=stack.admin).json()["total"],
        timeout=60,
        message="H's party day closed and flagged the member who missed it",
    )
    page.phone()
    page.go("/m")
    page.login(secretary["phone"], PASSWORD)
    flagged = page.wait(".absence-flags tr", "周缺席")
    assert "学习身边榜样" in flagged.text and "1 次" in flagged.text
    assert "吴书记" not in page.wait(".absence-flags").text, "the secretary signed in"
    page.shot("absences-phone")

    page.start_over("/console#/orgs", secretary["phone"], PASSWORD)
    page.wait(".panel h3", city["names"]["h"])
    assert "学习身边榜样" in page.wait(".absence-flags tr", "周缺席").text
    page.shot("absences-console")


def test_members_and_the_public_vote_in_the_campaign(stack, city, page):
    opened = stack.http.post(
        "/api/v1/campaigns",
        headers=stack.admin,
        json={"org_id": city["town"], "month": city["month"], "title": "我为主题党日打Call", "votes_per_voter": 2},
    )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()["campaign_id"]
    candidate = city["activities"]["b"]

    page.phone()
    page.go(f"/m/vote?campaign={campaign}")
    page.login(city["people"]["member"]["phone"], PASSWORD)
    page.click(f"button[data-vote='{candidate}']")
    page.wait("#vote-out .alert.ok", "投票成功，还可投 1 票")
    page.wait(f"[data-votes='{candidate}']", "1 票")
    photo = f"article[data-candidate='{city['activities']['a']}'] img"
    page.wait_until(
        lambda: page.js(f'const i = document.querySelector("{photo}"); return i && i.naturalWidth > 0'),
        "the approved photo of branch A is shown with its candidacy",
    )
    page.shot("member-voted")

    voter = str(next(_phones))
    page.reset()
    page.phone()
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
    page.click(f"button[data-vote='{candidate}']")
    page.wait("#vote-out .alert.ok", "投票成功")
    page.shot("public-voted")
    results = stack.http.get(f"/api/v1/campaigns/{campaign}/results", headers=stack.admin).json()
    assert results["total_votes"] == 2
    assert next(item for item in results["items"] if item["activity_id"] == candidate)["votes"] == 2


def test_the_progress_dashboard_and_the_ranking_chart_render(stack, city, page):
    time.sleep(max(0.0, (city["b_ends"] - datetime.now(timezone.utc)).total_seconds()))
    wait_for(
        lambda: (
            stack.http.get(f"/api/v1/activities/{city['activities']['b']}/score", headers=stack.admin).json()["status"]
            == "scored"
        ),
        message="B was scored",
    )
    page.go("/console#/progress")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    county = page.wait(".grid3 .card", "汉台区委")
    progress = stack.http.get(
        "/api/v1/dashboards/progress", headers=stack.admin, params={"org_id": city["county"], "month": city["month"]}
    ).json()
    assert f"{progress['approved']}/{progress['branches']}" in county.text
    assert progress["branches"] == 9 and progress["approved"] == 6
    widths = page.js("return [...document.querySelectorAll('.grid3 .card .fill')].map(f => f.style.width)")
    assert any(width not in ("", "0%") for width in widths)
    page.shot("progress")

    page.go("/console#/rankings")
    page.wait("table td", city["names"]["b"])
    page.wait_until(
        lambda: page.js(
            "const i=document.getElementById('ranking-chart-image');return i && i.complete && i.naturalWidth > 0"
        ),
        "the ranking chart rendered",
    )
    page.shot("rankings")


def test_a_branch_secretary_drafts_and_submits_the_months_plan(stack, city, page):
    branch, secretary = city["branches"]["g"], city["people"]["g_secretary"]
    directive = stack.http.post(
        "/api/v1/directives",
        headers=stack.admin,
        json={
            "org_id": city["county"],
            "month": city["month"],
            "theme": "学习新修订的党章",
            "required_actions": ["诵读党章", "讲党课"],
        },
    )
    assert directive.status_code == 201, directive.text
    page.go("/console")
    page.login(secretary["phone"], PASSWORD)
    page.wait(".sidenav a.active", "本月方案")
    page.wait(".card dd", "学习新修订的党章")
    assert [link.text for link in page.all(".sidenav a")] == [
        "组织架构",
        "本月方案",
        "得分排名",
        "进度看板",
        "逾期名单",
        "整改通知",
        "打Call活动",
        "评选",
        "督查通报",
        "六有档案",
        "学习资料",
        "学习测试",
        "党员管理",
        "党日与年度任务",
        "党员名册导入",
        "组织找党员",
        "三会一课",
        "志愿服务",
    ]
    page.wait("#plan-form h3", "制定活动方案")
    assert page.wait("#plan-form input[name=theme]").get_attribute("value") == "学习新修订的党章"
    assert page.js("return [...document.querySelectorAll('#plan-form fieldset input:checked')].map(c => c.value)") == [
        "诵读党章",
        "讲党课",
    ]
    set_wall = "document.querySelector(arguments[0]).value = arguments[1]"
    page.js(set_wall, "#plan-form input[name=starts_at]", f"{city['month']}-28T09:00")
    page.js(set_wall, "#plan-form input[name=ends_at]", f"{city['month']}-28T08:00")
    page.fill("#plan-form input[name=venue]", "社区党群服务中心")
    page.fill("#plan-form input[name=lat]", "33.0712")
    page.fill("#plan-form input[name=lon]", "107.0288")
    page.fill("#plan-form input[name=optional]", "志愿服务、走访慰问")
    page.click("#plan-form button[type=submit]")
    page.wait("#plan-form .alert.error[data-code=PLAN_TIMES_INVALID]", "结束须晚于开始")
    page.js(set_wall, "#plan-form input[name=ends_at]", f"{city['month']}-28T11:30")
    page.click("#plan-form button[type=submit]")
    page.wait("#plan-state", "待审核")
    page.shot("submitted")

    plans = stack.http.get(
        "/api/v1/plans", headers=stack.admin, params={"org_id": branch, "month": city["month"]}
    ).json()["items"]
    assert len(plans) == 1, plans
    plan = plans[0]
    assert (plan["status"], plan["theme"], plan["venue"]["name"], plan["venue"]["radius_m"]) == (
        "submitted",
        "学习新修订的党章",
        "社区党群服务中心",
        300,
    )
    shanghai = ZoneInfo("Asia/Shanghai")
    assert datetime.fromisoformat(plan["starts_at"]) == datetime.fromisoformat(f"{city['month']}-28T09:00").replace(
        tzinfo=shanghai
    )
    assert datetime.fromisoformat(plan["ends_at"]) == datetime.fromisoformat(f"{city['month']}-28T11:30").replace(
        tzinfo=shanghai
    )
    assert plan["optional_actions"] == ["志愿服务", "走访慰问"] and plan["required_actions"] == ["诵读党章", "讲党课"]


def test_supervision_dispatch_overdue_spot_checks_rectifications_and_roster_import(stack, city, page, tmp_path):
    page.go("/console#/directives")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    page.fill("input[name=theme]", "学习贯彻全会精神")
    page.fill("textarea[name=materials]", "全会公报\n党章第一章")
    page.click("form button[type=submit]", "一键下发")
    page.wait(".alert.ok", "已下发：学习贯彻全会精神")
    page.wait("table td", "学习贯彻全会精神")
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    directives = stack.http.get(
        "/api/v1/directives", headers=stack.admin, params={"org_id": root["org_id"], "month": city["month"]}
    ).json()
    sent = next(item for item in directives if item["theme"] == "学习贯彻全会精神")
    assert sent["study_materials"] == ["全会公报", "党章第一章"] and "诵读党章" in sent["required_actions"]
    page.shot("directive")
    # E had no plan last month either, and last month's deadlines have passed whatever day the test runs (this
    # month's may not have, up to the 5th); the console's month picker shows that month's list.
    last_month = (datetime.fromisoformat(f"{city['month']}-01") - timedelta(days=1)).strftime("%Y-%m")
    listed = stack.http.get(
        f"/api/v1/orgs/{root['org_id']}/overdue", headers=stack.admin, params={"month": last_month}
    ).json()["items"]
    assert any(item["branch_id"] == city["branches"]["e"] for item in listed)
    choose_month(page, last_month)
    page.click(".sidenav a", "逾期名单")
    overdue = page.wait("table tr", city["names"]["e"])
    assert "活动方案" in overdue.text
    # A has this month's plan, so only last month's list can show A without one: the picker took effect.
    assert "活动方案" in page.wait("table tr", city["names"]["a"]).text
    page.shot("overdue")
    choose_month(page, city["month"])

    page.click(".sidenav a", "一键抽查")
    page.fill("input[type=number]", "50")
    page.click("form button[type=submit]", "一键抽查")
    checked = page.wait("table tr", city["names"]["e"])
    assert "无方案" in checked.text
    page.wait("table tr", city["themes"]["a"])
    page.shot("spot-check")
    checked.find_element("css selector", "a[href*='rectifications/new']").click()
    page.wait("form .org-name", city["names"]["e"])
    page.fill("textarea[name=issue]", "本月未制定活动方案，请立即补报")
    page.js(
        "document.querySelector('input[name=due_on]').value = arguments[0]",
        (datetime.now(timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%d"),
    )
    page.click("form button[type=submit]", "下发")
    page.wait(".alert.ok", "整改通知已下发")
    page.wait("table tr", "本月未制定活动方案")
    notices = stack.http.get(
        "/api/v1/rectifications", headers=stack.admin, params={"org_id": city["branches"]["e"]}
    ).json()["items"]
    assert [(item["issue"], item["status"]) for item in notices] == [("本月未制定活动方案，请立即补报", "open")]
    assert not page.js("return document.querySelectorAll('button[data-action=answer]').length"), (
        "the superior who issued it is not offered to answer it"
    )
    # The branch answers, through its own admin; the superior closes it with a comment; the page shows each step.
    e_secretary = stack.create_member(city["branches"]["e"], PASSWORD)
    stack.grant(e_secretary, "branch_admin", city["branches"]["e"])
    page.start_over("/console#/rectifications", e_secretary["phone"], PASSWORD)
    row = "table tr:has(button[data-action=answer])"
    page.fill(f"{row} textarea[name=answer]", "已召开支委会补报方案")
    page.click(f"{row} button[data-action=answer]")
    page.wait("table tr .badge", "已答复")
    assert "已召开支委会补报方案" in page.wait(".history li[data-act=answered]", "支部答复").text
    assert not page.js("return document.querySelectorAll('button[data-action=close]').length")
    page.shot("rectification-answered")
    page.start_over("/console#/rectifications", ADMIN_PHONE, ADMIN_PASSWORD)
    row = "table tr:has(button[data-action=close])"
    page.fill(f"{row} textarea[name=comment]", "补报及时，予以销号")
    page.click(f"{row} button[data-action=close]")
    page.wait("table tr .badge", "已销号")
    assert "补报及时，予以销号" in page.wait(".history li[data-act=closed]", "上级销号").text
    closed = stack.http.get(f"/api/v1/rectifications/{notices[0]['rectification_id']}", headers=stack.admin).json()
    assert closed["status"] == "closed" and closed["answer"] == "已召开支委会补报方案"
    assert [(step["act"], step["actor_id"]) for step in closed["history"]] == [
        ("answered", e_secretary["member_id"]),
        ("closed", closed["issued_by"]),
    ]
    page.shot("rectification")

    roster = tmp_path / "roster.csv"
    newcomer = str(next(_phones))
    roster.write_text(
        "姓名,手机号,支部编码,预备党员,流动党员,入党日期\n"
        f"周新,{newcomer},{city['codes'][city['branches']['e']]},是,否,2025-07-01\n"
        f"吴错,12345,{city['codes'][city['branches']['e']]},否,否,\n",
        encoding="utf-8",
    )
    page.click(".sidenav a", "党员名册导入")
    page.wait("input[name=file]").send_keys(str(roster))
    page.fill("input[name=initial_password]", "welcome-2026")
    # Every text the import's card shows, as it changes: the import runs in the background and the card follows it.
    page.js(
        "window.importTexts = []; new MutationObserver(() => window.importTexts.push("
        "document.querySelector('#import-report').innerText)).observe(document.querySelector('#import-report'), "
        "{childList: true, subtree: true, characterData: true})"
    )
    page.click("form button[type=submit]", "导入")
    report = page.wait("#import-report", "导入报告")
    assert "共 2 行" in report.text and "导入 1" in report.text and "拒绝 1" in report.text and "已完成" in report.text
    assert "手机号不正确" in page.wait("#import-report table tr", "3").text
    shown = page.js("return window.importTexts")
    assert any("导入进度" in text and "排队中" in text for text in shown), "the card showed the import under way first"
    members = stack.http.get(f"/api/v1/orgs/{city['branches']['e']}/members", headers=stack.admin).json()["items"]
    imported = [member for member in members if member["member_id"] != e_secretary["member_id"]]
    assert [(member["name"], member["probationary"]) for member in imported] == [("周新", True)]
    page.shot("roster")


def test_a_secretary_proposes_a_golden_idea_and_the_evaluation_shows_it_beside_the_rule(stack, city, page):
    year, month = city["month"].split("-")
    opened = stack.http.post(
        "/api/v1/evaluations",
        headers=stack.admin,
        json={"org_id": city["town"], "kind": "golden_ideas", "period": f"{year}-Q{(int(month) - 1) // 3 + 1}"},
    )
    assert opened.status_code == 201, opened.text
    ident = opened.json()["evaluation_id"]
    secretary = city["people"]["g_secretary"]
    page.start_over("/console#/evaluations", secretary["phone"], PASSWORD)
    assert "签到率不低于 80%，已提交活动总结" in page.wait("table tr", "金点子").text
    page.click("a[data-action=propose]")
    page.fill("input[name=title]", "党员积分超市")
    page.fill("textarea[name=text]", "以志愿服务积分兑换生活用品，激励党员常态参与")
    page.click("form button[type=submit]", "提出金点子")
    page.wait(".alert.ok", "已提出：党员积分超市")
    page.shot("golden-idea-proposed")
    page.start_over(f"/console#/evaluations/{ident}", ADMIN_PHONE, ADMIN_PASSWORD)
    row = page.wait("table tr", "党员积分超市")
    assert "以志愿服务积分兑换生活用品" in row.text and "金点子" in row.text
    candidates = stack.http.get(f"/api/v1/evaluations/{ident}", headers=stack.admin).json()["candidates"]
    for candidate in candidates:
        if candidate["kind"] == "activity" and candidate["ineligible_because"]:
            assert "不符合" in page.wait("table tr", candidate["theme"]).text
    page.shot("evaluation")


def choose_month(page, month: str) -> None:
    """Pick the console's month as the month input's change does (what typing into one takes depends on the
    browser's locale)."""
    page.js(
        "const input = document.querySelector('label.month input'); input.value = arguments[0];"
        "input.dispatchEvent(new Event('change'))",
        month,
    )


def test_the_api_documentation_renders_from_the_gateway_alone(stack, page):
    """Swagger UI draws the OpenAPI 3.1 description with nothing fetched from another host."""
    page.go("/docs")
    page.wait(".opblock-summary-path", "/api/v1/activities/{activity_id}/check-in")
    page.shot("swagger-ui")
    fetched = page.js("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert fetched and all(url.startswith(stack.base_url) for url in fetched), fetched
