"""The organisation tree: placement rules as plain functions, and its changes."""

import uuid

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_directory import audit
from partyday_directory.models import Org
from partyday_directory_contracts.events import OrgCreated, OrgUpdated
from partyday_directory_contracts.rpc import OrgCreate, OrgSearch, OrgUpdate, OrgView

MAX_PATHS_ASKED = 500

ALLOWED_PARENTS = {
    "city": set(),
    "county": {"city"},
    "township": {"county"},
    "general_branch": {"township"},
    "branch": {"township", "general_branch"},
}


def check_placement(level: str, parent_level: str | None) -> None:
    """A node sits under a parent of the level just above it; only the city has none."""
    allowed = ALLOWED_PARENTS[level]
    if parent_level is None:
        if allowed:
            raise DomainError("ORG_PARENT_REQUIRED", f"a {level} needs a parent organisation", 422, {"level": level})
        return
    if parent_level not in allowed:
        raise DomainError(
            "ORG_LEVEL_INVALID",
            f"a {level} cannot sit under a {parent_level}",
            422,
            {"level": level, "parent_level": parent_level, "allowed_parent_levels": sorted(allowed)},
        )


def child_path(parent_path: str | None, org_id: str) -> str:
    return f"{parent_path or '/'}{org_id}/"


def check_move(org_path: str, new_parent_path: str) -> None:
    """A node cannot move under itself or its own descendants."""
    if new_parent_path.startswith(org_path):
        raise DomainError("ORG_MOVE_INTO_SUBTREE", "a node cannot move under itself or its own subtree", 422)


def view(org: Org) -> dict:
    return OrgView(
        org_id=org.id,
        code=org.code,
        name=org.name,
        parent_id=org.parent_id,
        level=org.level,
        domain=org.domain,
        kind=org.kind,
        path=org.path,
        venue_lat=org.venue_lat,
        venue_lon=org.venue_lon,
    ).model_dump()


def get(session: Session, org_id: str) -> Org:
    org = session.get(Org, org_id)
    if org is None:
        raise not_found("org", org_id)
    return org


def create(session: Session, request: OrgCreate) -> dict:
    parent = get(session, request.parent_id) if request.parent_id else None
    check_placement(request.level, parent.level if parent else None)
    if request.level == "city" and session.scalar(select(func.count()).select_from(Org).where(Org.level == "city")):
        raise DomainError("CITY_EXISTS", "the tree already has its city; there is one root", 409)
    org_id = uuid.uuid4().hex
    code = request.code or org_id[:12]
    if session.scalar(select(Org.id).where(Org.code == code)):
        raise DomainError("ORG_CODE_TAKEN", f"the code {code} is already used", 409, {"code": code})
    org = Org(
        id=org_id,
        code=code,
        name=request.name,
        parent_id=request.parent_id,
        level=request.level,
        domain=request.domain,
        kind=request.kind,
        path=child_path(parent.path if parent else None, org_id),
        venue_lat=request.venue_lat,
        venue_lon=request.venue_lon,
        created_at=utcnow(),
    )
    session.add(org)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError("ORG_CODE_TAKEN", f"the code {code} is already used", 409, {"code": code})
    result = view(org)
    emit(session, "org_created", OrgCreated(**result).model_dump(mode="json"))
    audit.record(session, "org.create", "org", org.id, org.path, {"name": org.name, "level": org.level})
    return result


def update(session: Session, org_id: str, request: OrgUpdate) -> dict:
    """Change a node's fields; a new parent moves its whole subtree, and every moved node is announced."""
    org = get(session, org_id)
    changes = request.model_dump(exclude_unset=True)
    moved = []
    old_path = org.path
    if "parent_id" in changes and changes["parent_id"] != org.parent_id:
        if changes["parent_id"] is None:
            raise DomainError("ORG_PARENT_REQUIRED", f"a {org.level} needs a parent organisation", 422)
        parent = get(session, changes["parent_id"])
        check_placement(org.level, parent.level)
        check_move(org.path, parent.path)
        old_prefix, new_prefix = org.path, child_path(parent.path, org.id)
        moved = session.scalars(select(Org).where(Org.path.startswith(old_prefix, autoescape=True))).all()
        for node in moved:
            node.path = new_prefix + node.path[len(old_prefix) :]
            node.updated_at = utcnow()
        org.parent_id = parent.id
    for field in ("name", "domain", "kind", "venue_lat", "venue_lon"):
        if field in changes and changes[field] is not None:
            setattr(org, field, changes[field])
    org.updated_at = utcnow()
    session.flush()
    for node in {org.id: org, **{node.id: node for node in moved}}.values():
        emit(session, "org_updated", OrgUpdated(**view(node)).model_dump(mode="json"))
    for path in {old_path, org.path}:
        audit.record(session, "org.update", "org", org.id, path, {"changes": changes, "moved_nodes": len(moved)})
    return view(org)


def find_by_code(session: Session, code: str) -> dict | None:
    """The node with this code, or None."""
    org = session.scalar(select(Org).where(Org.code == code))
    return view(org) if org else None


def children_page(session: Session, org_id: str, page: int, page_size: int) -> dict:
    """The direct children of a node, by name, one page of them."""
    offset, limit = page_bounds(page, page_size)
    get(session, org_id)
    total = session.scalar(select(func.count()).select_from(Org).where(Org.parent_id == org_id))
    children = session.scalars(
        select(Org).where(Org.parent_id == org_id).order_by(Org.name, Org.id).offset(offset).limit(limit)
    ).all()
    return {"items": [view(child) for child in children], "total": total, "page": page, "page_size": page_size}


def like_pattern(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (escaped with a backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_page(session: Session, request: OrgSearch, page: int, page_size: int) -> dict:
    """Nodes inside the subtrees `request.within` whose name contains `q` or whose code starts with it (case
    ignored), of `request.level` if given: those whose code starts with it first, then by name; one page of them."""
    offset, limit = page_bounds(page, page_size)
    literal = like_pattern(request.q.lower())
    code_hit = func.lower(Org.code).like(f"{literal}%", escape="\\")
    conditions = [
        or_(*(Org.path.startswith(path, autoescape=True) for path in request.within)),
        or_(code_hit, func.lower(Org.name).like(f"%{literal}%", escape="\\")),
    ]
    if request.level:
        conditions.append(Org.level == request.level)
    total = session.scalar(select(func.count()).select_from(Org).where(*conditions))
    found = session.scalars(
        select(Org)
        .where(*conditions)
        .order_by(case((code_hit, 0), else_=1), Org.name, Org.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return {"items": [view(org) for org in found], "total": total, "page": page, "page_size": page_size}


def paths(session: Session, org_ids: list[str]) -> dict[str, dict]:
    """Path, level and name of each known node (of the first 500 asked for), for the gateway's subtree checks."""
    org_ids = list(org_ids)[:MAX_PATHS_ASKED]
    rows = session.execute(select(Org.id, Org.path, Org.level, Org.name).where(Org.id.in_(org_ids))).all()
    return {row.id: {"path": row.path, "level": row.level, "name": row.name} for row in rows}
