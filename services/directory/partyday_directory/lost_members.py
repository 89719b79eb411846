"""The lost-contact register (组织找党员), per subtree: an entry per member out of contact (since when, the last
known branch and contact), the steps taken to find them (what, when, by whom), and its outcome: found (back in
contact) or transferred to another branch (through the transfer rule of `members`).

The member's `lost_contact` flag follows the register: registering sets it, closing the entry either way clears
it, each change announced with the member. A member has one open entry at most."""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.pagination import page_bounds
from partyday_directory import audit, members, orgs
from partyday_directory.models import LostMember, LostMemberStep, Member, Org
from partyday_directory_contracts.events import MemberUpdated
from partyday_directory_contracts.rpc import (
    LostMemberFound,
    LostMemberRegister,
    LostMemberStepCreate,
    LostMemberTransferred,
    LostMemberView,
)

STATUSES = ("open", "found", "transferred")
# The latest local time anywhere (UTC+14): a day that has begun somewhere is not in the future.
LATEST_OFFSET = timedelta(hours=14)


def check_since(since: date, now: datetime) -> date:
    """The day the member was last in contact: not a day still to come (422 SINCE_IN_FUTURE)."""
    if since > (now + LATEST_OFFSET).date():
        raise DomainError("SINCE_IN_FUTURE", "the day contact was lost has not come yet", 422, {"since": str(since)})
    return since


def check_status(status: str | None) -> str | None:
    """A list's status filter: none, or one of open, found, transferred (else 400 STATUS_INVALID)."""
    if status is not None and status not in STATUSES:
        raise invalid("STATUS_INVALID", f"status is one of {', '.join(STATUSES)}", status=status)
    return status


def get(session: Session, entry_id: str) -> LostMember:
    entry = session.get(LostMember, entry_id)
    if entry is None:
        raise not_found("lost_member", entry_id)
    return entry


def open_entry(session: Session, entry_id: str) -> LostMember:
    """An entry still open; a found or transferred one is closed (409 ENTRY_CLOSED)."""
    entry = get(session, entry_id)
    if entry.status != "open":
        raise DomainError("ENTRY_CLOSED", "this entry is closed", 409, {"status": entry.status})
    return entry


def _flag(session: Session, member: Member, lost: bool, path: str | None) -> None:
    member.lost_contact = lost
    member.updated_at = utcnow()
    emit(session, "member_updated", MemberUpdated(**members.event_data(member, path)).model_dump(mode="json"))


