"""Members: joining, changes, transfers between branches (with history), leaving."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.pagination import page_bounds
from partyday_directory import audit, grants, orgs, sessions
from partyday_directory.models import LostMember, Member, MemberTransfer, Org
from partyday_directory.passwords import hash_password
from partyday_directory_contracts.events import MemberJoined, MemberLeft, MemberTransferred, MemberUpdated
from partyday_directory_contracts.rpc import MemberCreate, MemberUpdate, MemberView


def view(member: Member) -> dict:
    return MemberView(
        member_id=member.id,
        name=member.name,
        phone=member.phone,
        branch_id=member.branch_id,
        mobile=member.mobile,
        probationary=member.probationary,
        lost_contact=member.lost_contact,
        active=member.active,
        joined_on=member.joined_on,
    ).model_dump(mode="json")


def event_data(member: Member, branch_path: str | None) -> dict:
    return {
        "member_id": member.id,
        "name": member.name,
        "branch_id": member.branch_id,
        "branch_path": branch_path,
        "mobile": member.mobile,
        "probationary": member.probationary,
        "lost_contact": member.lost_contact,
        "active": member.active,
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
    }


def get(session: Session, member_id: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise not_found("member", member_id)
    return member


def branch(session: Session, org_id: str) -> Org:
    org = orgs.get(session, org_id)
    if org.level != "branch":
        raise DomainError("BRANCH_REQUIRED", "members belong to a branch", 422, {"org_id": org_id, "level": org.level})
    return org


def create(session: Session, request: MemberCreate, password_hash: str | None = None) -> dict:
    home = branch(session, request.branch_id)
    if session.scalar(select(Member.id).where(Member.phone == request.phone)):
        raise DomainError("PHONE_TAKEN", "this phone number already has an account", 409)
    member = Member(
        id=uuid.uuid4().hex,
        name=request.name,
        phone=request.phone,
        branch_id=home.id,
        probationary=request.probationary,
        mobile=request.mobile,
        lost_contact=request.lost_contact,
        joined_on=request.joined_on,
        active=True,
        created_at=utcnow(),
        password_hash=password_hash or (hash_password(request.password) if request.password else None),
    )
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError("PHONE_TAKEN", "this phone number already has an account", 409)
    emit(session, "member_joined", MemberJoined(**event_data(member, home.path)).model_dump(mode="json"))
    audit.record(session, "member.create", "member", member.id, home.path, {"branch_id": home.id})
    return view(member)


def update(session: Session, member_id: str, request: MemberUpdate) -> dict:
    member = get(session, member_id)
    changes = request.model_dump(exclude_unset=True)
    if changes.get("lost_contact") is False and session.scalar(
        select(LostMember.id).where(LostMember.open_member_id == member.id)
    ):
        raise DomainError(
            "LOST_ENTRY_OPEN", "the member is in the lost-contact register: mark them found or transferred there", 409
        )
    for field, value in changes.items():
        if value is None:
            continue
        if field == "password":
            member.password_hash = hash_password(value)
            sessions.revoke_all(session, member.id, "password_changed")
        else:
            setattr(member, field, value)
    member.updated_at = utcnow()
    path = orgs.get(session, member.branch_id).path if member.branch_id else None
    emit(session, "member_updated", MemberUpdated(**event_data(member, path)).model_dump(mode="json"))
    audit.record(session, "member.update", "member", member.id, path, {"fields": sorted(changes)})
    return view(member)


MAX_REASON_LENGTH = 500


def checked_reason(reason) -> str | None:
    """A transfer's or a leave's reason: none, or text of 1 to 500 characters (else 400 REASON_INVALID)."""
    if reason is None:
        return None
    if not isinstance(reason, str) or not 0 < len(reason.strip()) <= MAX_REASON_LENGTH:
        raise invalid("REASON_INVALID", f"a reason is 1 to {MAX_REASON_LENGTH} characters")
    return reason.strip()


def transfer(session: Session, member_id: str, to_org_id: str, reason: str | None = None) -> dict:
    """Move a member to another branch; the move is kept in the member's history, its reason in the audit log."""
    reason = checked_reason(reason)
    member = get(session, member_id)
    if not member.active:
        raise DomainError("MEMBER_INACTIVE", "this member has left the organisation", 409)
    destination = branch(session, to_org_id)
    if member.branch_id == destination.id:
        raise DomainError("ALREADY_IN_BRANCH", "the member already belongs to this branch", 409)
    origin = member.branch_id
    session.add(
        MemberTransfer(
            member_id=member.id,
            from_org_id=origin,
            to_org_id=destination.id,
            transferred_at=utcnow(),
            actor_id=session.info.get("actor_id"),
        )
    )
    member.branch_id = destination.id
    member.updated_at = utcnow()
    emit(
        session,
        "member_transferred",
        MemberTransferred(**event_data(member, destination.path), from_branch_id=origin).model_dump(mode="json"),
    )
    details = {"from_org_id": origin, "to_org_id": destination.id, "reason": reason}
    for path in {destination.path, orgs.get(session, origin).path if origin else destination.path}:
        audit.record(session, "member.transfer", "member", member.id, path, details)
    return view(member)


