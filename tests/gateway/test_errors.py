"""The gateway's answers to bad input and to failing services, with the services faked."""

import json
import logging
import socket

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest

from partyday_common.logs import JsonFormatter
from partyday_gateway.app import create_app
from partyday_gateway.guard import find_control_character
from partyday_gateway.rpc import RemoteError, ServiceTimeout, ServiceUnavailable
from partyday_gateway.settings import GatewaySettings
from tests.gateway.conftest import NO_BROKER
from tests.gateway.fakes import FakeRpc, under_root

CITY_ADMIN = {
    "session_active": True,
    "kind": "member",
    "subject": "m1",
    "member_id": "m1",
    "name": "管理员",
    "org_id": None,
    "org_path": None,
    "roles": [{"role": "city_admin", "org_id": "root", "org_path": "/root/", "grant_id": "g1"}],
}


@pytest.fixture
def gateway(gateway):
    """`gateway.answer(outcome)`: a city admin calls, every node is a county under the root, and whatever the route
    asks of a service gets `outcome` (raised if it is an exception)."""
    gateway.answer = lambda outcome: gateway.use(
        FakeRpc(caller=CITY_ADMIN, nodes=under_root("county"), default=outcome)
    )
    return gateway


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_malformed_json_is_400(gateway):
    gateway.answer({})
    response = gateway.post("/api/v1/orgs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "MALFORMED_JSON")


def test_a_field_out_of_range_is_400_with_its_location(gateway):
    fake = gateway.answer({})
    error = assert_error(gateway.post("/api/v1/orgs", json={"name": "x", "level": "planet"}), 400, "VALIDATION_FAILED")
    assert ["body", "level"] in [e["loc"] for e in error["details"]["errors"]]
    assert fake.calls == []


def test_unknown_fields_are_refused_not_ignored(gateway):
    gateway.answer({})
    assert_error(
        gateway.post("/api/v1/orgs", json={"name": "x", "level": "city", "colour": "red"}), 400, "VALIDATION_FAILED"
    )


def test_a_bad_month_is_400(gateway):
    gateway.answer({})
    assert_error(gateway.get("/api/v1/orgs/x/overdue?month=2026-13"), 400, "VALIDATION_FAILED")


def test_unknown_route_is_404_in_the_error_format(gateway):
    assert_error(gateway.get("/api/v1/nothing-here"), 404, "NOT_FOUND")


def test_without_a_token_a_route_is_401(gateway):
    gateway.answer({})
    del gateway.headers["Authorization"]
    response = gateway.get("/api/v1/orgs/1")
    assert_error(response, 401, "NOT_AUTHENTICATED")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_domain_429_carries_retry_after(gateway):
    gateway.answer(
        RemoteError(
            "directory",
            "authenticate",
            {"exc_type": "DomainError", "exc_args": ["LOGIN_LOCKED", "later", 429, {"retry_after": 42}]},
        )
    )
    response = gateway.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "x"})
    assert_error(response, 429, "LOGIN_LOCKED")
    assert response.headers["Retry-After"] == "42"


def test_a_domain_error_keeps_its_status_code_and_details(gateway):
    gateway.answer(
        RemoteError(
            "directory",
            "get_org",
            {
                "exc_type": "DomainError",
                "exc_path": "partyday_common.errors.DomainError",
                "exc_args": ["ORG_NOT_FOUND", "org 1 does not exist", 404, {"id": "1"}],
                "value": "x",
            },
        )
    )
    error = assert_error(gateway.get("/api/v1/orgs/1"), 404, "ORG_NOT_FOUND")
    assert error["details"] == {"id": "1"}


def test_an_unexpected_service_failure_is_a_500_without_internals(gateway):
    gateway.answer(
        RemoteError(
            "directory",
            "get_org",
            {"exc_type": "KeyError", "exc_path": "builtins.KeyError", "exc_args": ["secret"], "value": "secret"},
        )
    )
    error = assert_error(gateway.get("/api/v1/orgs/1"), 500, "INTERNAL_ERROR")
    assert "secret" not in str(error)


