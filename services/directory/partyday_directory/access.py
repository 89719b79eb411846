"""Rules of accounts and roles, as plain functions."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from partyday_common.errors import DomainError, invalid
from partyday_directory_contracts.rpc import normalise_phone

ROLE_LEVELS = {
    "branch_admin": {"branch"},
    "org_admin": {"county", "township", "general_branch"},
    "city_admin": {"city"},
    "auditor": {"city", "county", "township", "general_branch", "branch"},
    # The two bodies of an evaluation (最佳/优秀主题党日, 金点子), which an organisation above the branches holds.
    "working_group": {"city", "county", "township", "general_branch"},
    "committee": {"city", "county", "township", "general_branch"},
}

LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5
CODE_LIFETIME = timedelta(minutes=5)
CODE_RESEND_AFTER = timedelta(seconds=60)
CODES_PER_DAY = 10
CODE_DAY = timedelta(days=1)
CODE_ATTEMPTS_ALLOWED = 5


def check_grant(role: str, org_level: str) -> None:
    """A role is bound to a node of the level it governs; membership itself is implicit."""
    if role == "member":
        raise DomainError("ROLE_IMPLICIT", "every member has the member role in their own branch", 422)
    levels = ROLE_LEVELS.get(role)
    if levels is None:
        raise DomainError("ROLE_UNKNOWN", f"unknown role {role}", 400, {"allowed": sorted(ROLE_LEVELS)})
    if org_level not in levels:
        raise DomainError(
            "ROLE_LEVEL_INVALID",
            f"a {role} is granted on a {' or '.join(sorted(levels))}",
            422,
            {"role": role, "org_level": org_level, "allowed_levels": sorted(levels)},
        )


def login_locked_until(failure_times: list[datetime], now: datetime) -> datetime | None:
    """After too many failures within the window, logins wait until the oldest one ages out."""
    recent = sorted(t for t in failure_times if now - t < LOGIN_FAILURE_WINDOW)
    if len(recent) < LOGIN_FAILURES_ALLOWED:
        return None
    return recent[-LOGIN_FAILURES_ALLOWED] + LOGIN_FAILURE_WINDOW


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_digest(phone: str, code: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def public_subject(phone: str, secret: str) -> str:
    """A stable voter id that does not reveal the phone number."""
    return "public:" + hmac.new(secret.encode(), phone.encode(), hashlib.sha256).hexdigest()[:32]


def retry_after_seconds(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds()) + 1)


def phone_of(value: str) -> str:
    """A phone number given to an RPC, normalised, or 400 PHONE_INVALID."""
    try:
        return normalise_phone(value)
    except ValueError as exc:
        raise invalid("PHONE_INVALID", str(exc))
