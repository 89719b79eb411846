"""`make run`: every service and the gateway as child processes of one supervisor.

Logs go to <data dir>/logs/<process>.log; the terminal shows what a newcomer needs:
the URLs, the readiness of each service, and how to stop. Each service's process loads its own
class only (`nameko run ... <class>`); this supervisor, a development tool, knows them all.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from partyday_common.consumer import declare_subscriptions
from partyday_common.migrations import upgrade
from partyday_common.settings import SERVICES, get_settings
from partyday_dev.demo import http, load_demo_data, logins
from partyday_dev.services import SERVICE_CLASSES, every_service_class
from partyday_gateway.settings import GatewaySettings

REPO_ROOT = Path(__file__).resolve().parents[2]
NAMEKO_CONFIG = REPO_ROOT / "deploy" / "nameko.yml"
READY_WITHIN_S = 60
# uvicorn's h11 protocol with a deadline for each request's headers (partyday_gateway/serving.py).
GATEWAY_PROTOCOL = "partyday_gateway.serving:HeaderTimeoutProtocol"
# eventlet warns about its own deprecation on import; the message starts with a newline.
QUIET_WARNINGS = "ignore:\nEventlet is deprecated"


def wait_ready(base_url: str, within: float, processes: dict) -> dict:
    deadline = time.monotonic() + within
    last = {}
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode}")
        try:
            status, last = http("GET", f"{base_url}/readyz", timeout=3)
            if status == 200:
                return last
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not ready within {within:.0f}s: {json.dumps(last, ensure_ascii=False)}")


def migrate_every_service() -> list[str]:
    """Bring every service's database to its latest schema."""
    for service in SERVICES:
        upgrade(service)
    return list(SERVICES)


def declare_every_subscription() -> list[str]:
    """Declare the queue of every service's event subscriptions, so that no event published before its
    subscriber first starts is lost."""
    return declare_subscriptions(get_settings().amqp_uri, every_service_class())


def service_command(name: str) -> list[str]:
    return [str(Path(sys.executable).parent / "nameko"), "run", "--config", str(NAMEKO_CONFIG), SERVICE_CLASSES[name]]


def gateway_command(host: str, port: int) -> list[str]:
    return [
        str(Path(sys.executable).parent / "uvicorn"),
        "partyday_gateway.app:app",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--http",
        GATEWAY_PROTOCOL,
    ]


def spawn(name: str, command: list[str], environment: dict, log_dir: Path) -> subprocess.Popen:
    """Start one process of the stack, its output appended to <log_dir>/<name>.log."""
    environment = dict(environment, PYTHONWARNINGS=QUIET_WARNINGS, PARTYDAY_SERVICE_NAME=name)
    with open(log_dir / f"{name}.log", "ab") as log_file:
        return subprocess.Popen(
            command, env=environment, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True
        )


def start_processes(
    host: str, port: int, log_dir: Path, environment: dict | None = None
) -> dict[str, subprocess.Popen]:
    environment = dict(os.environ if environment is None else environment)
    processes = {name: spawn(name, service_command(name), environment, log_dir) for name in SERVICES}
    processes["gateway"] = spawn("gateway", gateway_command(host, port), environment, log_dir)
    return processes


def stop_processes(processes: dict[str, subprocess.Popen], grace: float = 10) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_stack(host: str, port: int, demo: bool = True) -> int:
    settings = get_settings()
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    migrate_every_service()
    declare_every_subscription()
    base_url = f"http://{host}:{port}"
    started = time.monotonic()
    processes = start_processes(host, port, log_dir)
    interrupted = False

    def on_signal(_signum, _frame):
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        readiness = wait_ready(base_url, READY_WITHIN_S, processes)
        created = load_demo_data(base_url) if demo else 0
        _print_banner(base_url, readiness, time.monotonic() - started, created, log_dir)
        while not interrupted:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; see {log_dir / name}.log; stopping")
                    return 1
            time.sleep(0.5)
        print("\nstopping every service ...")
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"partyday could not start: {exc}\nlogs: {log_dir}", file=sys.stderr)
        return 1
    finally:
        stop_processes(processes)
        print("stopped.")


def metrics_ports() -> str:
    """The gateway's and each service's /metrics port as their settings give them (PARTYDAY_GATEWAY_METRICS_PORT,
    PARTYDAY_<SERVICE>_METRICS_PORT), `off` for 0."""
    settings = get_settings()
    ports = {"gateway": GatewaySettings().gateway_metrics_port}
    ports |= {service: settings.metrics_port(service) for service in SERVICES}
    return ", ".join(f"{service} :{port}" if port else f"{service} off" for service, port in ports.items())


def _print_banner(base_url: str, readiness: dict, took: float, created: int, log_dir: Path) -> None:
    services = ", ".join(f"{name} {info['status']}" for name, info in readiness["services"].items())
    demo_line = (
        f"loaded the demo tree, {created} organisations" if created else "the demo tree (汉中市委, code HZ) is in place"
    )
    accounts = "\n".join(f"               {phone} / {password:<16} {who}" for phone, password, who in logins())
    print(
        f"""
partyday is ready in {took:.1f}s ({services})

  API          {base_url}/api/v1
  API docs     {base_url}/docs
  readiness    {base_url}/readyz
  metrics      /metrics of {metrics_ports()}
  logs         {log_dir}/
  demo data    {demo_line}
  demo logins  (POST /api/v1/auth/login with phone and password)
{accounts}

Press Ctrl-C to stop every service.
""",
        flush=True,
    )
