"""Rules of accounts and roles, as plain functions."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

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

# Administrative roles by rank: an admin grants and revokes only roles ranked below their own.
ADMIN_RANKS = {"city_admin": 3, "org_admin": 2, "branch_admin": 1}
# The roles through which an admin grants at all; an auditor (read-only) and the two evaluation bodies rank below
# every one of them, so any of them may grant those within their subtree (the bodies only from above, below).
GRANTING_ROLES = frozenset({"org_admin", "city_admin"})
EVALUATION_BODIES = ("working_group", "committee")
# The actor of the first start's own acts (the city and its admin), an operator as a call without an actor is.
BOOTSTRAP_ACTOR = "bootstrap"

LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
# Failures for a phone from one address before each further attempt from there waits: 2 s, 4 s, 8 s ... 15 min.
LOGIN_FAILURES_BEFORE_DELAY = 3
# A phone failed from this many addresses, or this many times in all, within the window: the password alone
# no longer opens it, a one-time code sent to the phone must come with it.
SECOND_FACTOR_AFTER_ADDRESSES = 3
SECOND_FACTOR_AFTER_FAILURES = 10
ADDRESS_WINDOW = timedelta(minutes=1)
PASSWORD_MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
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


def check_granter(
    granter_id: str,
    granter_grants: list[dict],
    member_id: str,
    member_branch_path: str | None,
    role: str,
    node_path: str,
    at_root: bool,
    revoking: bool = False,
) -> None:
    """Whether the granter may give `role` at the node of `node_path` to the member: never to themselves, only at
    a node of their subtree, only to a member of their subtree, only a role below their own, and an evaluation
    body only from above the organisation it serves (at the city, from the city, above which there is nothing).
    Taking a role back (`revoking`) needs the same reach over the node and the role, wherever the member is now
    and whoever they are. `granter_grants` are the granter's active grants, each with `role` and `org_path`.
    403 with a reason code otherwise."""
    if granter_id == member_id and not revoking:
        raise DomainError("GRANT_SELF", "nobody grants a role to themselves", 403, {"role": role})
    granting = [g for g in granter_grants if g["role"] in GRANTING_ROLES]
    covering = [g for g in granting if node_path.startswith(g["org_path"])]
    if not covering:
        raise DomainError(
            "GRANT_OUT_OF_SCOPE", "the node is outside the subtrees where you grant roles", 403, {"role": role}
        )
    if not revoking and (
        member_branch_path is None or not any(member_branch_path.startswith(g["org_path"]) for g in granting)
    ):
        raise DomainError(
            "GRANT_MEMBER_OUT_OF_SCOPE", "the member is outside the subtrees where you grant roles", 403, {"role": role}
        )
    if role in ADMIN_RANKS and not any(ADMIN_RANKS[g["role"]] > ADMIN_RANKS[role] for g in covering):
        raise DomainError(
            "GRANT_ROLE_TOO_HIGH",
            "you grant only roles below your own here",
            403,
            {"role": role, "yours": sorted({g["role"] for g in covering})},
        )
    if role in EVALUATION_BODIES and not any(g["org_path"] != node_path or at_root for g in covering):
        raise DomainError(
            "GRANT_FROM_ABOVE",
            f"a {role} is granted from above the organisation it serves",
            403,
            {"role": role},
        )


def check_bodies_apart(role: str, member_bodies: list[dict], node_path: str) -> None:
    """One person does not sit on both bodies of one evaluation: a working group and a committee whose nodes lie
    on one line of the tree (one above or at the other) would both cover the evaluations of the lower one."""
    if role not in EVALUATION_BODIES:
        return
    other = next(body for body in EVALUATION_BODIES if body != role)
    for held in member_bodies:
        if held["role"] == other and (node_path.startswith(held["org_path"]) or held["org_path"].startswith(node_path)):
            raise DomainError(
                "BODIES_EXCLUSIVE",
                "one person cannot sit on both the working group and the committee of an evaluation",
                409,
                {"role": role, "holds": other, "org_path": held["org_path"]},
            )


def login_delayed_until(failure_times: list[datetime], now: datetime) -> datetime | None:
    """When the next attempt for a phone from one address may come, given that address's failures for it: at
    once for the first few, then after a delay that doubles with each failure, up to the window; None: now."""
    recent = sorted(t for t in failure_times if now - t < LOGIN_FAILURE_WINDOW)
    excess = len(recent) - LOGIN_FAILURES_BEFORE_DELAY
    if excess < 0:
        return None
    until = recent[-1] + min(timedelta(seconds=2 ** (excess + 1)), LOGIN_FAILURE_WINDOW)
    return until if until > now else None


def second_factor_needed(failures: list[tuple[str | None, datetime]], now: datetime) -> bool:
    """Whether a phone's recent failures, (address, time) each, show it tried from many addresses or many times:
    its owner then proves the phone with a one-time code besides the password, rather than being refused."""
    recent = [(address, t) for address, t in failures if now - t < LOGIN_FAILURE_WINDOW]
    addresses = {address for address, _ in recent}
    return len(addresses) >= SECOND_FACTOR_AFTER_ADDRESSES or len(recent) >= SECOND_FACTOR_AFTER_FAILURES


def address_limited_until(failure_times: list[datetime], now: datetime, per_minute: int) -> datetime | None:
    """When an address that failed `per_minute` times within the last minute may try again; None: now.
    Only failures count, so that a venue's members logging in together behind one address pass."""
    recent = sorted(t for t in failure_times if now - t < ADDRESS_WINDOW)
    if len(recent) < per_minute:
        return None
    return recent[-per_minute] + ADDRESS_WINDOW


@lru_cache
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords too common to choose, lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_new_password(password: str, min_length: int, old_hash_matches: bool = False) -> None:
    """A password a member chooses: long enough, not too long, not on the list of common ones, and not the one
    they had (422 with its reason code)."""
    if len(password) < min_length:
        raise DomainError(
            "PASSWORD_TOO_SHORT", f"a password has at least {min_length} characters", 422, {"min_length": min_length}
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(
            "PASSWORD_TOO_LONG",
            f"a password has at most {PASSWORD_MAX_LENGTH} characters",
            422,
            {"max_length": PASSWORD_MAX_LENGTH},
        )
    if password.lower() in common_passwords() or len(set(password)) < 3:
        raise DomainError("PASSWORD_TOO_COMMON", "this password is too common or too simple; choose another", 422)
    if old_hash_matches:
        raise DomainError("PASSWORD_UNCHANGED", "choose a password other than the current one", 422)


def second_factor_required(code_sent: bool, code_given: bool) -> DomainError:
    """401 SECOND_FACTOR_REQUIRED: the password was right, but this phone was tried from many addresses, so a
    one-time code sent to it must come with the password. `details.code`: `sent` (a new one just went), `pending`
    (the one sent a moment ago stands) or `wrong` (the one given was wrong)."""
    message = "the code sent to your phone is wrong" if code_given else "enter the code sent to your phone as well"
    state = "wrong" if code_given else "sent" if code_sent else "pending"
    return DomainError(
        "SECOND_FACTOR_REQUIRED", message, 401, {"code": state, "expires_in": int(CODE_LIFETIME.total_seconds())}
    )


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
