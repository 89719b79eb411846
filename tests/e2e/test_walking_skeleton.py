"""Through the gateway, across the bus, with every service running as its own process."""

import json
import time
import uuid

import httpx
import pytest

from partyday_common.settings import SERVICES
from tests.e2e.helpers import wait_for


def create(stack, headers=None, **org):
    response = stack.http.post("/api/v1/orgs", json=org, headers={**stack.admin, **(headers or {})})
    assert response.status_code == 201, response.text
    return response.json()


def city(stack):
    return stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()


def get(stack, path, **params):
    return stack.http.get(path, params=params, headers=stack.admin)


def test_the_stack_is_ready_within_a_minute_and_lists_every_service(stack):
    assert stack.startup_seconds < 60
    response = stack.http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["broker"] == {"status": "ok"}
    assert set(body["services"]) == set(SERVICES)
    assert all(service["status"] == "ok" for service in body["services"].values())
    assert stack.http.get("/healthz").json() == {"status": "ok"}


def test_an_org_created_in_the_directory_shows_up_in_plans_and_scoring(stack):
    suffix = uuid.uuid4().hex[:6]
    root = city(stack)
    county = create(stack, name="汉台区委", level="county", parent_id=root["org_id"], code=f"HT{suffix}")
    town = create(stack, name="北关街道", level="township", parent_id=county["org_id"], domain="community")
    branch = create(
        stack, name="北关社区第一党支部", level="branch", parent_id=town["org_id"], domain="community", kind="joint"
    )

    assert get(stack, f"/api/v1/orgs/{branch['org_id']}").json()["kind"] == "joint"
    assert get(stack, "/api/v1/orgs", code=f"HT{suffix}").json()["org_id"] == county["org_id"]
    children = get(stack, f"/api/v1/orgs/{town['org_id']}/children").json()
    assert [c["org_id"] for c in children["items"]] == [branch["org_id"]]

    overdue = wait_for(
        lambda: (
            (r := get(stack, f"/api/v1/orgs/{county['org_id']}/overdue", month="2026-01")).status_code == 200
            and r.json()["total"] == 1
            and r.json()
        ),
        message="plans knows the branch",
    )
    assert overdue["items"] == [
        {
            "branch_id": branch["org_id"],
            "name": "北关社区第一党支部",
            "parent_id": town["org_id"],
            "missing": ["plan", "summary"],
        }
    ]

    progress = wait_for(
        lambda: (
            (r := get(stack, "/api/v1/dashboards/progress", org_id=county["org_id"])).status_code == 200
            and r.json()["children"]
            and r.json()["children"][0]["branches"] == 1
            and r.json()
        ),
        message="scoring knows the branch",
    )
    assert progress["children"][0]["org_id"] == town["org_id"]


