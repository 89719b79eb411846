"""Logins and their sessions: passwords with their throttles and second factor, rotating refresh tokens,
revocations announced with `session_ended`, and who a session's subject is now (its branch and role grants)."""

import uuid

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session as DbSession

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError
from partyday_directory import access, public_codes
from partyday_directory.models import LoginFailure, Member, Org, RoleGrant, Session
from partyday_directory.passwords import verify_password
from partyday_directory_contracts.events import SessionEnded


def open_session(session: DbSession, subject: str, kind: str) -> dict:
    login = Session(
        id=uuid.uuid4().hex,
        subject=subject,
        kind=kind,
        current_refresh_id=uuid.uuid4().hex,
        created_at=utcnow(),
        client_ip=session.info.get("client_ip"),
    )
    session.add(login)
    return {"subject": subject, "kind": kind, "session_id": login.id, "refresh_id": login.current_refresh_id}


def serialise_per_phone(session: DbSession, phone: str) -> None:
    """Concurrent logins or code requests for one phone take turns, so their counts hold (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:phone))"), {"phone": phone})


def client_address(session: DbSession) -> str:
    """The address of the client the gateway answers (`unknown` for a caller without one, such as a shell)."""
    return session.info.get("client_ip") or "unknown"


def refuse_if_limited(until, now) -> None:
    if until is not None:
        raise DomainError(
            "LOGIN_RATE_LIMITED",
            "too many failed attempts from this address; slow down",
            429,
            {"retry_after": access.retry_after_seconds(until, now)},
        )


def check_address(session: DbSession, per_minute: int) -> None:
    """429 LOGIN_RATE_LIMITED for an address that failed `per_minute` times within the last minute, whatever
    the phones; successful logins do not count."""
    now = utcnow()
    failed = session.scalars(
        select(LoginFailure.failed_at).where(
            LoginFailure.client_ip == client_address(session), LoginFailure.failed_at > now - access.ADDRESS_WINDOW
        )
    ).all()
    refuse_if_limited(access.address_limited_until([t for t in failed], now, per_minute), now)


def record_failure(session: DbSession, phone: str) -> None:
    """A wrong password or code for a phone from the caller's address; failures older than the window go."""
    now = utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - access.LOGIN_FAILURE_WINDOW))
    session.add(LoginFailure(phone=phone, client_ip=client_address(session), failed_at=now))


def authenticate(
    session: DbSession, phone: str, password: str, code: str | None, secret: str, per_address: int
) -> dict:
    """Check a member's password and open a session.

    A stranger cannot lock the owner out: failures slow down further attempts for the phone from the address
    they came from only (429 LOGIN_THROTTLED with the wait), and a phone failed from many addresses asks for a
    one-time code sent to it besides the password (answered `second_factor`, with the code to send when one is
    due) instead of refusing its owner. An address failing too often, whatever the phones, waits too.
    A failure is answered, not raised, so that the failure it records is committed.
    """
    serialise_per_phone(session, phone)
    check_address(session, per_address)
    now = utcnow()
    address = client_address(session)
    failures = [
        (failed.client_ip, failed.failed_at)
        for failed in session.execute(
            select(LoginFailure.client_ip, LoginFailure.failed_at).where(
                LoginFailure.phone == phone, LoginFailure.failed_at > now - access.LOGIN_FAILURE_WINDOW
            )
        )
    ]
    delayed_until = access.login_delayed_until([t for failed_from, t in failures if failed_from == address], now)
    if delayed_until is not None:
        raise DomainError(
            "LOGIN_THROTTLED",
            "too many failed logins for this phone from here; wait a moment",
            429,
            {"retry_after": access.retry_after_seconds(delayed_until, now)},
        )
    member = session.scalar(select(Member).where(Member.phone == phone))
    if not verify_password(member.password_hash if member else None, password) or not member.active:
        record_failure(session, phone)
        return {"ok": False}
    if access.second_factor_needed(failures, now):
        if code is None:
            return {"ok": False, "second_factor": True, "code": _second_factor_code(session, phone, secret)}
        if not public_codes.check_code(session, phone, code, secret, "login"):
            record_failure(session, phone)
            return {"ok": False, "second_factor": True, "code": None}
    session.execute(delete(LoginFailure).where(LoginFailure.phone == phone, LoginFailure.client_ip == address))
    return {
        "ok": True,
        "password_change_required": member.must_change_password,
        **open_session(session, member.id, "member"),
    }