def register(session: Session, request: LostMemberRegister, now: datetime) -> dict:
    """Enter an active member of a branch in the register (409 ALREADY_REGISTERED while an entry of theirs is
    open, 409 MEMBER_INACTIVE for one who left); their flag is set."""
    since = check_since(request.since, now)
    member = members.get(session, request.member_id)
    if not member.active:
        raise DomainError("MEMBER_INACTIVE", "this member has left the organisation", 409)
    home = members.branch(session, member.branch_id) if member.branch_id else None
    if home is None:
        raise DomainError("BRANCH_REQUIRED", "only a member of a branch is registered", 422)
    if session.scalar(select(LostMember.id).where(LostMember.open_member_id == member.id)):
        raise DomainError("ALREADY_REGISTERED", "this member already has an open entry", 409)
    entry = LostMember(
        id=uuid.uuid4().hex,
        member_id=member.id,
        open_member_id=member.id,
        last_branch_id=home.id,
        last_branch_path=home.path,
        since=since,
        last_contact=request.last_contact,
        status="open",
        registered_by=session.info.get("actor_id"),
        registered_at=now,
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError("ALREADY_REGISTERED", "this member already has an open entry", 409)
    _flag(session, member, True, home.path)
    audit.record(session, "lost_member.register", "lost_member", entry.id, home.path, {"member_id": member.id})
    return view(session, entry)


def add_step(session: Session, entry_id: str, request: LostMemberStepCreate, now: datetime) -> dict:
    """Keep a step taken to find the member of an open entry."""
    entry = open_entry(session, entry_id)
    actor = session.info.get("actor_id")
    session.add(LostMemberStep(entry_id=entry.id, what=request.what, taken_by=actor, taken_at=now))
    audit.record(session, "lost_member.step", "lost_member", entry.id, entry.last_branch_path, {"what": request.what})
    return view(session, entry)


def _close(session: Session, entry: LostMember, status: str, note: str | None, now: datetime) -> None:
    entry.status = status
    entry.open_member_id = None
    entry.closed_by = session.info.get("actor_id")
    entry.closed_at = now
    entry.outcome_note = note


def found(session: Session, entry_id: str, request: LostMemberFound, now: datetime) -> dict:
    """The member is back in contact: the entry closes as found and their flag is cleared."""
    entry = open_entry(session, entry_id)
    member = members.get(session, entry.member_id)
    _close(session, entry, "found", request.note, now)
    path = orgs.get(session, member.branch_id).path if member.branch_id else entry.last_branch_path
    _flag(session, member, False, path)
    audit.record(session, "lost_member.found", "lost_member", entry.id, entry.last_branch_path, {"note": request.note})
    return view(session, entry)


def transferred(session: Session, entry_id: str, request: LostMemberTransferred, now: datetime) -> dict:
    """The member's relation goes to another branch (the transfer rule: an active member, a branch, not their
    own): the entry closes as transferred and their flag is cleared."""
    entry = open_entry(session, entry_id)
    members.transfer(session, entry.member_id, request.to_org_id, request.note or "组织找党员")
    member = members.get(session, entry.member_id)
    _close(session, entry, "transferred", request.note, now)
    entry.transferred_to_org_id = request.to_org_id
    _flag(session, member, False, orgs.get(session, request.to_org_id).path)
    details = {"to_org_id": request.to_org_id, "note": request.note}
    audit.record(session, "lost_member.transferred", "lost_member", entry.id, entry.last_branch_path, details)
    return view(session, entry)


def _views(session: Session, entries: list[LostMember]) -> list[dict]:
    ids = [entry.id for entry in entries]
    steps = session.scalars(
        select(LostMemberStep).where(LostMemberStep.entry_id.in_(ids)).order_by(LostMemberStep.id)
    ).all()
    people = {entry.member_id for entry in entries} | {step.taken_by for step in steps if step.taken_by}
    names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(people))).all())
    branches = {entry.last_branch_id for entry in entries}
    branch_names = dict(session.execute(select(Org.id, Org.name).where(Org.id.in_(branches))).all())
    return [
        LostMemberView(
            entry_id=entry.id,
            member_id=entry.member_id,
            member_name=names.get(entry.member_id, ""),
            last_branch_id=entry.last_branch_id,
            last_branch_name=branch_names.get(entry.last_branch_id, ""),
            since=entry.since,
            last_contact=entry.last_contact,
            status=entry.status,
            registered_by=entry.registered_by,
            registered_at=entry.registered_at,
            closed_by=entry.closed_by,
            closed_at=entry.closed_at,
            outcome_note=entry.outcome_note,
            transferred_to_org_id=entry.transferred_to_org_id,
            steps=[
                {
                    "what": step.what,
                    "taken_by": step.taken_by,
                    "taken_by_name": names.get(step.taken_by),
                    "taken_at": step.taken_at,
                }
                for step in steps
                if step.entry_id == entry.id
            ],
        ).model_dump(mode="json")
        for entry in entries
    ]


def view(session: Session, entry: LostMember) -> dict:
    session.flush()
    return _views(session, [entry])[0]


def find(session: Session, entry_id: str) -> dict:
    """One entry with its steps."""
    return view(session, get(session, entry_id))


def page_under(session: Session, org_id: str, status: str | None, page: int, page_size: int) -> dict:
    """Entries whose last known branch is in the subtree of `org_id`, newest registered first, one page of them,
    each with its steps; `status` narrows them."""
    offset, limit = page_bounds(page, page_size)
    status = check_status(status)
    org = orgs.get(session, org_id)
    query = select(LostMember).where(LostMember.last_branch_path.startswith(org.path, autoescape=True))
    if status is not None:
        query = query.where(LostMember.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    entries = session.scalars(
        query.order_by(LostMember.registered_at.desc(), LostMember.id).offset(offset).limit(limit)
    ).all()
    return {"items": _views(session, list(entries)), "total": total, "page": page, "page_size": page_size}


def open_counts(session: Session, org_id: str) -> dict:
    """Open entries in the subtree of `org_id`, and under each of its children (by name)."""
    org = orgs.get(session, org_id)
    is_open = LostMember.status == "open"
    under = LostMember.last_branch_path.startswith(org.path, autoescape=True)
    total = session.scalar(select(func.count(LostMember.id)).where(is_open, under))
    rows = session.execute(
        select(Org.id, Org.name, func.count(LostMember.id))
        .outerjoin(LostMember, is_open & LostMember.last_branch_path.startswith(Org.path))
        .where(Org.parent_id == org.id)
        .group_by(Org.id, Org.name)
        .order_by(Org.name, Org.id)
    ).all()
    children = [{"org_id": child_id, "name": name, "open": count} for child_id, name, count in rows]
    return {"org_id": org.id, "open": total, "children": children}
