"""`make run` as a newcomer runs it (`partyday-dev run`): every service, notifications too, on its own SQLite file
under the data directory, with the demo tree and accounts; the demo secretary whose plan the city admin returns
reads the notification through the gateway."""

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import httpx
import pytest

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD, DEVELOPMENT_ADMIN_PHONE, SERVICES
from partyday_dev.demo import DEMO_PASSWORD
from tests.e2e.conftest import free_port
from tests.e2e.helpers import wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRETARY = "13800000002"  # the demo branch secretary (the demo county's org admin is a member of that branch)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def dev_run(vhosts, tmp_path_factory):
    """`partyday-dev run` on a fresh vhost and data directory, no database URL set (SQLite, as `make run`), until
    it prints that it is ready; stopped as Ctrl-C stops it."""
    vhost = vhosts.create()
    data_dir = tmp_path_factory.mktemp("dev-run")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not (key.startswith("PARTYDAY_") and key.endswith(("_DATABASE_URL", "_METRICS_PORT")))
    }
    environment.update(
        PARTYDAY_AMQP_URI=vhosts.uri(vhost),
        PARTYDAY_DATA_DIR=str(data_dir),
        PARTYDAY_RPC_TIMEOUT_S="10",
        PARTYDAY_GATEWAY_METRICS_PORT=str(free_port()),
        **{f"PARTYDAY_{service.upper()}_METRICS_PORT": str(free_port()) for service in SERVICES},
    )
    port = free_port()
    output = data_dir / "run.out"
    with open(output, "wb") as terminal:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "partyday-dev"), "run", "--port", str(port)],
            env=environment,
            stdout=terminal,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
        )
    try:
        wait_for(
            lambda: "partyday is ready" in output.read_text() or process.poll() is not None,
            timeout=240,
            message="partyday-dev run ready",
        )
        assert process.poll() is None, output.read_text()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
            yield SimpleNamespace(http=http, data_dir=data_dir, banner=output.read_text())
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        vhosts.delete(vhost)


def logged_in(http: httpx.Client, phone: str, password: str = DEMO_PASSWORD) -> dict:
    answer = http.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_make_run_tells_the_demo_secretary_of_a_returned_plan_on_sqlite(dev_run):
    http = dev_run.http
    ready = next(line for line in dev_run.banner.splitlines() if "partyday is ready" in line)
    assert "notifications ok" in ready, ready
    assert {path.name for path in dev_run.data_dir.glob("*.sqlite3")} == {f"{name}.sqlite3" for name in SERVICES}

    secretary = logged_in(http, SECRETARY)
    reviewer = logged_in(http, DEVELOPMENT_ADMIN_PHONE, DEVELOPMENT_ADMIN_PASSWORD)
    branch = http.get("/api/v1/me", headers=secretary).json()["org_id"]
    ahead = datetime.now(SHANGHAI) + timedelta(days=40)
    starts = datetime(ahead.year, ahead.month, 7, 9, tzinfo=SHANGHAI)
    drafted = http.post(
        "/api/v1/plans",
        headers=secretary,
        json={
            "branch_id": branch,
            "month": starts.strftime("%Y-%m"),
            "theme": "学习党章",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "venue": {"name": "社区党员活动室", "lat": 33.07, "lon": 107.03, "radius_m": 300},
        },
    )
    assert drafted.status_code == 201, drafted.text
    plan_id = drafted.json()["plan_id"]
    assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=secretary).status_code == 200
    returned = http.post(f"/api/v1/plans/{plan_id}/return", headers=reviewer, json={"comment": "请补充学习议程"})
    assert returned.status_code == 200, returned.text

    inbox = wait_for(
        lambda: (page := http.get("/api/v1/me/notifications", headers=secretary).json())["total"] and page,
        message="the demo secretary's inbox",
    )
    message = inbox["items"][0]
    assert message["kind"] == "plan_returned" and "请补充学习议程" in message["body"] and inbox["unread"] == 1
    assert "北关社区第一党支部" in message["body"]
    log = (dev_run.data_dir / "logs" / "notifications.log").read_text(errors="replace")
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]