def test_a_service_timeout_is_504(gateway):
    gateway.answer(ServiceTimeout("plans", "overdue", 5.0))
    error = assert_error(gateway.get("/api/v1/orgs/1/overdue?month=2026-12"), 504, "SERVICE_TIMEOUT")
    assert error["details"] == {"service": "plans", "timeout_s": 5.0}


def test_an_unavailable_service_is_503_with_retry_after(gateway):
    gateway.answer(ServiceUnavailable("scoring", "no scoring service is listening"))
    response = gateway.get("/api/v1/dashboards/progress?org_id=1")
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["Retry-After"] == "5"


def test_every_response_carries_a_correlation_id_and_keeps_the_callers(gateway):
    gateway.answer({"status": "ok"})
    assert len(gateway.get("/healthz").headers["X-Correlation-ID"]) == 32
    assert gateway.get("/healthz", headers={"X-Correlation-ID": "abc-1"}).headers["X-Correlation-ID"] == "abc-1"


def test_request_latency_is_recorded_by_route_template(gateway):
    gateway.answer(ServiceTimeout("plans", "overdue", 5.0))
    gateway.get("/api/v1/orgs/some-id/overdue?month=2026-12")
    metrics = generate_latest().decode()
    sample = (
        'partyday_http_request_duration_seconds_count{method="GET",route="/api/v1/orgs/{org_id}/overdue",status="504"}'
    )
    assert sample in metrics


def test_every_request_writes_one_json_log_line(gateway):
    """The request log: method, route template (never the path's ids nor its query), status, duration, client
    address and correlation id, one JSON line a request."""
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(JsonFormatter("gateway").format(record)))
    requests_logger = logging.getLogger("partyday_gateway.requests")
    requests_logger.addHandler(handler)
    try:
        gateway.answer(ServiceTimeout("plans", "overdue", 5.0))
        gateway.get("/api/v1/orgs/some-id/overdue?month=2025-07", headers={"X-Correlation-ID": "abc-2"})
        gateway.get("/no/such/page")
        gateway.get("/static/console.js")
    finally:
        requests_logger.removeHandler(handler)
    overdue, missing, static = lines
    assert {key: overdue[key] for key in ("method", "route", "status", "client_ip", "correlation_id")} == {
        "method": "GET",
        "route": "/api/v1/orgs/{org_id}/overdue",
        "status": 504,
        "client_ip": "testclient",
        "correlation_id": "abc-2",
    }
    assert overdue["duration_ms"] >= 0 and overdue["service"] == "gateway" and overdue["level"] == "info"
    assert "some-id" not in json.dumps(overdue) and "month=" not in json.dumps(overdue)
    assert (missing["route"], missing["status"], len(missing["correlation_id"])) == ("unmatched", 404, 32)
    assert (static["route"], static["status"]) == ("/static/{path}", 200), "a file is logged under its mount"


def test_openapi_lists_the_routes(gateway):
    paths = gateway.get("/openapi.json").json()["paths"]
    assert {
        "/healthz",
        "/readyz",
        "/api/v1/orgs",
        "/api/v1/orgs/{org_id}",
        "/api/v1/orgs/{org_id}/children",
        "/api/v1/orgs/{org_id}/overdue",
        "/api/v1/orgs/{org_id}/members",
        "/api/v1/dashboards/progress",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/public-code",
        "/api/v1/auth/public-login",
        "/api/v1/me",
        "/api/v1/members",
        "/api/v1/members/import",
        "/api/v1/members/{member_id}/transfer",
        "/api/v1/role-grants",
        "/api/v1/role-grants/{grant_id}",
        "/api/v1/audit",
        "/api/v1/audit.csv",
    } <= set(paths)
    assert gateway.get("/docs").status_code == 200


