"""A branch secretary's month in the console, in headless Chromium against every service: the plan's venue from
the branch's saved venues and then from the device's position (drawn to scale), the printed code, the rotating
code on the venue's screen, a photo uploaded at the desk and a rectification answered with it."""

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD as ADMIN_PASSWORD
from partyday_common.settings import DEVELOPMENT_ADMIN_PHONE as ADMIN_PHONE
from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
PASSWORD = "secretary-pass-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOM = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
SQUARE = {"name": "红色教育广场", "lat": 33.0650, "lon": 107.0400, "radius_m": 500}
HERE = (33.0712, 107.0288)


@pytest.fixture(scope="module")
def branch(stack):
    """A branch under a county and a township, with its secretary (the branch admin) and a member, and two venues
    its plans of the coming months named (so the branch has saved venues)."""
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "汉台区委")
    town = stack.create_org(county, "township", "北关街道")
    home = stack.create_org(town, "branch", "北关社区第一党支部", venue_lat=33.0705, venue_lon=107.0295)
    later = stack.create_org(town, "branch", "北关社区第二党支部")
    secretary = stack.create_member(home, PASSWORD, name="张书记")
    stack.grant(secretary, "branch_admin", home)
    member = stack.create_member(home, PASSWORD, name="李明")
    now = datetime.now(SHANGHAI)
    for ahead, venue in ((2, SQUARE), (1, ROOM)):
        day = (now.replace(day=1) + timedelta(days=32 * ahead)).replace(day=10, hour=9, minute=0)
        drafted = stack.http.post(
            "/api/v1/plans",
            headers=stack.admin,
            json={
                "branch_id": home,
                "month": f"{day:%Y-%m}",
                "theme": "主题党日",
                "starts_at": day.isoformat(),
                "ends_at": (day + timedelta(hours=2)).isoformat(),
                "venue": venue,
            },
        )
        assert drafted.status_code == 201, drafted.text
    return {
        "county": county,
        "home": home,
        "later": later,
        "secretary": secretary,
        "member": member,
        "month": f"{now:%Y-%m}",
    }


def fence_radius_px(page) -> float:
    return float(page.wait("#venue-map #venue-fence").get_attribute("r"))


