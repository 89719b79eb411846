"""Who may do what where: roles, capabilities, and subtree checks.

A grant covers its node and everything below it (materialised paths); the member
role covers the member's own branch. Every route states the capability it needs on
the node it touches; a caller without a covering grant gets 403.
"""

import time
from collections import OrderedDict

from partyday_gateway.auth import AuthContextCache, Grant, Principal
from partyday_gateway.errors import ApiError

READ = frozenset({"branch_admin", "org_admin", "city_admin", "auditor"})
MANAGE_TREE = frozenset({"org_admin", "city_admin"})
MANAGE_MEMBERS = frozenset({"branch_admin", "org_admin", "city_admin"})
GRANT_ROLES = frozenset({"org_admin", "city_admin"})
READ_AUDIT = frozenset({"org_admin", "city_admin", "auditor"})
CITY = frozenset({"city_admin"})
PUBLISH_DIRECTIVES = frozenset({"org_admin", "city_admin"})
MANAGE_PLANS = frozenset({"branch_admin", "org_admin", "city_admin"})
REVIEW = frozenset({"org_admin", "city_admin"})
# What only the branch itself does, through its admin (the secretary): answering a rectification notice, proposing
# a golden idea. Its superiors manage its plans too, but they do not answer for it.
ANSWER_RECTIFICATIONS = frozenset({"branch_admin"})
PROPOSE_IDEAS = frozenset({"branch_admin"})
SPOT_CHECK = frozenset({"org_admin", "city_admin", "auditor"})
# Claimed and flagged attendance records are decided by a superior of the branch (never its own admin).
REVIEW_ATTENDANCE = frozenset({"org_admin", "city_admin"})
RUN_CAMPAIGNS = frozenset({"org_admin", "city_admin"})
# Evaluations: org and city admins open them and judge; the working group alone makes the first review and the
# committee alone the second and publishes the winners. Admins lost the reviews they made while the two bodies
# were not roles, so that those who mark are not those who choose; an admin who sits on a body gets its role too.
JUDGE = frozenset({"org_admin", "city_admin"})
WORKING_GROUP = frozenset({"working_group"})
COMMITTEE = frozenset({"committee"})
READ_EVALUATIONS = READ | WORKING_GROUP | COMMITTEE
# Question banks and quizzes: a secretary sets quizzes for their branch, an admin for their subtree.
MANAGE_QUIZZES = frozenset({"branch_admin", "org_admin", "city_admin"})

# Every capability by the name a 403 gives as `needs` and `/me` answers the caller's reach in.
CAPABILITIES: dict[str, frozenset] = {
    "read": READ,
    "manage_tree": MANAGE_TREE,
    "manage_members": MANAGE_MEMBERS,
    "grant_roles": GRANT_ROLES,
    "read_audit": READ_AUDIT,
    "create_city": CITY,
    "publish_directives": PUBLISH_DIRECTIVES,
    "manage_plans": MANAGE_PLANS,
    "review": REVIEW,
    "answer_rectifications": ANSWER_RECTIFICATIONS,
    "propose_ideas": PROPOSE_IDEAS,
    "spot_check": SPOT_CHECK,
    "review_attendance": REVIEW_ATTENDANCE,
    "run_campaigns": RUN_CAMPAIGNS,
    "judge": JUDGE,
    "working_group": WORKING_GROUP,
    "committee": COMMITTEE,
    "read_evaluations": READ_EVALUATIONS,
    "manage_quizzes": MANAGE_QUIZZES,
}
# The node a caller's work starts from is that of their widest administrative role.
HOME_ORDER = ("city_admin", "org_admin", "auditor", "branch_admin")


def reach(principal: Principal) -> dict[str, list[Grant]]:
    """Per capability, the grants through which the caller holds it (each covers its node's subtree), in the
    order the directory gave them, with no subtree repeated."""
    found: dict[str, list[Grant]] = {}
    for name, roles in CAPABILITIES.items():
        roots: dict[str, Grant] = {}
        for grant in principal.grants:
            if grant.role in roles:
                roots.setdefault(grant.org_path, grant)
        found[name] = [
            grant
            for path, grant in roots.items()
            if not any(path != other and path.startswith(other) for other in roots)
        ]
    return found


