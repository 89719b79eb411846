"""The web pages and the member's attendance history, with the services faked."""

import re
from pathlib import Path

import pytest

from partyday_gateway.permissions import CAPABILITIES
from tests.gateway.fakes import FakeRpc

WEB = Path(__file__).resolve().parents[2] / "services" / "gateway" / "partyday_gateway" / "web"
MEMBER = {
    "session_active": True,
    "kind": "member",
    "subject": "m1",
    "member_id": "m1",
    "name": "李明",
    "org_id": "b1",
    "org_path": "/root/b1/",
    "roles": [],
}
PUBLIC = {**MEMBER, "kind": "public", "member_id": None, "org_id": None, "org_path": None}


ROW = {
    "activity_id": "a2",
    "branch_id": "b1",
    "theme": "主题党日",
    "venue_name": "党员活动室",
    "starts_at": "2026-12-07T09:00:00+08:00",
    "ends_at": "2026-12-07T11:00:00+08:00",
    "closed": False,
    "member_id": "m1",
    "name": "李明",
    "mobile": False,
    "guest": False,
    "status": "signed_in",
    "signed_in_at": "2026-12-07T01:05:00+00:00",
    "signed_out_at": None,
    "sent_late": True,
    "waiting_for_decision": True,
}


def history(member_id, page, page_size):
    return {"member_id": member_id, "total": 21, "page": page, "page_size": page_size, "items": [ROW]}


@pytest.fixture
def acting_as(gateway):
    return lambda who: gateway.use(FakeRpc(caller=who).answer("attendance", "member_history", history))


@pytest.mark.parametrize(
    "path, script",
    [
        ("/console", "console.js"),
        ("/m", "member.js"),
        ("/m/checkin?activity=a1&token=t", "member.js"),
        ("/m/history", "member.js"),
        ("/vote?campaign=c1", "vote.js"),
    ],
)
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
        for module in re.findall(r"""from\s+'(\.\.?/[\w./-]+)'""", text):
            assert (path.parent / module).is_file(), f"{path.name} imports {module}, which is missing"


def test_the_api_documentation_loads_its_assets_from_the_gateway(gateway):
    """A city's intranet reaches no CDN: /docs names no other host and the gateway serves what it names; ReDoc, whose
    page would fetch a logo from its makers' CDN, is not served."""
    assert gateway.get("/redoc").status_code == 404
    answer = gateway.get("/docs")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert re.findall(r"(?:https?:)?//[\w.-]+", answer.text) == [], "the page names another host"
    assets = re.findall(r'(?:src|href|spec-url)="([^"]+)"', answer.text)
    assert any(asset.endswith(".js") for asset in assets), assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert gateway.get(asset).status_code == 200, f"/docs names {asset}, which the gateway does not serve"
    assert '"validatorUrl": null' in answer.text, "Swagger UI would ask validator.swagger.io for a badge"
    assert "SwaggerUIBundle" in gateway.get("/docs-assets/swagger-ui-bundle.js").text


def test_the_pages_ask_only_for_capabilities_that_me_answers():
    """A view or control shown by a capability the gateway does not know would never show."""
    named = set()
    for script in (WEB / "static").rglob("*.js"):
        text = script.read_text()
        for needs in re.findall(r"needs: \[([^\]]*)\]", text):
            named.update(re.findall(r"'(\w+)'", needs))
        named.update(re.findall(r"can\(\w+, '(\w+)'", text))
    assert named and named <= set(CAPABILITIES), sorted(named - set(CAPABILITIES))


def test_a_members_history_is_their_own_lines_a_page_at_a_time(gateway, acting_as):
    rpc = acting_as(MEMBER)
    answer = gateway.get("/api/v1/me/attendance", params={"page": 2, "page_size": 20})
    assert answer.status_code == 200, answer.text
    assert rpc.calls == [("attendance", "member_history", ("m1",), {"page": 2, "page_size": 20})]
    body = answer.json()
    assert (body["member_id"], body["total"], body["page"]) == ("m1", 21, 2)
    assert body["items"] == [
        {
            key: ROW[key]
            for key in (
                "activity_id",
                "branch_id",
                "theme",
                "venue_name",
                "starts_at",
                "ends_at",
                "closed",
                "guest",
                "status",
                "signed_in_at",
                "signed_out_at",
                "sent_late",
                "waiting_for_decision",
            )
        }
    ]


def test_the_history_needs_a_members_account_and_a_sane_range(gateway, acting_as):
    acting_as(PUBLIC)
    refused = gateway.get("/api/v1/me/attendance")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "MEMBERS_ONLY"
    acting_as(MEMBER)
    assert gateway.get("/api/v1/me/attendance", params={"page": 0}).status_code == 400
    assert gateway.get("/api/v1/me/attendance", params={"page_size": 0}).status_code == 400
