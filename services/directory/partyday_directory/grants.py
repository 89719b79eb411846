"""Role grants: a role bound to a member at a node of the tree, covering its subtree."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, invalid
from partyday_common.pagination import page_bounds
from partyday_directory import access, audit
from partyday_directory.models import Member, Org, RoleGrant
from partyday_directory_contracts.events import RoleGranted, RoleRevoked


def grant(session: Session, member_id: str, role: str, org_id: str) -> dict:
    """Bind `role` to an active member at a node of the level the role governs; once per member, role and node.
    The acting member (the session's `actor_id`; none for an operator) grants only what `access.check_granter`
    allows, and nobody sits on both bodies of an evaluation (`access.check_bodies_apart`)."""
    member = session.get(Member, member_id)
    if member is None or not member.active:
        raise DomainError("MEMBER_NOT_FOUND", f"member {member_id} does not exist or has left", 404)
    org = session.get(Org, org_id)
    if org is None:
        raise DomainError("ORG_NOT_FOUND", f"org {org_id} does not exist", 404)
    access.check_grant(role, org.level)
    _check_granter(session, member, role, org)
    access.check_bodies_apart(role, of_member(session, member_id), org.path)
    if holds(session, member_id, role, org_id):
        raise DomainError("GRANT_EXISTS", "the member already holds this role here", 409)
    role_grant = RoleGrant(
        id=uuid.uuid4().hex,
        member_id=member_id,
        role=role,
        org_id=org_id,
        granted_at=utcnow(),
        granted_by=session.info.get("actor_id"),
    )
    session.add(role_grant)
    audit.record(
        session,
        "role.grant",
        "role_grant",
        role_grant.id,
        org.path,
        {"member_id": member_id, "role": role, "org_id": org_id},
    )
    granted = {"grant_id": role_grant.id, "member_id": member_id, "role": role, "org_id": org_id, "org_path": org.path}
    emit(session, "role_granted", RoleGranted(**granted).model_dump(mode="json"))
    return granted


def _check_granter(session: Session, member: Member, role: str, org: Org, revoking: bool = False) -> None:
    """The acting member's right to grant or revoke `role` at `org` for `member`; an operator's (no actor, or the
    first start's) is whole."""
    granter_id = session.info.get("actor_id")
    if granter_id in (None, access.BOOTSTRAP_ACTOR):
        return
    branch_path = session.scalar(select(Org.path).where(Org.id == member.branch_id)) if member.branch_id else None
    access.check_granter(
        granter_id,
        of_member(session, granter_id),
        member.id,
        branch_path,
        role,
        org.path,
        org.parent_id is None,
        revoking,
    )


def holds(session: Session, member_id: str, role: str, org_id: str) -> bool:
    """Whether the member holds the role at this node now."""
    return (
        session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.member_id == member_id,
                RoleGrant.role == role,
                RoleGrant.org_id == org_id,
                RoleGrant.revoked_at.is_(None),
            )
        )
        is not None
    )


def find(session: Session, grant_id: str, active_only: bool = True) -> dict:
    """A grant with the path of its node; with `active_only`, a revoked one is not found."""
    query = select(RoleGrant, Org.path).join(Org, RoleGrant.org_id == Org.id).where(RoleGrant.id == grant_id)
    if active_only:
        query = query.where(RoleGrant.revoked_at.is_(None))
    row = session.execute(query).first()
    if row is None:
        raise DomainError("GRANT_NOT_FOUND", f"grant {grant_id} does not exist or was revoked", 404)
    role_grant, path = row
    return {
        "grant_id": role_grant.id,
        "member_id": role_grant.member_id,
        "role": role_grant.role,
        "org_id": role_grant.org_id,
        "org_path": path,
        "active": role_grant.revoked_at is None,
    }


def revoke(session: Session, grant_id: str) -> dict:
    """End an active grant; the acting member takes back only what they could have granted."""
    found = find(session, grant_id)
    role_grant = session.get(RoleGrant, grant_id)
    member, org = session.get(Member, role_grant.member_id), session.get(Org, role_grant.org_id)
    if session.info.get("actor_id") != member.id:
        _check_granter(session, member, role_grant.role, org, revoking=True)
    role_grant.revoked_at = utcnow()
    audit.record(
        session,
        "role.revoke",
        "role_grant",
        grant_id,
        found["org_path"],
        {"member_id": found["member_id"], "role": found["role"]},
    )
    emit(session, "role_revoked", RoleRevoked(**found).model_dump(mode="json"))
    return {**found, "active": False}


def of_member(session: Session, member_id: str) -> list[dict]:
    """A member's active grants with the paths of their nodes."""
    rows = session.execute(
        select(RoleGrant.role, Org.path)
        .join(Org, RoleGrant.org_id == Org.id)
        .where(RoleGrant.member_id == member_id, RoleGrant.revoked_at.is_(None))
    ).all()
    return [{"role": role, "org_path": path} for role, path in rows]


def page(session: Session, org_id: str | None, member_id: str | None, page: int, page_size: int) -> dict:
    """Active grants, one page of them, newest first, each with its member's and its node's names: those at the
    nodes of the subtree of `org_id`, or those of the member `member_id` (one of the two, or both)."""
    offset, limit = page_bounds(page, page_size)
    if not org_id and not member_id:
        raise invalid("FILTER_REQUIRED", "grants are listed by org_id or member_id")
    query = (
        select(RoleGrant, Member.name, Org.name, Org.path)
        .join(Member, RoleGrant.member_id == Member.id)
        .join(Org, RoleGrant.org_id == Org.id)
        .where(RoleGrant.revoked_at.is_(None))
    )
    if org_id:
        root = session.get(Org, org_id)
        if root is None:
            raise DomainError("ORG_NOT_FOUND", f"org {org_id} does not exist", 404)
        query = query.where(Org.path.startswith(root.path, autoescape=True))
    if member_id:
        query = query.where(RoleGrant.member_id == member_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(RoleGrant.granted_at.desc(), RoleGrant.id).offset(offset).limit(limit)).all()
    items = [
        {
            "grant_id": role_grant.id,
            "member_id": role_grant.member_id,
            "member_name": member_name,
            "role": role_grant.role,
            "org_id": role_grant.org_id,
            "org_name": org_name,
            "org_path": path,
            "granted_at": role_grant.granted_at.isoformat(),
        }
        for role_grant, member_name, org_name, path in rows
    ]
    return {"items": items, "total": total, "page": page, "page_size": page_size}