def home(principal: Principal) -> str | None:
    """The node the caller's work starts from: that of their widest administrative grant (city, organisation,
    auditor, branch, in that order), else of their first other grant; None without grants."""
    ranked = sorted(
        principal.grants,
        key=lambda grant: HOME_ORDER.index(grant.role) if grant.role in HOME_ORDER else len(HOME_ORDER),
    )
    return ranked[0].org_id if ranked else None


def forbidden(capability: str, org_id: str | None) -> ApiError:
    return ApiError(403, "FORBIDDEN", "your roles do not allow this here", {"needs": capability, "org_id": org_id})


class OrgPaths:
    """Paths of nodes, asked of the directory and kept briefly: moves are rare."""

    def __init__(self, rpc, ttl: float = 30.0, size: int = 20_000):
        self.rpc = rpc
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def forget(self) -> None:
        """After a move, paths of a whole subtree change: start afresh."""
        self._entries.clear()

    async def get(self, org_id: str, fresh: bool = False) -> dict:
        """A node's path; `fresh` asks the directory, as every write's check does, so that a move made
        through another gateway replica cannot leave a stale path granting reach for a while."""
        entry = self._entries.get(org_id)
        if not fresh and entry is not None and entry[0] > time.monotonic():
            return entry[1]
        found = (await self.rpc.call("directory", "org_paths", [org_id])).get(org_id)
        if found is None:
            raise ApiError(404, "ORG_NOT_FOUND", f"org {org_id} does not exist", {"id": org_id})
        self._entries[org_id] = (time.monotonic() + self.ttl, found)
        self._entries.move_to_end(org_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return found


class Authorizer:
    def __init__(self, org_paths: OrgPaths, auth_cache: AuthContextCache):
        self.org_paths = org_paths
        self.auth_cache = auth_cache

    def forget_member(self, member_id: str) -> None:
        """A member's roles changed: their next request asks the directory again."""
        self.auth_cache.forget_subject(member_id)

    async def require(
        self, principal: Principal, capability: frozenset, org_id: str, name: str, members_of_branch: bool = False
    ) -> dict:
        """The node, if the caller holds `capability` over it; else 403 (404 for an unknown node)."""
        # Auditors are read-only: a capability that admits them is a read, served from the cache.
        node = await self.org_paths.get(org_id, fresh="auditor" not in capability)
        if principal.covering(set(capability), node["path"]):
            return node
        if members_of_branch and principal.org_id == org_id:
            return node
        raise forbidden(name, org_id)

    async def require_body(self, principal: Principal, body: frozenset, org_id: str, code: str, message: str) -> dict:
        """The node, if the caller sits on `body` (the working group, the committee) of an organisation covering
        it; else 403 with the body's own reason `code`."""
        node = await self.org_paths.get(org_id, fresh=True)
        if principal.covering(set(body), node["path"]):
            return node
        raise ApiError(403, code, message, {"needs": sorted(body), "org_id": org_id})

    async def require_superior(
        self, principal: Principal, branch_id: str, name: str, capability: frozenset = REVIEW
    ) -> dict:
        """A superior of the branch reviews it; nobody reviews their own branch."""
        node = await self.require(principal, capability, branch_id, name)
        if principal.org_id == branch_id:
            raise ApiError(403, "OWN_BRANCH", "nobody reviews their own branch's work", {"org_id": branch_id})
        return node

    def require_anywhere(self, principal: Principal, capability: frozenset, name: str) -> None:
        if not any(grant.role in capability for grant in principal.grants):
            raise forbidden(name, None)


def readable_paths(principal: Principal) -> list[str]:
    """The subtrees whose records the caller may read (materialised paths): those of their reading and managing
    grants, and their own branch; what the services show of another record (an upload's earlier uses) stops there."""
    held = reach(principal)
    own = [principal.org_path] if principal.org_path else []
    return list(dict.fromkeys([grant.org_path for grant in held["read"] + held["manage_plans"]] + own))
