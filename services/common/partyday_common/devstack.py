"""`make run`: every service and the gateway as child processes of one supervisor.

Logs go to <data dir>/logs/<process>.log; the terminal shows what a newcomer needs:
the URLs, the readiness of each service, and how to stop.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from partyday_common.consumer import declare_subscriptions
from partyday_common.migrations import upgrade
from partyday_common.settings import SERVICE_CLASSES, SERVICES, get_settings, load_service_class

REPO_ROOT = Path(__file__).resolve().parents[3]
NAMEKO_CONFIG = REPO_ROOT / "deploy" / "nameko.yml"
READY_WITHIN_S = 60
# eventlet warns about its own deprecation on import; the message starts with a newline.
QUIET_WARNINGS = "ignore:\nEventlet is deprecated"

DEMO_TREE = [
    ("HZ", None, "汉中市委", "city", "government", "regular"),
    ("HZ-HT", "HZ", "汉台区委", "county", "government", "regular"),
    ("HZ-HT-BG", "HZ-HT", "北关街道党工委", "township", "community", "regular"),
    ("HZ-HT-BG-1", "HZ-HT-BG", "北关社区第一党支部", "branch", "community", "regular"),
    ("HZ-HT-BG-2", "HZ-HT-BG", "北关社区流动党员党支部", "branch", "community", "mobile"),
    ("HZ-HT-ZX", "HZ-HT", "宗营镇党委", "township", "rural", "regular"),
    ("HZ-HT-ZX-Z", "HZ-HT-ZX", "宗营镇机关党总支", "general_branch", "government", "regular"),
    ("HZ-HT-ZX-Z-1", "HZ-HT-ZX-Z", "宗营镇机关第一党支部", "branch", "government", "regular"),
    ("HZ-HT-ZX-2", "HZ-HT-ZX", "河东店村党支部", "branch", "rural", "regular"),
    ("HZ-NZ", "HZ", "南郑区委", "county", "government", "regular"),
    ("HZ-NZ-DH", "HZ-NZ", "大河坎镇党委", "township", "rural", "regular"),
    ("HZ-NZ-DH-1", "HZ-NZ-DH", "大河坎镇中心小学党支部", "branch", "school", "regular"),
    ("HZ-NZ-DH-2", "HZ-NZ-DH", "汉江建工项目部联合党支部", "branch", "state_enterprise", "joint"),
]


DEMO_PASSWORD = "partyday-demo"
DEMO_ACCOUNTS = [
    ("13800000001", "汉台区委组织委员", "HZ-HT-BG-1", False, "org_admin", "HZ-HT"),
    ("13800000002", "北关社区第一党支部书记", "HZ-HT-BG-1", False, "branch_admin", "HZ-HT-BG-1"),
    ("13800000003", "北关社区党员", "HZ-HT-BG-1", False, None, None),
    ("13800000004", "流动党员", "HZ-HT-BG-2", True, None, None),
    ("13800000005", "市委督查员", "HZ-NZ-DH-1", False, "auditor", "HZ"),
]
ROLE_NAMES = {"org_admin": "区县管理员", "branch_admin": "支部管理员", "auditor": "审计(只读)", None: "党员"}


def _http(method: str, url: str, body: dict | None = None, timeout: float = 5,
          token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_ready(base_url: str, within: float, processes: dict) -> dict:
    deadline = time.monotonic() + within
    last = {}
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode}")
        try:
            status, last = _http("GET", f"{base_url}/readyz", timeout=3)
            if status == 200:
                return last
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not ready within {within:.0f}s: {json.dumps(last, ensure_ascii=False)}")


def load_demo_data(base_url: str) -> int:
    """Create the demo tree and demo accounts through the gateway, as the city admin; what exists is kept."""
    settings = get_settings()
    status, body = _http("POST", f"{base_url}/api/v1/auth/login",
                         {"phone": settings.admin_phone, "password": settings.admin_password})
    if status != 200:
        raise RuntimeError(f"demo data: the city admin could not log in: {status} {body}")
    token = body["access_token"]
    ids: dict[str, str] = {}
    created = 0
    for code, parent_code, name, level, domain, kind in DEMO_TREE:
        status, body = _http("POST", f"{base_url}/api/v1/orgs", {
            "code": code, "name": name, "level": level, "domain": domain, "kind": kind,
            "parent_id": ids.get(parent_code),
        }, token=token)
        if status == 201:
            created += 1
        elif status == 409:
            status, body = _http("GET", f"{base_url}/api/v1/orgs?code={code}", token=token)
        if status in (200, 201):
            ids[code] = body["org_id"]
        else:
            raise RuntimeError(f"demo data: creating {code} answered {status} {body}")
    for phone, name, branch, mobile, role, scope in DEMO_ACCOUNTS:
        status, body = _http("POST", f"{base_url}/api/v1/members", {
            "name": name, "phone": phone, "password": DEMO_PASSWORD, "branch_id": ids[branch], "mobile": mobile,
        }, token=token)
        if status == 201 and role:
            _http("POST", f"{base_url}/api/v1/role-grants",
                  {"member_id": body["member_id"], "role": role, "org_id": ids[scope]}, token=token)
        elif status not in (201, 409):
            raise RuntimeError(f"demo data: creating the account {phone} answered {status} {body}")
    return created


def service_command(name: str) -> list[str]:
    return [str(Path(sys.executable).parent / "nameko"), "run", "--config", str(NAMEKO_CONFIG),
            SERVICE_CLASSES[name]]


def gateway_command(host: str, port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "uvicorn"), "partyday_gateway.app:app",
            "--host", host, "--port", str(port), "--no-access-log"]


def spawn(name: str, command: list[str], environment: dict, log_dir: Path) -> subprocess.Popen:
    """Start one process of the stack, its output appended to <log_dir>/<name>.log."""
    environment = dict(environment, PYTHONWARNINGS=QUIET_WARNINGS, PARTYDAY_SERVICE_NAME=name)
    with open(log_dir / f"{name}.log", "ab") as log_file:
        return subprocess.Popen(command, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
                                cwd=REPO_ROOT, start_new_session=True)


def start_processes(host: str, port: int, log_dir: Path,
                    environment: dict | None = None) -> dict[str, subprocess.Popen]:
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
    for service in SERVICES:
        upgrade(service)
    declare_subscriptions(settings.amqp_uri, [load_service_class(name) for name in SERVICES])
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


def _print_banner(base_url: str, readiness: dict, took: float, created: int, log_dir: Path) -> None:
    services = ", ".join(f"{name} {info['status']}" for name, info in readiness["services"].items())
    demo_line = (f"loaded the demo tree, {created} organisations" if created
                 else "the demo tree (汉中市委, code HZ) is in place")
    settings = get_settings()
    accounts = [(settings.admin_phone, settings.admin_password, "市委组织部管理员 city_admin")] + [
        (phone, DEMO_PASSWORD, f"{name} {ROLE_NAMES[role]}") for phone, name, _, _, role, _ in DEMO_ACCOUNTS]
    logins = "\n".join(f"               {phone} / {password:<16} {who}" for phone, password, who in accounts)
    print(f"""
partyday is ready in {took:.1f}s ({services})

  API          {base_url}/api/v1
  API docs     {base_url}/docs
  readiness    {base_url}/readyz
  metrics      {base_url}/metrics (gateway), :9101-:9105/metrics (services)
  logs         {log_dir}/
  demo data    {demo_line}
  demo logins  (POST /api/v1/auth/login with phone and password)
{logins}

Press Ctrl-C to stop every service.
""", flush=True)
