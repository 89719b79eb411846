"""What the benchmarks share: a scratch vhost and databases, the whole stack as processes, a lean HTTP client.

Each benchmark runs every service and the gateway as separate processes (as `make run` does), on a fresh
RabbitMQ vhost and fresh PostgreSQL databases that it removes at the end.
"""

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

# Importing devstack imports eventlet, which warns about its own deprecation; the message starts with a newline.
warnings.filterwarnings("ignore", message="\nEventlet is deprecated")

from partyday_common.settings import SERVICES  # noqa: E402
from partyday_common.tables import OUTBOX  # noqa: E402
from partyday_dev import devstack  # noqa: E402
from partyday_dev.ports import free_port  # noqa: E402

RABBIT_API = "http://guest:guest@127.0.0.1:15672"
AMQP_ROOT = "amqp://guest:guest@127.0.0.1:5672"
POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


class Scratch:
    """A RabbitMQ vhost and one PostgreSQL database per service, all removed by `remove`."""

    def __init__(self):
        suffix = uuid.uuid4().hex[:10]
        self.vhost = f"partyday_bench_{suffix}"
        self.database_names = {name: f"partyday_bench_{name}_{suffix}" for name in SERVICES}
        self.admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        self.vhost_created = False
        self.databases_created: list[str] = []

    @property
    def amqp_uri(self) -> str:
        return f"{AMQP_ROOT}/{quote(self.vhost, safe='')}"

    def database_url(self, service: str) -> str:
        return f"{POSTGRES}/{self.database_names[service]}"

    def create(self) -> None:
        requests.put(f"{RABBIT_API}/api/vhosts/{self.vhost}", timeout=10).raise_for_status()
        self.vhost_created = True
        requests.put(
            f"{RABBIT_API}/api/permissions/{self.vhost}/guest",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=10,
        ).raise_for_status()
        with self.admin.connect() as connection:
            for name in self.database_names.values():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                self.databases_created.append(name)

    def remove(self) -> None:
        if self.vhost_created:
            requests.delete(f"{RABBIT_API}/api/vhosts/{self.vhost}", timeout=30)
        with self.admin.connect() as connection:
            for name in self.databases_created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


class Workspace:
    """A benchmark's scratch vhost and databases, and its folder of data and logs."""

    def __init__(self, name: str):
        self.scratch = Scratch()
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"partyday-bench-{name}-"))
        self.log_dir = self.data_dir / "logs"
        self.log_dir.mkdir()
        self.succeeded = False


@contextmanager
def workspace(name: str):
    """A Workspace, created; at the end its vhost and databases are removed, and its folder too unless the
    benchmark did not set `succeeded`, whose logs are kept for a look."""
    place = Workspace(name)
    try:
        place.scratch.create()
        yield place
    finally:
        place.scratch.remove()
        if place.succeeded:
            shutil.rmtree(place.data_dir, ignore_errors=True)
        else:
            print(f"logs kept in {place.log_dir}", file=sys.stderr)


def stack_environment(scratch: Scratch, data_dir: Path, **settings: str) -> dict:
    environment = dict(os.environ, PARTYDAY_AMQP_URI=scratch.amqp_uri, PARTYDAY_DATA_DIR=str(data_dir), **settings)
    for name in SERVICES:
        environment[f"PARTYDAY_{name.upper()}_DATABASE_URL"] = scratch.database_url(name)
        environment[f"PARTYDAY_{name.upper()}_METRICS_PORT"] = "0"
    return environment


def migrate(environment: dict) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "partyday-dev"), "migrate"], env=environment, check=True, capture_output=True
    )


class Stack:
    """The running processes and the gateway's port."""

    def __init__(self, port: int, processes: dict, scratch: "Scratch"):
        self.port = port
        self.processes = processes
        self.scratch = scratch

    def parts(self) -> dict[str, list[int]]:
        """Process ids by part: each service, the gateway, the broker, the PostgreSQL backends serving the
        benchmark's own databases (other work on the cluster is left out) and this load generator."""
        found = {name: [process.pid] for name, process in self.processes.items()}
        found["rabbitmq"] = [
            int(pid)
            for pid in subprocess.run(["pgrep", "-x", "beam.smp"], capture_output=True, text=True).stdout.split()
        ]
        with self.scratch.admin.connect() as connection:
            found["postgresql"] = list(
                connection.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = ANY(:names)"),
                    {"names": list(self.scratch.database_names.values())},
                ).scalars()
            )
        found["load generator"] = [os.getpid()]
        return found


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])


