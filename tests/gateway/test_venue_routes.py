"""The venue routes with the services faked: the screen's code drawn as SVG only while a window is open, and the
saved venues and the screen for whoever may print the branch's code."""

import pytest

from tests.gateway.fakes import FakeRpc, context, under_root
from tests.gateway.test_errors import assert_error

URL = "http://partyday.test/m/checkin?activity=a1&token=abc.def"
SCREEN = {
    "activity_id": "a1",
    "branch_id": "b1",
    "branch_path": "/root/b1/",
    "theme": "主题党日",
    "venue_name": "党员活动室",
    "starts_at": "2026-12-07T01:00:00+00:00",
    "ends_at": "2026-12-07T03:00:00+00:00",
    "now": "2026-12-07T00:59:50+00:00",
}
OPEN = {
    **SCREEN,
    "state": "sign_in",
    "until": "2026-12-07T01:15:00+00:00",
    "code": {
        "token": "abc.def",
        "url": URL,
        "expires_at": "2026-12-07T01:00:50+00:00",
        "refresh_at": "2026-12-07T01:00:00+00:00",
    },
}
NOT_OPEN = {**SCREEN, "state": "not_open", "until": "2026-12-07T00:30:00+00:00", "code": None}
VENUES = {
    "branch_id": "b1",
    "items": [{"name": "党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300, "last_month": "2026-12"}],
    "total": 1,
    "page": 1,
    "page_size": 50,
}


def fake(roles, *screens) -> FakeRpc:
    rpc = FakeRpc(caller=context(roles), nodes=under_root("branch"))
    rpc.answer("attendance", "get_activity", {"activity_id": "a1", "branch_id": "b1"})
    rpc.answer("attendance", "screen_code", *screens)
    rpc.answer("plans", "branch_venues", VENUES)
    return rpc


SECRETARY = [("branch_admin", "b1", "/root/b1/")]


def test_the_screen_draws_the_open_windows_code_as_svg_and_no_code_otherwise(gateway):
    gateway.use(fake(SECRETARY, OPEN, NOT_OPEN))
    shown = gateway.get("/api/v1/activities/a1/screen")
    assert shown.status_code == 200, shown.text
    code = shown.json()["code"]
    assert code["svg"].startswith("<svg") and code["refresh_at"] == OPEN["code"]["refresh_at"]
    waiting = gateway.get("/api/v1/activities/a1/screen").json()
    assert (waiting["state"], waiting["code"]) == ("not_open", None)
    assert "branch_path" not in waiting


@pytest.mark.parametrize("path", ["/api/v1/activities/a1/screen", "/api/v1/branches/b1/venues"])
def test_a_member_who_may_not_print_the_code_is_refused(gateway, path):
    gateway.use(fake([], OPEN))
    assert_error(gateway.get(path), 403, "FORBIDDEN")


def test_the_saved_venues_are_paged_by_the_plans_service(gateway):
    rpc = gateway.use(fake(SECRETARY, OPEN))
    answer = gateway.get("/api/v1/branches/b1/venues", params={"page": 2, "page_size": 10})
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"][0]["name"] == "党员活动室"
    ((_, _, args, kwargs),) = rpc.called("branch_venues")
    assert (args, kwargs) == (("b1",), {"page": 2, "page_size": 10})