def test_the_correlation_id_follows_a_request_into_other_services_logs(stack):
    correlation_id = f"e2e-{uuid.uuid4().hex}"
    county = create(
        stack,
        headers={"X-Correlation-ID": correlation_id},
        name="区委",
        level="county",
        parent_id=city(stack)["org_id"],
    )
    wait_for(
        lambda: correlation_id in stack.log("plans") and correlation_id in stack.log("scoring"),
        message="plans and scoring logged the event under the request's correlation id",
    )
    assert correlation_id in stack.log("directory")
    assert county["org_id"]
    [request] = [
        json.loads(line)
        for line in stack.log("gateway").splitlines()
        if correlation_id in line and '"partyday_gateway.requests"' in line
    ]
    assert (request["method"], request["route"], request["status"]) == ("POST", "/api/v1/orgs", 201)
    assert request["client_ip"] == "127.0.0.1" and request["duration_ms"] > 0, "the gateway logs each request once"


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        ("get", "/api/v1/orgs/does-not-exist", None, 404, "ORG_NOT_FOUND"),
        ("get", "/api/v1/orgs/does-not-exist/children", None, 404, "ORG_NOT_FOUND"),
        ("get", "/api/v1/orgs/does-not-exist/overdue?month=2026-12", None, 404, "ORG_NOT_FOUND"),
        ("get", "/api/v1/dashboards/progress?org_id=nope", None, 404, "ORG_NOT_FOUND"),
        ("post", "/api/v1/orgs", {"name": "x", "level": "city"}, 409, "CITY_EXISTS"),
        ("post", "/api/v1/orgs", {"name": "x", "level": "county", "parent_id": "nope"}, 404, "ORG_NOT_FOUND"),
        ("post", "/api/v1/orgs", {"name": "", "level": "county"}, 400, "VALIDATION_FAILED"),
        ("get", "/api/v1/orgs?code=", None, 400, "VALIDATION_FAILED"),
    ],
)
def test_bad_requests_get_a_reason_never_a_500(stack, method, path, body, status, code):
    response = getattr(stack.http, method)(path, headers=stack.admin, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_a_duplicate_org_code_is_a_conflict(stack):
    code = f"DUP{uuid.uuid4().hex[:6]}"
    root = city(stack)["org_id"]
    create(stack, name="a", level="county", code=code, parent_id=root)
    response = stack.http.post(
        "/api/v1/orgs", json={"name": "b", "level": "county", "code": code, "parent_id": root}, headers=stack.admin
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "ORG_CODE_TAKEN"


def test_every_process_serves_prometheus_metrics(stack):
    stack.http.get("/readyz")
    for name, port in stack.metrics_ports.items():
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert f'partyday_entrypoint_duration_seconds_count{{entrypoint="ping",service="{name}"}}' in text
        assert f'partyday_outbox_backlog{{service="{name}"}}' in text
    assert stack.http.get("/metrics").status_code == 404
    gateway = httpx.get(stack.gateway_metrics_url, timeout=5).text
    assert 'partyday_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"}' in gateway
    assert "partyday_gateway_rpc_duration_seconds" in gateway
    assert "partyday_dead_letter_queue_messages" in gateway


def test_a_stopped_service_is_reported_and_loses_nothing(stack):
    county = create(stack, name="区委", level="county", parent_id=city(stack)["org_id"])
    town = create(stack, name="镇党委", level="township", parent_id=county["org_id"])

    def progress():
        return get(stack, "/api/v1/dashboards/progress", org_id=county["org_id"])

    wait_for(
        lambda: progress().status_code == 200 and progress().json()["children"],
        message="scoring took in the township before it was stopped",
    )

    stack.kill("scoring")
    try:
        started = time.monotonic()
        ready = stack.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["services"]["scoring"]["status"] == "timeout"
        assert ready.json()["services"]["plans"]["status"] == "ok"
        assert time.monotonic() - started < 5

        slow = progress()
        assert slow.status_code == 504
        assert slow.json()["error"] == {
            "code": "SERVICE_TIMEOUT",
            "message": "the scoring service did not answer in time",
            "details": {"service": "scoring", "timeout_s": 2.0},
        }

        create(stack, name="镇第一支部", level="branch", parent_id=town["org_id"])
    finally:
        stack.restart("scoring")
    stack.wait_until_ready()
    caught_up = wait_for(
        lambda: (r := progress().json())["children"][0]["branches"] == 1 and r,
        message="the event sent while scoring was down arrived after its restart",
    )
    assert caught_up["children"][0]["org_id"] == town["org_id"]


def test_a_retried_post_with_an_idempotency_key_creates_one_org(stack):
    key = uuid.uuid4().hex
    body = {"name": "重试区委", "level": "county", "code": f"RT{key[:6]}", "parent_id": city(stack)["org_id"]}
    headers = {**stack.admin, "Idempotency-Key": key}
    first = stack.http.post("/api/v1/orgs", json=body, headers=headers)
    second = stack.http.post("/api/v1/orgs", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    reused = stack.http.post("/api/v1/orgs", json={**body, "name": "别的"}, headers=headers)
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    too_long = stack.http.post("/api/v1/orgs", json=body, headers={**stack.admin, "Idempotency-Key": "k" * 201})
    assert too_long.status_code == 400
