"""Every string the pages show exists in both languages (no browser needed)."""

import re
from pathlib import Path
from typing import get_args

from partyday_common.vocabulary import Domain, Kind, Level
from partyday_directory_contracts.imports import ImportState
from partyday_gateway.routes.activities import SheetRow
from partyday_gateway.routes.evaluations import Evaluation, Stage
from partyday_gateway.routes.media import MediaStatus
from partyday_gateway.routes.plans import Rectification, RectificationStep, Status
from partyday_notifications_contracts.rpc import CHANNELS, KINDS
from partyday_volunteers_contracts.rpc import STATES as VOLUNTEER_STATES

WEB = Path(__file__).resolve().parents[2] / "services" / "gateway" / "partyday_gateway" / "web"
SOURCE = (WEB / "static" / "i18n.js").read_text()
SCAN_REFUSALS = [
    "GEOFENCE_OUTSIDE",
    "LOCATION_TOO_INACCURATE",
    "WINDOW_NOT_OPEN",
    "WINDOW_CLOSED",
    "TOO_EARLY",
    "NOT_EXPECTED",
    "TOKEN_INVALID",
    "TOKEN_EXPIRED",
    "ALREADY_SIGNED_IN",
    "NOT_SIGNED_IN",
    "REFLECTION_REQUIRED",
    "GEO_DENIED",
    "GEO_UNAVAILABLE",
    "NETWORK",
]


def dictionary(name: str) -> list[str]:
    block = re.search(rf"const {name} = \{{(.*?)\n\}};", SOURCE, re.S).group(1)
    return re.findall(r"(?:^|[{,]\s*)'([\w.]+)':", block, re.M)


def keys_used() -> set[str]:
    namespaces = {key.split(".")[0] for key in dictionary("zh")}
    used = set()
    for script in (WEB / "static").rglob("*.js"):
        if script.name == "i18n.js":
            continue
        for literal in re.findall(r"'([a-z]+(?:\.[A-Za-z0-9_]+)+)'", script.read_text()):
            if literal.split(".")[0] in namespaces:
                used.add(literal)
    for page in WEB.glob("*.html"):
        used.update(re.findall(r'data-i18n="([\w.]+)"', page.read_text()))
    return used


def enumerated() -> set[str]:
    values = {
        "plan": get_args(Status),
        "att": get_args(SheetRow.model_fields["status"].annotation),
        "media": get_args(MediaStatus),
        "rect": get_args(Rectification.model_fields["status"].annotation),
        "eval.stage": get_args(Stage),
        "eval.kind": get_args(Evaluation.model_fields["kind"].annotation),
        "rectstep": get_args(RectificationStep.model_fields["act"].annotation),
        "domain": get_args(Domain),
        "level": get_args(Level),
        "kind": get_args(Kind),
        "import": get_args(ImportState),
        "overdue": ("plan", "summary"),
        "progress": ("planned", "approved", "held", "documented", "scored"),
        "rank.group": ("branches", "children"),
        "score": ("sign_in_rate", "mobile_like_rate", "upload_detail", "comments", "superior_score"),
        "score.status": ("pending", "scored"),
        "error": SCAN_REFUSALS,
        "notify.kind": KINDS,
        "notify.channel": CHANNELS,
        "volstate": VOLUNTEER_STATES,
        "vol.overdue": ("not_taken_in", "past_due"),
    }
    return {f"{prefix}.{value}" for prefix, names in values.items() for value in names}


def test_both_languages_have_the_same_keys_once():
    zh, en = dictionary("zh"), dictionary("en")
    assert len(zh) > 300
    assert sorted(key for key in set(zh) if zh.count(key) > 1) == []
    assert sorted(key for key in set(en) if en.count(key) > 1) == []
    assert sorted(set(zh) ^ set(en)) == []


def test_every_key_the_pages_use_is_translated():
    known = set(dictionary("zh"))
    assert sorted(keys_used() - known) == []
    assert sorted(enumerated() - known) == []
