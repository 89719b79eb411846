"""Every service and the gateway as real processes, on a fresh vhost and fresh databases."""

import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD as ADMIN_PASSWORD
from partyday_common.settings import DEVELOPMENT_ADMIN_PHONE as ADMIN_PHONE
from partyday_common.settings import SERVICES
from partyday_dev import devstack
from partyday_dev.ports import free_port
from tests.e2e.helpers import wait_for


class Stack:
    def __init__(self, environment: dict, log_dir: Path, port: int, metrics_ports: dict, gateway_metrics_port: int):
        self.environment = environment
        self.log_dir = log_dir
        self.port = port
        self.metrics_ports = metrics_ports
        self.gateway_metrics_url = f"http://127.0.0.1:{gateway_metrics_port}/metrics"
        self.base_url = f"http://127.0.0.1:{port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.http = httpx.Client(base_url=self.base_url, timeout=15)
        self.phones = itertools.count(13300000000)

    def start(self) -> None:
        self.processes = devstack.start_processes("127.0.0.1", self.port, self.log_dir, self.environment)
        devstack.wait_ready(self.base_url, devstack.READY_WITHIN_S, self.processes)

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str) -> None:
        self.processes[name] = devstack.spawn(name, devstack.service_command(name), self.environment, self.log_dir)

    def wait_until_ready(self, within: float = 60) -> dict:
        return devstack.wait_ready(self.base_url, within, self.processes)

    def login(self, phone: str, password: str) -> dict:
        """Authorization headers for an account."""
        response = self.http.post("/api/v1/auth/login", json={"phone": phone, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def create_org(self, parent_id: str, level: str, name: str, **fields) -> str:
        """A new organisation under `parent_id`, made by the city admin; its id."""
        response = self.http.post(
            "/api/v1/orgs",
            headers=self.admin,
            json={"name": name, "level": level, "parent_id": parent_id, "code": f"T{uuid.uuid4().hex[:10]}", **fields},
        )
        assert response.status_code == 201, response.text
        return response.json()["org_id"]

    def create_member(self, branch_id: str, password: str, **fields) -> dict:
        """A new member of `branch_id`, made by the city admin, and logged in: member_id, phone, headers."""
        phone = str(next(self.phones))
        response = self.http.post(
            "/api/v1/members",
            headers=self.admin,
            json={"name": "党员", "phone": phone, "password": password, "branch_id": branch_id, **fields},
        )
        assert response.status_code == 201, response.text
        return {"member_id": response.json()["member_id"], "phone": phone, "headers": self.login(phone, password)}

    def grant(self, member: dict, role: str, org_id: str) -> None:
        """`role` over `org_id` for a member made by `create_member`, granted by the city admin."""
        response = self.http.post(
            "/api/v1/role-grants",
            headers=self.admin,
            json={"member_id": member["member_id"], "role": role, "org_id": org_id},
        )
        assert response.status_code == 201, response.text

    def approved_activity(self, branch_id: str, starts_at: datetime, ends_at: datetime, **plan) -> str:
        """A plan of the branch for the month it starts in, submitted and approved by the city admin: its activity,
        once attendance has opened the sheet."""
        month = starts_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
        drafted = self.http.post(
            "/api/v1/plans",
            headers=self.admin,
            json={
                "branch_id": branch_id,
                "month": month,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                **plan,
            },
        )
        assert drafted.status_code == 201, drafted.text
        plan_id = drafted.json()["plan_id"]
        assert self.http.post(f"/api/v1/plans/{plan_id}/submit", headers=self.admin).status_code == 200
        approved = self.http.post(f"/api/v1/plans/{plan_id}/approve", headers=self.admin)
        assert approved.status_code == 200, approved.text
        activity_id = approved.json()["activity_id"]
        wait_for(
            lambda: (
                self.http.get(f"/api/v1/activities/{activity_id}/attendance", headers=self.admin).status_code == 200
            ),
            message="attendance opened the sheet",
        )
        return activity_id

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        self.http.close()
        devstack.stop_processes(self.processes)


BROWSER_TESTS = Path(__file__).parent.parent / "browser"


def rpc_timeout_s(request) -> str:
    """2 s, so that an end-to-end test finds a stopped service quickly; 6 s behind a browser test, whose person
    waits as a person would and whose page would otherwise show the busy shared machine's slow answers as
    errors."""
    return "6" if Path(request.module.__file__).is_relative_to(BROWSER_TESTS) else "2"


@pytest.fixture(scope="module")
def stack(request, vhosts, databases, tmp_path_factory):
    vhost = vhosts.create()
    data_dir = tmp_path_factory.mktemp("stack")
    log_dir = data_dir / "logs"
    log_dir.mkdir()
    metrics_ports = {name: free_port() for name in SERVICES}
    environment = dict(
        os.environ,
        PARTYDAY_AMQP_URI=vhosts.uri(vhost),
        PARTYDAY_DATA_DIR=str(data_dir),
        PARTYDAY_RPC_TIMEOUT_S=rpc_timeout_s(request),
        PARTYDAY_READINESS_TIMEOUT_S="1",
        PARTYDAY_LOG_FORMAT="json",
    )
    environment.update(getattr(request.module, "STACK_ENVIRONMENT", {}))
    # A module runs on PostgreSQL, or on each service's embedded SQLite file under the data directory (as `make
    # run` does) when it names `sqlite` in STACK_DATABASES or the stack fixture is parametrized with it.
    backend = getattr(request, "param", getattr(request.module, "STACK_DATABASES", "postgresql"))
    for name in SERVICES:
        if backend == "sqlite":
            environment.pop(f"PARTYDAY_{name.upper()}_DATABASE_URL", None)
        else:
            environment[f"PARTYDAY_{name.upper()}_DATABASE_URL"] = databases.create(name)
        environment[f"PARTYDAY_{name.upper()}_METRICS_PORT"] = str(metrics_ports[name])
    subprocess.run(
        [str(Path(sys.executable).parent / "partyday-dev"), "migrate"], env=environment, check=True, capture_output=True
    )
    gateway_metrics_port = free_port()
    environment["PARTYDAY_GATEWAY_METRICS_PORT"] = str(gateway_metrics_port)
    running = Stack(environment, log_dir, free_port(), metrics_ports, gateway_metrics_port)
    started = time.monotonic()
    try:
        running.start()
        running.startup_seconds = time.monotonic() - started
        running.admin = running.login(ADMIN_PHONE, ADMIN_PASSWORD)
        yield running
    finally:
        running.stop()
        vhosts.delete(vhost)
