"""The web pages and the member's attendance history, with the services faked."""
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.routes.history import months_back
from partyday_gateway.settings import GatewaySettings

WEB = Path(__file__).resolve().parents[2] / "services" / "gateway" / "partyday_gateway" / "web"
MEMBER = {"session_active": True, "kind": "member", "subject": "m1", "member_id": "m1", "name": "李明",
          "org_id": "b1", "org_path": "/root/b1/", "roles": []}
PUBLIC = {**MEMBER, "kind": "public", "member_id": None, "org_id": None, "org_path": None}


def plan(month: str) -> dict:
    return {"activity_id": f"act-{month}", "theme": f"{month} 主题党日", "starts_at": f"{month}-07T09:00:00+08:00",
            "ends_at": f"{month}-07T11:00:00+08:00", "venue": {"name": "党员活动室"}}


class FakeRpc:
    ready = True

    def __init__(self, who, held: dict):
        self.who = who
        self.held = held

    async def call(self, service, method, *args, **kwargs):
        if method == "auth_context":
            return self.who
        if method == "branch_month":
            month = args[1]
            return {"plan": plan(month) if month in self.held else None}
        if method == "attendance":
            month = args[0].removeprefix("act-")
            rows = [{"member_id": "m2", "status": "signed_out", "signed_in_at": None, "signed_out_at": None,
                     "sent_late": False}]
            if self.held[month]:
                rows.append({"member_id": "m1", "status": self.held[month], "signed_in_at": f"{month}-07T01:05:00Z",
                             "signed_out_at": None, "sent_late": True})
            return {"members": rows}
        raise AssertionError(f"unexpected call {service}.{method}")

    async def close(self):
        pass


@pytest.fixture
def gateway():
    app = create_app(GatewaySettings(amqp_uri="amqp://guest:guest@127.0.0.1:1/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        def acting_as(who, held=None):
            app.state.rpc = FakeRpc(who, held or {})
            app.state.auth_cache = type(app.state.auth_cache)(0)
        client.acting_as = acting_as
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.mark.parametrize("path, script", [("/console", "console.js"), ("/m", "member.js"),
                                          ("/m/checkin?activity=a1&token=t", "member.js"), ("/m/history", "member.js"),
                                          ("/vote?campaign=c1", "vote.js")])
def test_each_page_is_served_with_its_script(gateway, path, script):
    answer = gateway.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert f'src="/static/{script}"' in answer.text and 'lang="zh-CN"' in answer.text
    assert gateway.get(f"/static/{script}").headers["content-type"].startswith("text/javascript")


def test_the_front_door_leads_to_the_console(gateway):
    answer = gateway.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/console"
    assert gateway.get("/static/missing.js").status_code == 404
    worker = gateway.get("/m/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript") and "caches.open" in worker.text


def test_nothing_is_loaded_from_elsewhere():
    """Every script, style and icon the pages name is a file of the package; no page reaches another host."""
    files = [path for path in WEB.rglob("*") if path.is_file()]
    for path in files:
        text = path.read_text()
        external = re.findall(r"""(?:src|href|from|import|url)\s*[=(]?\s*["'(]\s*(?:https?:)?//""", text)
        assert external == [], f"{path.name} loads from another host"
        for local in re.findall(r"""["'(](/static/[\w./-]+)""", text):
            assert (WEB / local.removeprefix("/")).is_file(), f"{path.name} names {local}, which is missing"
        for module in re.findall(r"""from\s+'\./([\w.-]+)'""", text):
            assert (path.parent / module).is_file(), f"{path.name} imports {module}, which is missing"


def test_a_members_history_lists_their_own_rows_newest_first(gateway):
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    this, before, earlier, long_ago = (months_back(now, 24)[index] for index in (0, 2, 3, 23))
    gateway.acting_as(MEMBER, held={this: "signed_in", before: "absent", earlier: None, long_ago: "excused"})
    answer = gateway.get("/api/v1/me/attendance", params={"months": 24})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["member_id"], body["branch_id"]) == ("m1", "b1")
    assert [(row["month"], row["status"]) for row in body["items"]] == [
        (this, "signed_in"), (before, "absent"), (long_ago, "excused")]
    first = body["items"][0]
    assert (first["activity_id"], first["theme"], first["venue"], first["sent_late"]) == (
        f"act-{this}", f"{this} 主题党日", "党员活动室", True)
    assert [row["month"] for row in gateway.get("/api/v1/me/attendance").json()["items"]] == [this, before]


def test_the_history_needs_a_members_account_and_a_sane_range(gateway):
    gateway.acting_as(PUBLIC)
    refused = gateway.get("/api/v1/me/attendance")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "MEMBERS_ONLY"
    gateway.acting_as(MEMBER)
    assert gateway.get("/api/v1/me/attendance", params={"months": 0}).status_code == 400
    assert gateway.get("/api/v1/me/attendance", params={"months": 25}).status_code == 400
