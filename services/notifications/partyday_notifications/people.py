"""Who may be told, followed from the directory's events (members and their role grants), and who is told
what: a branch's secretary (its `branch_admin`), its members, the admins of the nearest organisation above it
that has any, an organisation's subtree."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.member_following import follow_batch, follow_one
from partyday_common.orgtree import get_node
from partyday_notifications import rules
from partyday_notifications.models import Recipient, RoleHolder, org_nodes

SUPERIOR_ROLES = ("org_admin", "city_admin")


def recipient_values(member) -> dict:
    return {
        "name": member.name,
        "branch_id": member.branch_id,
        "branch_path": member.branch_path,
        "active": member.active,
        "joined_on": member.joined_on,
    }


def follow_member(session: Session, member) -> None:
    """Insert or update a member from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    follow_one(session, Recipient, member, recipient_values)


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch (`members_imported`): the new members in one insert, any already known updated."""
    follow_batch(session, Recipient, members, recipient_values)


def follow_grant(session: Session, grant, active: bool) -> None:
    """Record a grant from `role_granted`, or end it from `role_revoked` (whichever arrives first)."""
    found = session.get(RoleHolder, grant.grant_id, with_for_update=True)
    if found is None:
        session.add(
            RoleHolder(
                grant_id=grant.grant_id,
                member_id=grant.member_id,
                role=grant.role,
                org_id=grant.org_id,
                org_path=grant.org_path,
                active=active,
            )
        )
    elif not active:
        found.active = False


def holders(session: Session, org_ids: list[str], roles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(org_id, member_id) of the active members holding one of `roles` at those nodes."""
    return list(
        session.execute(
            select(RoleHolder.org_id, RoleHolder.member_id)
            .join(Recipient, Recipient.member_id == RoleHolder.member_id)
            .where(
                RoleHolder.org_id.in_(org_ids),
                RoleHolder.role.in_(roles),
                RoleHolder.active.is_(True),
                Recipient.active.is_(True),
            )
            .order_by(RoleHolder.member_id)
        )
    )


def secretaries(session: Session, branch_id: str) -> list[str]:
    """The branch's secretaries: who holds `branch_admin` at it."""
    return [member_id for _, member_id in holders(session, [branch_id], ("branch_admin",))]


def superiors(session: Session, branch_path: str) -> list[str]:
    """The admins of the nearest organisation above the branch that has any."""
    above = rules.ancestors(branch_path)
    found = holders(session, above, SUPERIOR_ROLES)
    for org_id in above:
        nearest = sorted({member_id for holder_org, member_id in found if holder_org == org_id})
        if nearest:
            return nearest
    return []


def branch_members(session: Session, branch_id: str) -> list[str]:
    return list(
        session.scalars(
            select(Recipient.member_id)
            .where(Recipient.branch_id == branch_id, Recipient.active.is_(True))
            .order_by(Recipient.member_id)
        )
    )


def members_under(session: Session, path: str) -> list[str]:
    """The active members of every branch in the subtree at `path`."""
    return list(
        session.scalars(
            select(Recipient.member_id)
            .where(Recipient.branch_path.startswith(path, autoescape=True), Recipient.active.is_(True))
            .order_by(Recipient.member_id)
        )
    )


def name_of(session: Session, member_id: str) -> str:
    found = session.get(Recipient, member_id)
    return found.name if found else member_id


def branch_of(session: Session, member_id: str) -> str | None:
    found = session.get(Recipient, member_id)
    return found.branch_id if found else None


def org_name(session: Session, org_id: str) -> str:
    node = get_node(session, org_nodes, org_id)
    return node["name"] if node else ""


def org_path(session: Session, org_id: str) -> str | None:
    node = get_node(session, org_nodes, org_id)
    return node["path"] if node else None
