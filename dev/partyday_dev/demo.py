"""The demo organisation tree and accounts `partyday-dev run` loads through the gateway."""

import json
import urllib.error
import urllib.request

from partyday_directory.settings import get_settings

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


def http(
    method: str, url: str, body: dict | None = None, timeout: float = 5, token: str | None = None
) -> tuple[int, dict]:
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


def load_demo_data(base_url: str) -> int:
    """Create the demo tree and demo accounts through the gateway, as the city admin; what exists is kept."""
    settings = get_settings()
    status, body = http(
        "POST", f"{base_url}/api/v1/auth/login", {"phone": settings.admin_phone, "password": settings.admin_password}
    )
    if status != 200:
        raise RuntimeError(f"demo data: the city admin could not log in: {status} {body}")
    token = body["access_token"]
    ids: dict[str, str] = {}
    created = 0
    for code, parent_code, name, level, domain, kind in DEMO_TREE:
        status, body = http(
            "POST",
            f"{base_url}/api/v1/orgs",
            {
                "code": code,
                "name": name,
                "level": level,
                "domain": domain,
                "kind": kind,
                "parent_id": ids.get(parent_code),
            },
            token=token,
        )
        if status == 201:
            created += 1
        elif status == 409:
            status, body = http("GET", f"{base_url}/api/v1/orgs?code={code}", token=token)
        if status in (200, 201):
            ids[code] = body["org_id"]
        else:
            raise RuntimeError(f"demo data: creating {code} answered {status} {body}")
    for phone, name, branch, mobile, role, scope in DEMO_ACCOUNTS:
        status, body = http(
            "POST",
            f"{base_url}/api/v1/members",
            {
                "name": name,
                "phone": phone,
                "password": DEMO_PASSWORD,
                "branch_id": ids[branch],
                "mobile": mobile,
            },
            token=token,
        )
        if status == 201 and role:
            http(
                "POST",
                f"{base_url}/api/v1/role-grants",
                {"member_id": body["member_id"], "role": role, "org_id": ids[scope]},
                token=token,
            )
        elif status not in (201, 409):
            raise RuntimeError(f"demo data: creating the account {phone} answered {status} {body}")
    return created


def logins() -> list[tuple[str, str, str]]:
    """Phone, password and who, for the banner: the city admin, then every demo account."""
    settings = get_settings()
    return [(settings.admin_phone, settings.admin_password, "市委组织部管理员 city_admin")] + [
        (phone, DEMO_PASSWORD, f"{name} {ROLE_NAMES[role]}") for phone, name, _, _, role, _ in DEMO_ACCOUNTS
    ]