def test_a_secretary_plans_prints_and_shows_the_rotating_code_uploads_and_answers(stack, branch, page, tmp_path):
    secretary = branch["secretary"]
    page.start_over("/console#/plan", secretary["phone"], PASSWORD)
    page.wait("#plan-form h3", "制定活动方案")

    # The venue: first one the branch used before, drawn to scale with its geofence.
    page.wait("#venue select[name=saved_venue] option", "党员活动室")
    options = [o.text for o in page.all("#venue select[name=saved_venue] option")]
    assert [o.split("（")[0] for o in options[1:]] == ["党员活动室", "红色教育广场", "支部登记位置"], options
    page.js(
        "const s = document.querySelector('#venue select[name=saved_venue]');"
        "s.value = [...s.options].find(o => o.text.startsWith('红色教育广场')).value;"
        "s.dispatchEvent(new Event('change'))"
    )
    assert page.wait("#plan-form input[name=venue]").get_attribute("value") == "红色教育广场"
    page.wait_until(
        lambda: page.js("return document.querySelector('#plan-form input[name=radius_m]').value") == "500",
        "the saved venue's radius filled in",
    )
    drawing = page.wait("#venue-map")
    assert drawing.get_attribute("data-radius-m") == "500"
    metres_per_px = float(drawing.get_attribute("data-metres-per-px"))
    assert abs(fence_radius_px(page) * metres_per_px - 500) < 1, "the circle is the radius to scale"
    bar = float(drawing.get_attribute("data-bar-m"))
    bar_px = float(page.wait("#venue-bar rect").get_attribute("width"))
    assert abs(bar_px * metres_per_px - bar) < 1 and "米" in page.wait("#venue-bar text").text
    page.js(
        "const s = document.querySelector('#venue select[name=saved_venue]');"
        "s.value = [...s.options].find(o => o.text.startsWith('党员活动室')).value;"
        "s.dispatchEvent(new Event('change'))"
    )
    page.wait_until(lambda: page.wait("#venue-map").get_attribute("data-radius-m") == "300", "the room's radius drawn")
    assert page.wait("#plan-form input[name=lat]").get_attribute("value") == "33.07"
    page.shot("saved-venue")

    # Then where the secretary stands (the browser's position, emulated): the room is drawn beside it, to scale.
    page.position(*HERE, accuracy=12)
    page.click("#use-my-position")
    page.wait("#venue .alert.ok", "已使用当前位置")
    assert page.js("return document.querySelector('#plan-form input[name=lat]').value") == f"{HERE[0]:.6f}"
    assert page.js("return document.querySelector('#plan-form input[name=lon]').value") == f"{HERE[1]:.6f}"
    room_dot = page.wait("#venue-map .venue-other", "党员活动室")
    assert room_dot.is_displayed()
    assert not page.all("img[src^='http']"), "no map tiles from elsewhere"
    page.fill("#plan-form input[name=venue]", "社区广场")
    page.phone()
    page.wait_until(
        lambda: page.js(
            "const v = document.querySelector('#venue'), m = document.querySelector('#venue-map');"
            "return v.scrollWidth <= v.clientWidth && m.getBoundingClientRect().right <= window.innerWidth"
        ),
        "the venue and its drawing fit a phone's width",
    )
    page.driver.execute_script("document.querySelector('#venue').scrollIntoView()")
    page.shot("venue-on-a-phone")
    page.desk()
    page.fill("#plan-form input[name=theme]", "重温入党誓词")
    page.shot("my-position")

    starts = (datetime.now(SHANGHAI) + timedelta(minutes=12)).replace(second=0, microsecond=0)
    set_wall = "document.querySelector(arguments[0]).value = arguments[1]"
    page.js(set_wall, "#plan-form input[name=starts_at]", f"{starts:%Y-%m-%dT%H:%M}")
    page.js(set_wall, "#plan-form input[name=ends_at]", f"{starts + timedelta(hours=1):%Y-%m-%dT%H:%M}")
    page.click("#plan-form button[type=submit]")
    page.wait("#plan-state", "待审核")
    plans = stack.http.get(
        "/api/v1/plans", headers=stack.admin, params={"org_id": branch["home"], "month": branch["month"]}
    ).json()["items"]
    assert [p["venue"] for p in plans] == [{"name": "社区广场", "lat": HERE[0], "lon": HERE[1], "radius_m": 300}]
    approved = stack.http.post(f"/api/v1/plans/{plans[0]['plan_id']}/approve", headers=stack.admin)
    assert approved.status_code == 200, approved.text
    activity = approved.json()["activity_id"]
    wait_for(
        lambda: stack.http.get(f"/api/v1/activities/{activity}/attendance", headers=stack.admin).status_code == 200,
        message="attendance opened the sheet",
    )

    # The printed code: the A4 poster downloads.
    page.go(f"/console#/activity/{activity}")
    page.wait(".card h3", plans[0]["theme"])
    page.click("#print-code")
    poster = page.downloads / f"checkin-{activity}.pdf"
    wait_for(lambda: poster.exists() and poster.read_bytes().startswith(b"%PDF"), message="the poster downloaded")
    screen_link = page.wait("#show-screen")
    assert screen_link.get_attribute("target") == "_blank"
    assert screen_link.get_attribute("href").endswith(f"/screen?activity={activity}")

    # A photo uploaded at the desk; it waits for review.
    photo = tmp_path / "party-day.jpg"
    photo.write_bytes(media_corpus.jpeg(width=640, height=480, color=(170, 30, 30)))
    page.wait("#desk-upload input[type=file]").send_keys(str(photo))
    page.fill("#desk-upload input[name=caption]", "全体党员重温入党誓词")
    page.click("#desk-upload button[type=submit]")
    page.wait(".gallery figure", "全体党员重温入党誓词")
    uploaded = next(
        item
        for item in stack.http.get(f"/api/v1/activities/{activity}/media", headers=stack.admin).json()["items"]
        if item["caption"] == "全体党员重温入党誓词"
    )
    page.shot("activity")

    # The rotating code on the venue's screen, at a television's size: it changes by itself at the next step.
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
    )
    page.go(f"/screen?activity={activity}")
    shown = page.wait("#screen-code[data-token]")
    first = shown.get_attribute("data-token")
    page.wait("section[data-state=sign_in] .screen-open", "正在签到")
    assert page.wait("#screen-theme").text == plans[0]["theme"]
    page.wait_until(
        lambda: page.js("const i = document.querySelector('#screen-code img'); return i && i.naturalWidth > 0"),
        "the code's image loaded",
    )
    assert 0 <= int(page.wait("#screen-countdown").text) <= 30
    page.shot("screen-tv")
    page.wait_until(
        lambda: page.js("return document.querySelector('#screen-code')?.dataset.token") not in (None, first),
        "the screen fetched the next code",
        timeout=40,
    )
    latest = page.js("return document.querySelector('#screen-code').dataset.token")
    signed = stack.http.post(
        f"/api/v1/activities/{activity}/check-in",
        headers=branch["member"]["headers"],
        json={
            "token": latest,
            "lat": HERE[0] + 0.0002,
            "lon": HERE[1],
            "accuracy_m": 10,
            "device_id": "member-phone",
            "nonce": uuid.uuid4().hex,
        },
    )
    assert signed.status_code == 200, signed.text
    page.phone()
    page.go(f"/screen?activity={activity}")
    page.wait("#screen-code[data-token]")
    assert page.js("return document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll on a phone"
    page.shot("screen-phone")
    page.desk()

    # A rectification from the county, answered with the uploaded photo picked by its thumbnail.
    issued = stack.http.post(
        "/api/v1/rectifications",
        headers=stack.admin,
        json={
            "branch_id": branch["home"],
            "issue": "活动照片不完整，请补充",
            "due_on": (datetime.now(timezone.utc) + timedelta(days=7)).date().isoformat(),
        },
    )
    assert issued.status_code == 201, issued.text
    page.go("/console#/rectifications")
    row = "table tr:has(button[data-action=answer])"
    page.fill(f"{row} textarea[name=answer]", "已补充重温入党誓词的照片")
    pick = page.wait(f"{row} label.pick[data-media='{uploaded['media_id']}']")
    assert "全体党员重温入党誓词" in pick.text
    page.wait_until(
        lambda: page.js(
            f"const i = document.querySelector(\"{row} label.pick[data-media='{uploaded['media_id']}'] img\");"
            "return i && i.naturalWidth > 0"
        ),
        "the thumbnail loaded",
    )
    pick.find_element("css selector", "input[type=checkbox]").click()
    page.shot("rectification-answer")
    page.click(f"{row} button[data-action=answer]")
    page.wait("table tr .badge", "已答复")
    page.wait(".history li[data-act=answered]", "已补充重温入党誓词的照片")
    answered = stack.http.get(f"/api/v1/rectifications/{issued.json()['rectification_id']}", headers=stack.admin).json()
    assert answered["status"] == "answered"
    assert answered["history"][-1]["media_ids"] == [uploaded["media_id"]]
    page.shot("rectification-answered")


def test_the_screen_says_when_sign_in_opens_while_it_is_not_open(stack, branch, page):
    starts = datetime.now(timezone.utc) + timedelta(hours=3)
    activity = stack.approved_activity(
        branch["later"], starts, starts + timedelta(hours=1), theme="学习党史", venue=ROOM, required_actions=[]
    )
    page.start_over("/console", ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait(".sidenav a")
    page.go(f"/screen?activity={activity}")
    waiting = page.wait("section[data-state=not_open] .screen-waiting", "签到尚未开放")
    opens = (starts - timedelta(minutes=30)).astimezone(SHANGHAI)
    assert f"{opens:%H:%M}" in waiting.text
    assert not page.all("#screen-code"), "no code while sign-in is not open"
    assert page.wait("#screen-theme").text == "学习党史"
    page.shot("screen-not-open")