def leave(session: Session, member_id: str, reason: str | None = None) -> dict:
    """Mark a member as having left and end their sessions; the reason goes to the audit log."""
    reason = checked_reason(reason)
    member = get(session, member_id)
    if not member.active:
        raise DomainError("MEMBER_INACTIVE", "this member has already left", 409)
    member.active = False
    member.updated_at = utcnow()
    path = orgs.get(session, member.branch_id).path if member.branch_id else None
    emit(session, "member_left", MemberLeft(**event_data(member, path)).model_dump(mode="json"))
    sessions.revoke_all(session, member.id, "member_left")
    audit.record(session, "member.leave", "member", member.id, path, {"reason": reason})
    return view(member)


def history(session: Session, member_id: str) -> list[dict]:
    get(session, member_id)
    moves = session.scalars(
        select(MemberTransfer).where(MemberTransfer.member_id == member_id).order_by(MemberTransfer.id)
    ).all()
    return [
        {
            "from_org_id": move.from_org_id,
            "to_org_id": move.to_org_id,
            "transferred_at": move.transferred_at.isoformat(),
            "actor_id": move.actor_id,
        }
        for move in moves
    ]


def profile(session: Session, member_id: str) -> dict:
    """A member with the path of their branch and their active role grants, for the gateway's scope checks."""
    member = get(session, member_id)
    path = orgs.get(session, member.branch_id).path if member.branch_id else None
    return {**view(member), "branch_path": path, "grants": grants.of_member(session, member_id)}


MAX_PHONES_PER_CALL = 1000


def phones(session: Session, member_ids: list[str]) -> dict[str, str]:
    """The phones of the active members among `member_ids` (at most MAX_PHONES_PER_CALL), by member id: the
    notifications service asks for them when it sends text messages, so contact data stays here."""
    if len(member_ids) > MAX_PHONES_PER_CALL:
        raise DomainError("TOO_MANY_MEMBERS", f"at most {MAX_PHONES_PER_CALL} members per call", 400)
    rows = session.execute(select(Member.id, Member.phone).where(Member.id.in_(member_ids), Member.active.is_(True)))
    return {member_id: phone for member_id, phone in rows}


MAX_QUERY_LENGTH = 50


def search_filters(filters: dict | None) -> dict:
    """The filters a page of members takes: `q` (1 to 50 characters, part of a name or a phone), `mobile` and
    `lost_contact` (true or false); anything else is 400 FILTER_INVALID."""
    filters = {key: value for key, value in (filters or {}).items() if value is not None}
    unknown = sorted(set(filters) - {"q", "mobile", "lost_contact"})
    if unknown:
        raise invalid("FILTER_INVALID", f"unknown filters: {', '.join(unknown)}", filters=unknown)
    if "q" in filters and (not isinstance(filters["q"], str) or not 0 < len(filters["q"].strip()) <= MAX_QUERY_LENGTH):
        raise invalid("FILTER_INVALID", f"q is 1 to {MAX_QUERY_LENGTH} characters", filter="q")
    for flag in ("mobile", "lost_contact"):
        if flag in filters and not isinstance(filters[flag], bool):
            raise invalid("FILTER_INVALID", f"{flag} is true or false", filter=flag)
    return filters


def page_under(session: Session, org_id: str, page: int, page_size: int, filters: dict | None = None) -> dict:
    """Active members of every branch in the subtree of `org_id` (a branch itself, or any node above), by name,
    one page of them, each with their branch's name; `filters` (`search_filters`) narrow them: `q` matches part
    of a name or of a phone number."""
    offset, limit = page_bounds(page, page_size)
    filters = search_filters(filters)
    org = orgs.get(session, org_id)
    query = (
        select(Member, Org.name)
        .join(Org, Member.branch_id == Org.id)
        .where(Org.path.startswith(org.path, autoescape=True), Member.active.is_(True))
    )
    if "q" in filters:
        text = filters["q"].strip()
        query = query.where(Member.name.contains(text, autoescape=True) | Member.phone.contains(text, autoescape=True))
    for flag in ("mobile", "lost_contact"):
        if flag in filters:
            query = query.where(getattr(Member, flag).is_(filters[flag]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.execute(query.order_by(Member.name, Member.id).offset(offset).limit(limit)).all()
    return {
        "items": [{**view(member), "branch_name": branch_name} for member, branch_name in found],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
