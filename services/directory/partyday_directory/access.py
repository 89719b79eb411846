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

# Administrative roles by rank: an admin grants and revokes only roles ranked below their own.
ADMIN_RANKS = {"city_admin": 3, "org_admin": 2, "branch_admin": 1}
# The roles through which an admin grants at all; an auditor (read-only) and the two evaluation bodies rank below
# every one of them, so any of them may grant those within their subtree (the bodies only from above, below).
GRANTING_ROLES = frozenset({"org_admin", "city_admin"})
EVALUATION_BODIES = ("working_group", "committee")
# The actor of the first start's own acts (the city and its admin), an operator as a call without an actor is.
BOOTSTRAP_ACTOR = "bootstrap"

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
