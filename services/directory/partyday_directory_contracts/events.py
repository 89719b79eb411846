"""The payloads (`data` of the envelope) of the events the directory emits, version 1 each.

`EVENTS` maps each event type to its model; `SUBSCRIBED` names those some service consumes, which the
outbox publishes `mandatory` (a message no queue takes is then noticed, not lost).
"""

from datetime import date

from pydantic import AwareDatetime, BaseModel, Field

from partyday_common.vocabulary import Domain, Kind, Level

MAX_IMPORTED_PER_EVENT = 1000


class OrgNode(BaseModel):
    """A node of the organisation tree as events carry it; `path` is '/root-id/.../own-id/'."""

    org_id: str
    code: str
    name: str
    parent_id: str | None
    level: Level
    domain: Domain
    kind: Kind
    path: str
    venue_lat: float | None = None
    venue_lon: float | None = None


class OrgCreated(OrgNode):
    """`org_created`: a node was added to the tree."""


class OrgUpdated(OrgNode):
    """`org_updated`: a node changed; after a move, one per node of the moved subtree."""


class MemberEvent(BaseModel):
    """The member as events carry it (no phone: other services need no contact data)."""

    member_id: str
    name: str
    branch_id: str | None
    branch_path: str | None
    mobile: bool
    probationary: bool
    lost_contact: bool
    active: bool
    joined_on: date | None


class MemberJoined(MemberEvent):
    """`member_joined`: a member was added to a branch (created, imported or generated)."""


class MembersImported(BaseModel):
    """`members_imported`: a batch of a roster import became members of their branches; one event per batch
    (at most `MAX_IMPORTED_PER_EVENT` members) instead of a `member_joined` each, so that a city's roster
    crosses the bus as a few hundred messages rather than 208,000."""

    import_id: str
    members: list[MemberJoined] = Field(max_length=MAX_IMPORTED_PER_EVENT)


class MemberUpdated(MemberEvent):
    """`member_updated`: a member's flags or name changed."""


class MemberTransferred(MemberEvent):
    """`member_transferred`: a member moved from one branch to another."""

    from_branch_id: str | None


class MemberLeft(MemberEvent):
    """`member_left`: a member left the organisation (no longer active)."""


class RoleGrantEvent(BaseModel):
    """A role bound to a member at a node, as events carry it."""

    grant_id: str
    member_id: str
    role: str
    org_id: str
    org_path: str


class RoleGranted(RoleGrantEvent):
    """`role_granted`: a member now holds a role at a node (a branch's secretary is its `branch_admin`)."""


class RoleRevoked(RoleGrantEvent):
    """`role_revoked`: a role grant ended."""


class SessionEnded(BaseModel):
    """`session_ended`: a login was revoked (logout, reused refresh token, changed password, member left);
    its access tokens must stop working before they expire."""

    session_id: str
    subject: str
    reason: str
    ended_at: AwareDatetime


EVENTS: dict[str, type[BaseModel]] = {
    "org_created": OrgCreated,
    "org_updated": OrgUpdated,
    "member_joined": MemberJoined,
    "members_imported": MembersImported,
    "member_updated": MemberUpdated,
    "member_transferred": MemberTransferred,
    "member_left": MemberLeft,
    "role_granted": RoleGranted,
    "role_revoked": RoleRevoked,
    "session_ended": SessionEnded,
}

# Every service's tree projection follows org_*, attendance the rosters, notifications the members and their roles.
# Gateways follow session_ended on queues of their own that live only while they run (and catch up by RPC), so it
# is not published mandatory.
SUBSCRIBED: frozenset[str] = frozenset(
    {
        "org_created",
        "org_updated",
        "member_joined",
        "members_imported",
        "member_transferred",
        "member_left",
        "member_updated",
        "role_granted",
        "role_revoked",
    }
)
