"""Members managing their own access: changing their password, an admin's reset (the member then sets their own),
and a forgotten password replaced with a one-time code sent to the phone."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError
from partyday_directory import access, audit, members, orgs, public_codes, sessions
from partyday_directory.models import Member
from partyday_directory.models import Session as Login
from partyday_directory.passwords import hash_password, verify_password


def _set_password(member: Member, password: str, min_length: int, must_change: bool, unchanged: bool = False) -> None:
    access.check_new_password(password, min_length, unchanged)
    member.password_hash = hash_password(password)
    member.must_change_password = must_change
    member.updated_at = utcnow()


def change(session: Session, member_id: str, session_id: str, current: str, new: str, min_length: int) -> dict:
    """A member's new password, the current one required (403 PASSWORD_WRONG, counted as a failed login from
    the caller's address); every other session of the member ends, the caller's own goes on."""
    member = members.get(session, member_id)
    if not verify_password(member.password_hash, current):
        sessions.record_failure(session, member.phone)
        return {"ok": False}
    _set_password(member, new, min_length, must_change=False, unchanged=new == current)
    for login in session.scalars(
        select(Login).where(Login.subject == member.id, Login.revoked_at.is_(None), Login.id != session_id)
    ):
        sessions.revoke(session, login.id, "password_changed")
    audit.record(session, "member.password_change", "member", member.id, _branch_path(session, member))
    return {"ok": True, "member_id": member.id, "password_change_required": False}


def reset(session: Session, member_id: str, password: str, min_length: int) -> dict:
    """An admin's reset: the member's password becomes `password`, which they must change at their next login;
    every session of theirs ends. Audited as `member.password_reset`."""
    member = members.get(session, member_id)
    if not member.active:
        raise DomainError("MEMBER_INACTIVE", "this member has left the organisation", 409)
    _set_password(member, password, min_length, must_change=True)
    sessions.revoke_all(session, member.id, "password_reset")
    audit.record(session, "member.password_reset", "member", member.id, _branch_path(session, member))
    return {"member_id": member.id, "password_change_required": True}


def issue_reset_code(session: Session, phone: str, secret: str, per_address: int) -> tuple[str, bool]:
    """A code to replace a forgotten password, and whether the phone has an account to send it to: the same
    limits and the same answer either way, so the answer does not tell who has an account."""
    code = public_codes.issue_code(session, phone, secret, "reset", per_address)
    member = session.scalar(select(Member).where(Member.phone == phone))
    return code, member is not None and member.active and member.password_hash is not None


def reset_forgotten(
    session: Session, phone: str, code: str, password: str, secret: str, min_length: int, per_address: int
) -> dict:
    """A forgotten password replaced with the code sent to the phone: wrong codes count against the address;
    every session of the member ends."""
    sessions.check_address(session, per_address)
    if not public_codes.check_code(session, phone, code, secret, "reset"):
        sessions.record_failure(session, phone)
        return {"ok": False}
    member = session.scalar(select(Member).where(Member.phone == phone))
    if member is None or not member.active:
        return {"ok": False}
    _set_password(member, password, min_length, must_change=False)
    sessions.revoke_all(session, member.id, "password_reset")
    audit.record(session, "member.password_forgotten", "member", member.id, _branch_path(session, member))
    return {"ok": True}


def _branch_path(session: Session, member: Member) -> str | None:
    return orgs.get(session, member.branch_id).path if member.branch_id else None
