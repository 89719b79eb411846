"""Times are instants through the gateway, on PostgreSQL and on the embedded SQLite that `make run` uses: a plan
sent as 09:00 in Beijing, whatever offset it is written with, comes back as that instant with an offset from plans
and from attendance, and its QR poster prints 09:00 in the organisation's time zone."""

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.e2e.helpers import wait_for

pytestmark = pytest.mark.parametrize("stack", ["postgresql", "sqlite"], indirect=True, scope="module")
SHANGHAI = ZoneInfo("Asia/Shanghai")
VENUE = {"name": "党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300}


def open_month_start() -> datetime:
    """09:00 in Beijing on the 7th of a month that has not ended (plans refuse one that has)."""
    ahead = datetime.now(SHANGHAI) + timedelta(days=40)
    return datetime(ahead.year, ahead.month, 7, 9, tzinfo=SHANGHAI)


@pytest.mark.parametrize("hours", [8, -12, 14], ids=["+08:00", "-12:00", "+14:00"])
def test_a_plan_keeps_its_instant_and_its_poster_prints_the_local_time(stack, hours):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch = stack.create_org(town, "branch", "一支部")
    starts = open_month_start()
    wait_for(
        lambda: http.get(f"/api/v1/branches/{branch}/months/{starts:%Y-%m}", headers=admin).status_code == 200,
        message="plans knows the new branch",
    )
    written_with = timezone(timedelta(hours=hours))
    activity_id = stack.approved_activity(
        branch,
        starts.astimezone(written_with),
        (starts + timedelta(hours=2)).astimezone(written_with),
        theme="主题党日",
        venue=VENUE,
    )
    activity = http.get(f"/api/v1/activities/{activity_id}", headers=admin).json()
    for answered in (activity["plan"]["starts_at"], activity["starts_at"]):
        back = datetime.fromisoformat(answered)
        assert back.utcoffset() is not None and back == starts, f"{answered} is not {starts.isoformat()}"
    poster = http.get(f"/api/v1/activities/{activity_id}/qr", params={"format": "pdf"}, headers=admin)
    assert poster.status_code == 200, poster.text
    text = PdfReader(io.BytesIO(poster.content)).pages[0].extract_text()
    assert f"{starts:%Y年%m月%d日} 09:00 – 11:00" in text, text
