"""A branch's saved venues and the venue screen's rotating code through the gateway, with who may see them."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000"}
PASSWORD = "venue-pass-1"
ROOM = {"name": "党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}
SQUARE = {"name": "红色广场", "lat": 33.0712, "lon": 107.0288, "radius_m": 500}
RULES = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}


@pytest.fixture(scope="module")
def branch(stack):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "汉台区委")
    town = stack.create_org(county, "township", "北关街道")
    home = stack.create_org(town, "branch", "一支部")
    other = stack.create_org(town, "branch", "二支部")
    secretary = stack.create_member(home, PASSWORD)
    stack.grant(secretary, "branch_admin", home)
    return {
        "town": town,
        "home": home,
        "secretary": secretary,
        "member": stack.create_member(home, PASSWORD),
        "stranger": stack.create_member(other, PASSWORD),
    }


def test_a_branch_lists_the_venues_its_plans_named_for_its_admins_only(stack, branch):
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    for ahead, venue in ((1, ROOM), (2, SQUARE)):
        first = (now.replace(day=1) + timedelta(days=32 * ahead)).replace(day=10, hour=9, minute=0)
        drafted = stack.http.post(
            "/api/v1/plans",
            headers=branch["secretary"]["headers"],
            json={
                "branch_id": branch["home"],
                "month": f"{first:%Y-%m}",
                "theme": "主题党日",
                "starts_at": first.isoformat(),
                "ends_at": (first + timedelta(hours=2)).isoformat(),
                "venue": venue,
            },
        )
        assert drafted.status_code == 201, drafted.text
    saved = stack.http.get(f"/api/v1/branches/{branch['home']}/venues", headers=branch["secretary"]["headers"])
    assert saved.status_code == 200, saved.text
    assert [(v["name"], v["lat"], v["lon"], v["radius_m"]) for v in saved.json()["items"]] == [
        tuple(SQUARE.values()),
        tuple(ROOM.values()),
    ]
    for who in ("member", "stranger"):
        refused = stack.http.get(f"/api/v1/branches/{branch['home']}/venues", headers=branch[who]["headers"])
        assert refused.status_code == 403, refused.text
    not_a_branch = stack.http.get(f"/api/v1/branches/{branch['town']}/venues", headers=stack.admin)
    assert (not_a_branch.status_code, not_a_branch.json()["error"]["code"]) == (422, "BRANCH_REQUIRED")
    bad_page = stack.http.get(f"/api/v1/branches/{branch['home']}/venues", headers=stack.admin, params={"page": 0})
    assert bad_page.status_code in (400, 422), bad_page.text


def test_the_venue_screen_shows_a_rotating_code_while_sign_in_is_open_that_signs_a_member_in(stack, branch):
    now = datetime.now(timezone.utc)
    activity = stack.approved_activity(
        branch["home"],
        now + timedelta(minutes=10),
        now + timedelta(minutes=70),
        theme="学习党章",
        venue=ROOM,
        attendance_rules=RULES,
    )
    screen = stack.http.get(f"/api/v1/activities/{activity}/screen", headers=branch["secretary"]["headers"])
    assert screen.status_code == 200, screen.text
    shown = screen.json()
    assert (shown["state"], shown["theme"], shown["venue_name"]) == ("sign_in", "学习党章", "党员活动室")
    code = shown["code"]
    assert code["svg"].lstrip().startswith("<svg") and activity in code["url"]
    refresh_at, served_at = datetime.fromisoformat(code["refresh_at"]), datetime.fromisoformat(shown["now"])
    assert timedelta(0) < refresh_at - served_at <= timedelta(seconds=30)
    assert datetime.fromisoformat(code["expires_at"]) > refresh_at
    signed = stack.http.post(
        f"/api/v1/activities/{activity}/check-in",
        headers=branch["member"]["headers"],
        json={
            "token": code["token"],
            "lat": ROOM["lat"] + 0.0003,
            "lon": ROOM["lon"],
            "accuracy_m": 12,
            "device_id": "phone-e2e",
            "nonce": "screen-1",
        },
    )
    assert signed.status_code == 200, signed.text
    for who in ("member", "stranger"):
        refused = stack.http.get(f"/api/v1/activities/{activity}/screen", headers=branch[who]["headers"])
        assert refused.status_code == 403, refused.text
    assert stack.http.get("/api/v1/activities/nothing/screen", headers=stack.admin).status_code == 404


def test_the_screen_page_is_served_from_the_gateway(stack):
    page = stack.http.get("/screen", params={"activity": "x"})
    assert page.status_code == 200 and '<script type="module" src="/static/screen.js">' in page.text
    assert stack.http.get("/static/screen.js").status_code == 200