def cpu_seconds(parts: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    """CPU seconds (user plus system) used so far, by part and process."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {part: {pid: _ticks(pid) / ticks for pid in pids} for part, pids in parts.items()}


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each part used between two `cpu_seconds` samples. A process that started in between
    counts from zero; one that ended in between is lost, so take both samples with the same connections open."""
    return {
        part: sum(used - before.get(part, {}).get(pid, 0.0) for pid, used in pids.items())
        for part, pids in after.items()
    }


def cpu_report(spent: dict[str, float], operations: int, seconds: float) -> str:
    """CPU milliseconds per operation and the share of a core, by part, busiest first."""
    lines = [
        f"    {part:<15} {used * 1000 / max(operations, 1):6.2f} ms each, {used / seconds:5.0%} of a core"
        for part, used in sorted(spent.items(), key=lambda item: -item[1])
        if used > 0
    ]
    total = sum(spent.values())
    lines.append(
        f"    {'all':<15} {total * 1000 / max(operations, 1):6.2f} ms each, {total / seconds:5.0%} "
        f"of a core ({os.cpu_count()} cores here)"
    )
    return "\n".join(lines)


@contextmanager
def running_stack(environment: dict, log_dir: Path, scratch: Scratch):
    """Every service and the gateway as processes; yields the Stack once /readyz says ready."""
    port = free_port()
    started = time.monotonic()
    processes = devstack.start_processes("127.0.0.1", port, log_dir, environment)
    try:
        devstack.wait_ready(f"http://127.0.0.1:{port}", devstack.READY_WITHIN_S, processes)
        print(f"stack ready in {time.monotonic() - started:.1f} s (logs in {log_dir})", flush=True)
        yield Stack(port, processes, scratch)
    finally:
        devstack.stop_processes(processes)


def skip_member_flood(scratch: Scratch) -> int:
    """Mark the bulk load's `member_joined` outbox rows as relayed.

    On a party day the city has existed for weeks: its 208k member_joined events were consumed long ago.
    Relaying them during a benchmark would measure the initial load, not the day. Returns how many."""
    engine = create_engine(scratch.database_url("directory"))
    try:
        with engine.begin() as connection:
            return connection.execute(
                text(
                    f"UPDATE {OUTBOX} SET published_at = now() WHERE event_type = "
                    "'member_joined' AND published_at IS NULL"
                )
            ).rowcount
    finally:
        engine.dispose()


def count(engine: Engine, query: str, **parameters) -> int:
    with engine.connect() as connection:
        return connection.execute(text(query), parameters).scalar_one()


def percentiles(latencies: list[float]) -> str:
    """p50, p95 and p99 of latencies in seconds, printed in milliseconds."""
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0] if latencies else 0] * 99
    return f"p50 {cuts[49] * 1000:.1f} ms   p95 {cuts[94] * 1000:.1f} ms   p99 {cuts[98] * 1000:.1f} ms"


class Connection:
    """One keep-alive HTTP/1.1 connection to the gateway.

    httpx spends about 2.5 ms of CPU per request on this machine, as much as the gateway does: as the
    load generator it would take a core from the stack under test and measure itself.
    """

    def __init__(self, port: int, authorization: str | None = None):
        self.port = port
        self.authorization = authorization
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def exchange(
        self, method: str, path: str, body: dict | None = None, authorization: str | None = None
    ) -> tuple[int, dict]:
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        payload = json.dumps(body).encode() if body is not None else b""
        authorization = authorization or self.authorization
        credentials = f"Authorization: {authorization}\r\n" if authorization else ""
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{credentials}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        answer = json.loads(await reader.readexactly(int(headers["content-length"])))
        if headers.get("connection") == "close":
            self.close()
        return int(status_line.split(" ", 2)[1]), answer

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def closed_loop(port: int, concurrency: int, seconds: float, step) -> float:
    """`concurrency` keep-alive connections, each awaiting `step(connection)` again as soon as the last one
    returned, for `seconds` or until a step returns False; the seconds it took."""
    deadline = time.perf_counter() + seconds

    async def loop(connection: Connection) -> None:
        while time.perf_counter() < deadline and await step(connection) is not False:
            pass

    started = time.perf_counter()
    connections = [Connection(port) for _ in range(concurrency)]
    await asyncio.gather(*(loop(connection) for connection in connections))
    for connection in connections:
        connection.close()
    return time.perf_counter() - started


async def noop_ceiling(port: int, concurrency: int, seconds: float) -> tuple[list[float], int, float]:
    """GET /pingz (one RPC round trip through the gateway) with `concurrency` in flight for `seconds`: the
    latency of each call answered 200, the errors, and the seconds it took."""
    latencies: list[float] = []
    errors = 0

    async def step(connection: Connection) -> None:
        nonlocal errors
        asked = time.perf_counter()
        try:
            status, _ = await connection.exchange("GET", "/pingz?service=attendance")
        except (OSError, asyncio.IncompleteReadError, ValueError, KeyError):
            errors += 1
            connection.close()
            return
        if status == 200:
            latencies.append(time.perf_counter() - asked)
        else:
            errors += 1

    took = await closed_loop(port, concurrency, seconds, step)
    return latencies, errors, took