def _second_factor_code(session: DbSession, phone: str, secret: str) -> str | None:
    """A login code for the phone, or None when the one sent a moment ago still stands."""
    try:
        return public_codes.issue_code(session, phone, secret, "login")
    except DomainError as refused:
        if refused.code == "CODE_RATE_LIMITED":
            return None
        raise


def rotate(session: DbSession, session_id: str, refresh_id: str) -> dict:
    """Swap a refresh token for the next one; a token used twice revokes its whole family."""
    login = session.get(Session, session_id, with_for_update=True)
    if login is None or login.revoked_at is not None:
        raise DomainError("SESSION_REVOKED", "this session has ended; log in again", 401)
    if login.current_refresh_id != refresh_id:
        _end(session, login, "refresh_reused")
        return {"reused": True}
    login.current_refresh_id = uuid.uuid4().hex
    login.refreshed_at = utcnow()
    member = session.get(Member, login.subject) if login.kind == "member" else None
    return {
        "reused": False,
        "password_change_required": bool(member and member.must_change_password),
        "subject": login.subject,
        "kind": login.kind,
        "session_id": login.id,
        "refresh_id": login.current_refresh_id,
    }


def revoke(session: DbSession, session_id: str, reason: str) -> None:
    login = session.get(Session, session_id)
    if login is not None and login.revoked_at is None:
        _end(session, login, reason)


def revoke_all(session: DbSession, subject: str, reason: str) -> None:
    for login in session.scalars(select(Session).where(Session.subject == subject, Session.revoked_at.is_(None))):
        _end(session, login, reason)


def _end(session: DbSession, login: Session, reason: str) -> None:
    """Revoke a session and announce it, so that gateways stop its access tokens at once."""
    login.revoked_at = utcnow()
    login.revoked_reason = reason
    emit(
        session,
        "session_ended",
        SessionEnded(session_id=login.id, subject=login.subject, reason=reason, ended_at=login.revoked_at).model_dump(
            mode="json"
        ),
    )


def ended_since(session: DbSession, since) -> list[str]:
    """The sessions revoked at or after `since`: what a gateway starting up must not let through."""
    return list(session.scalars(select(Session.id).where(Session.revoked_at >= since)))


_SESSIONS, _MEMBERS, _ORGS, _GRANTS = Session.__table__, Member.__table__, Org.__table__, RoleGrant.__table__
# Asked on the first request of every access token, so built once and reused in compiled form.
_LOGIN_CONTEXT = (
    select(
        _SESSIONS.c.kind,
        _SESSIONS.c.revoked_at,
        _SESSIONS.c.subject,
        _MEMBERS.c.id.label("member_id"),
        _MEMBERS.c.name,
        _MEMBERS.c.active,
        _MEMBERS.c.must_change_password,
        _MEMBERS.c.branch_id,
        _ORGS.c.path,
    )
    .select_from(
        _SESSIONS.outerjoin(_MEMBERS, _MEMBERS.c.id == _SESSIONS.c.subject).outerjoin(
            _ORGS, _ORGS.c.id == _MEMBERS.c.branch_id
        )
    )
    .where(_SESSIONS.c.id == bindparam("session_id"))
)
_LIVE_GRANTS = (
    select(_GRANTS.c.id, _GRANTS.c.role, _GRANTS.c.org_id, _ORGS.c.path)
    .join(_ORGS, _ORGS.c.id == _GRANTS.c.org_id)
    .where(_GRANTS.c.member_id == bindparam("member_id"), _GRANTS.c.revoked_at.is_(None))
    .order_by(_GRANTS.c.granted_at)
)


def context(session: DbSession, subject: str, session_id: str) -> dict:
    """Who a token's subject is now: whether its session lives, its branch and its role grants."""
    login = session.execute(_LOGIN_CONTEXT, {"session_id": session_id}).first()
    if login is None or login.revoked_at is not None or login.subject != subject:
        return {"session_active": False}
    if login.kind == "public":
        return {"session_active": True, "kind": "public", "subject": subject, "roles": []}
    if login.member_id is None or not login.active:
        return {"session_active": False}
    roles = (
        [{"role": "member", "org_id": login.branch_id, "org_path": login.path, "grant_id": None}]
        if login.branch_id
        else []
    )
    roles += [
        {"role": grant.role, "org_id": grant.org_id, "org_path": grant.path, "grant_id": grant.id}
        for grant in session.execute(_LIVE_GRANTS, {"member_id": login.member_id})
    ]
    return {
        "session_active": True,
        "kind": "member",
        "subject": subject,
        "member_id": login.member_id,
        "name": login.name,
        "org_id": login.branch_id,
        "org_path": login.path if login.branch_id else None,
        "roles": roles,
        "password_change_required": login.must_change_password,
    }
