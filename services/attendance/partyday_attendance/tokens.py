"""The tokens in QR codes: signed for one activity, with rotating keys and optional 30 s steps.

A token is `base64url(claims).base64url(hmac_sha256(key, claims))`; its key id lets old
codes keep working while a new key signs new ones. A rotating code (for a screen at the
venue) carries a 30-second step: only the current and the previous step are accepted online, and an offline
scan made with it must claim a time within a step of it, which a poster's token cannot prove.
"""

import base64
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from partyday_common.errors import DomainError

STEP_SECONDS = 30


@dataclass(frozen=True)
class Claims:
    activity_id: str
    key_id: str
    expires_at: datetime
    step: int | None
    token_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def sign(activity_id: str, keys: dict[str, str], expires_at: datetime, step: int | None = None) -> str:
    """A token for the activity, signed with the current (first) key."""
    key_id, secret = next(iter(keys.items()))
    claims = {"a": activity_id, "k": key_id, "e": math.ceil(expires_at.timestamp())}
    if step is not None:
        claims["s"] = step
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(token: str, activity_id: str, keys: dict[str, str], now: datetime, offline: bool = False) -> Claims:
    """The token's claims if it is genuine, for this activity and current; TOKEN_INVALID or TOKEN_EXPIRED. An
    offline scan (`now` is its `scanned_at`) with a rotating token is judged at the token's step: the time it
    claims must fall within one step of it, else SCAN_TIME_MISMATCH.

    The signature is compared in its canonical text form before any claim is read, so a re-encoded
    signature never passes as a different token and a forged body is never parsed.
    """
    claims = _genuine_claims(token, keys)
    if claims is None or claims.get("a") != activity_id:
        raise DomainError("TOKEN_INVALID", "this code is not the sign-in code of this activity", 422)
    if now.timestamp() > claims["e"]:
        raise DomainError("TOKEN_EXPIRED", "this code has expired", 422)
    step = claims.get("s")
    if step is not None and offline and abs(step_of(now) - step) > 1:
        raise DomainError(
            "SCAN_TIME_MISMATCH",
            "this scan claims a time the screen's code was not shown at",
            422,
            {
                "code_shown_at": datetime.fromtimestamp(step * STEP_SECONDS, timezone.utc).isoformat(),
                "scanned_at": now.isoformat(),
            },
        )
    if step is not None and not offline and step_of(now) - step not in (0, 1):
        raise DomainError("TOKEN_EXPIRED", "this rotating code has moved on; scan the screen again", 422)
    return Claims(
        activity_id=claims["a"],
        key_id=claims["k"],
        step=step,
        expires_at=datetime.fromtimestamp(claims["e"], timezone.utc),
        token_id=hashlib.sha256(token.encode()).hexdigest()[:32],
    )


def _genuine_claims(token, keys: dict[str, str]) -> dict | None:
    if not isinstance(token, str) or not token.isascii() or token.count(".") != 1:
        return None
    body, mac = token.split(".")
    for key_id, secret in keys.items():
        expected = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
        if hmac.compare_digest(expected, mac):
            try:
                claims = json.loads(_unb64(body))
            except (ValueError, RecursionError):
                return None
            valid = (
                isinstance(claims, dict)
                and claims.get("k") == key_id
                and isinstance(claims.get("a"), str)
                and isinstance(claims.get("e"), int)
                and isinstance(claims.get("s", 0), int)
            )
            return claims if valid else None
    return None