def test_metrics_are_served_on_their_own_port_not_by_the_public_api():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with TestClient(create_app(GatewaySettings(amqp_uri=NO_BROKER, gateway_metrics_port=port))) as client:
        assert client.get("/metrics").status_code == 404
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]
        client.get("/healthz")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert 'partyday_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in metrics


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("get", "/api/v1/orgs/a%00b", {}),
        ("get", "/api/v1/orgs?code=a%00", {}),
        ("post", "/api/v1/orgs", {"json": {"name": "一\u0000支部", "level": "city"}}),
        ("post", "/api/v1/orgs", {"json": {"name": "bell\u0007", "level": "city"}}),
    ],
)
def test_control_characters_are_refused_before_reaching_a_service(gateway, method, path, kwargs):
    fake = gateway.answer({})
    assert_error(getattr(gateway, method)(path, **kwargs), 400, "INVALID_CHARACTER")
    assert fake.calls == []


@pytest.mark.parametrize(
    "query",
    [
        "month=0000-12",
        "month=2026-12%0A",
        "month=2026-12&page=100001",
        "month=2026-12&page_size=501",
        "month=2026-12&page=-1",
    ],
)
def test_out_of_range_listing_parameters_are_400(gateway, query):
    fake = gateway.answer({})
    assert_error(gateway.get(f"/api/v1/orgs/x/overdue?{query}"), 400, "VALIDATION_FAILED")
    assert fake.calls == []


def test_an_oversized_json_body_is_413(gateway):
    fake = gateway.answer({})
    response = gateway.post("/api/v1/orgs", json={"name": "x" * 1_100_000, "level": "city"})
    assert_error(response, 413, "BODY_TOO_LARGE")
    assert fake.calls == []


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"])
def test_a_form_body_outside_the_upload_routes_is_capped_like_json(gateway, content_type):
    fake = gateway.answer({})
    response = gateway.post("/api/v1/auth/login", content=b"x" * 1_100_000, headers={"Content-Type": content_type})
    assert_error(response, 413, "BODY_TOO_LARGE")
    assert fake.calls == []


def test_a_form_body_reaches_an_upload_route_unread(gateway):
    gateway.answer({"branch_id": "b1"})
    response = gateway.post(
        "/api/v1/activities/a1/media",
        content=b"x" * 1_100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415 and response.json()["error"]["code"] == "MULTIPART_REQUIRED"


def test_a_json_body_survives_the_guard_intact(gateway):
    fake = gateway.answer(
        {
            "org_id": "1",
            "code": "HZ",
            "name": "汉中\n区委",
            "parent_id": "root",
            "level": "county",
            "domain": "other",
            "kind": "regular",
            "path": "/root/1/",
        }
    )
    response = gateway.post("/api/v1/orgs", json={"name": "汉中\n区委", "level": "county", "parent_id": "root"})
    assert response.status_code == 201, response.text
    assert fake.calls[0][2][0]["name"] == "汉中\n区委"


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/vnd.partyday+json", None])
def test_the_guard_reads_every_body_that_could_be_json(gateway, content_type):
    fake = gateway.answer({})
    headers = {"Content-Type": content_type} if content_type else {}
    response = gateway.post("/api/v1/orgs", content=b'{"name": "a\\u0000b", "level": "county"}', headers=headers)
    assert_error(response, 400, "INVALID_CHARACTER")
    assert fake.calls == []


def test_a_body_that_nests_too_deeply_is_400_not_500(gateway):
    gateway.answer({})
    response = gateway.post("/api/v1/orgs", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "MALFORMED_JSON")


def test_pingz_makes_one_round_trip_to_the_named_service(gateway):
    rpc = gateway.answer("pong")
    assert gateway.get("/pingz", params={"service": "directory"}).json() == {"status": "ok", "service": "directory"}
    assert rpc.calls == [("directory", "noop", (), {})]
    assert_error(gateway.get("/pingz", params={"service": "nowhere"}), 400, "SERVICE_UNKNOWN")
    gateway.answer(ServiceTimeout("attendance", "noop", 5))
    assert gateway.get("/pingz").status_code == 504


def test_the_guard_refuses_every_control_character_but_tab_and_line_breaks():
    refused = {code for code in range(0x110) if find_control_character(f"a{chr(code)}b", "body")}
    assert refused == set(range(0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) | {0x7F}
    assert find_control_character({"k": ["ok", {"deep": "x\x1b"}]}, "body") == "body.k[1].deep"
