"""Logins and sessions: passwords with a lockout, rotating refresh tokens, one-time codes for voters."""
import uuid

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.orm import Session as DbSession

from partyday_common.clock import aware
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError
from partyday_directory import access, audit, orgs
from partyday_directory.models import LoginFailure, Member, Org, PublicCode, RoleGrant, Session
from partyday_directory.passwords import hash_password, verify_password
from partyday_directory_contracts.rpc import OrgCreate, SessionEnded


def open_session(session: DbSession, subject: str, kind: str) -> dict:
    login = Session(id=uuid.uuid4().hex, subject=subject, kind=kind, current_refresh_id=uuid.uuid4().hex,
                    created_at=utcnow(), client_ip=session.info.get("client_ip"))
    session.add(login)
    return {"subject": subject, "kind": kind, "session_id": login.id, "refresh_id": login.current_refresh_id}


def authenticate(session: DbSession, phone: str, password: str) -> dict:
    """Check a member's password; too many failures for a phone lock it for a while (429).

    A failure is answered, not raised, so that the failure it records is committed.
    """
    serialise_per_phone(session, phone)
    now = utcnow()
    failures = session.scalars(select(LoginFailure.failed_at).where(
        LoginFailure.phone == phone, LoginFailure.failed_at > now - access.LOGIN_FAILURE_WINDOW)).all()
    locked_until = access.login_locked_until([aware(t) for t in failures], now)
    if locked_until is not None:
        raise DomainError("LOGIN_LOCKED", "too many failed logins for this phone; try again later", 429,
                          {"retry_after": access.retry_after_seconds(locked_until, now)})
    member = session.scalar(select(Member).where(Member.phone == phone))
    if not verify_password(member.password_hash if member else None, password) or not member.active:
        session.add(LoginFailure(phone=phone, failed_at=now))
        return {"ok": False}
    session.execute(delete(LoginFailure).where(LoginFailure.phone == phone))
    return {"ok": True, **open_session(session, member.id, "member")}


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
    return {"reused": False, "subject": login.subject, "kind": login.kind, "session_id": login.id,
            "refresh_id": login.current_refresh_id}


def revoke(session: DbSession, session_id: str, reason: str) -> None:
    login = session.get(Session, session_id)
    if login is not None and login.revoked_at is None:
        _end(session, login, reason)


def _end(session: DbSession, login: Session, reason: str) -> None:
    """Revoke a session and announce it, so that gateways stop its access tokens at once."""
    login.revoked_at = utcnow()
    login.revoked_reason = reason
    emit(session, "session_ended", SessionEnded(session_id=login.id, subject=login.subject, reason=reason,
                                                ended_at=login.revoked_at).model_dump(mode="json"))


def ended_since(session: DbSession, since) -> list[str]:
    """The sessions revoked at or after `since`: what a gateway starting up must not let through."""
    return list(session.scalars(select(Session.id).where(Session.revoked_at >= since)))


_SESSIONS, _MEMBERS, _ORGS, _GRANTS = Session.__table__, Member.__table__, Org.__table__, RoleGrant.__table__
# Asked on the first request of every access token, so built once and reused in compiled form.
_LOGIN_CONTEXT = (
    select(_SESSIONS.c.kind, _SESSIONS.c.revoked_at, _SESSIONS.c.subject, _MEMBERS.c.id.label("member_id"),
           _MEMBERS.c.name, _MEMBERS.c.active, _MEMBERS.c.branch_id, _ORGS.c.path)
    .select_from(_SESSIONS.outerjoin(_MEMBERS, _MEMBERS.c.id == _SESSIONS.c.subject)
                 .outerjoin(_ORGS, _ORGS.c.id == _MEMBERS.c.branch_id))
    .where(_SESSIONS.c.id == bindparam("session_id")))
_LIVE_GRANTS = (
    select(_GRANTS.c.id, _GRANTS.c.role, _GRANTS.c.org_id, _ORGS.c.path)
    .join(_ORGS, _ORGS.c.id == _GRANTS.c.org_id)
    .where(_GRANTS.c.member_id == bindparam("member_id"), _GRANTS.c.revoked_at.is_(None))
    .order_by(_GRANTS.c.granted_at))


def context(session: DbSession, subject: str, session_id: str) -> dict:
    """Who a token's subject is now: whether its session lives, its branch and its role grants."""
    login = session.execute(_LOGIN_CONTEXT, {"session_id": session_id}).first()
    if login is None or login.revoked_at is not None or login.subject != subject:
        return {"session_active": False}
    if login.kind == "public":
        return {"session_active": True, "kind": "public", "subject": subject, "roles": []}
    if login.member_id is None or not login.active:
        return {"session_active": False}
    roles = ([{"role": "member", "org_id": login.branch_id, "org_path": login.path, "grant_id": None}]
             if login.branch_id else [])
    roles += [{"role": grant.role, "org_id": grant.org_id, "org_path": grant.path, "grant_id": grant.id}
              for grant in session.execute(_LIVE_GRANTS, {"member_id": login.member_id})]
    return {"session_active": True, "kind": "member", "subject": subject, "member_id": login.member_id,
            "name": login.name, "org_id": login.branch_id, "org_path": login.path if login.branch_id else None,
            "roles": roles}


def grant(session: DbSession, member_id: str, role: str, org_id: str) -> dict:
    member = session.get(Member, member_id)
    if member is None or not member.active:
        raise DomainError("MEMBER_NOT_FOUND", f"member {member_id} does not exist or has left", 404)
    org = session.get(Org, org_id)
    if org is None:
        raise DomainError("ORG_NOT_FOUND", f"org {org_id} does not exist", 404)
    access.check_grant(role, org.level)
    if session.scalar(select(RoleGrant.id).where(RoleGrant.member_id == member_id, RoleGrant.role == role,
                                                 RoleGrant.org_id == org_id, RoleGrant.revoked_at.is_(None))):
        raise DomainError("GRANT_EXISTS", "the member already holds this role here", 409)
    role_grant = RoleGrant(id=uuid.uuid4().hex, member_id=member_id, role=role, org_id=org_id,
                           granted_at=utcnow(), granted_by=session.info.get("actor_id"))
    session.add(role_grant)
    audit.record(session, "role.grant", "role_grant", role_grant.id, org.path,
                 {"member_id": member_id, "role": role, "org_id": org_id})
    return {"grant_id": role_grant.id, "member_id": member_id, "role": role, "org_id": org_id,
            "org_path": org.path}


def grants_of(session: DbSession, member_id: str) -> list[dict]:
    """A member's active grants with the paths of their nodes."""
    rows = session.execute(select(RoleGrant.role, Org.path).join(Org, RoleGrant.org_id == Org.id)
                           .where(RoleGrant.member_id == member_id, RoleGrant.revoked_at.is_(None))).all()
    return [{"role": role, "org_path": path} for role, path in rows]


def revoke_all(session: DbSession, subject: str, reason: str) -> None:
    for login in session.scalars(select(Session).where(Session.subject == subject, Session.revoked_at.is_(None))):
        _end(session, login, reason)


def serialise_per_phone(session: DbSession, phone: str) -> None:
    """Concurrent logins or code requests for one phone take turns, so their counts hold (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:phone))"), {"phone": phone})


def find_grant(session: DbSession, grant_id: str) -> dict:
    row = session.execute(select(RoleGrant, Org.path).join(Org, RoleGrant.org_id == Org.id)
                          .where(RoleGrant.id == grant_id, RoleGrant.revoked_at.is_(None))).first()
    if row is None:
        raise DomainError("GRANT_NOT_FOUND", f"grant {grant_id} does not exist or was revoked", 404)
    role_grant, path = row
    return {"grant_id": role_grant.id, "member_id": role_grant.member_id, "role": role_grant.role,
            "org_id": role_grant.org_id, "org_path": path}


def revoke_grant(session: DbSession, grant_id: str) -> dict:
    found = find_grant(session, grant_id)
    session.get(RoleGrant, grant_id).revoked_at = utcnow()
    audit.record(session, "role.revoke", "role_grant", grant_id, found["org_path"],
                 {"member_id": found["member_id"], "role": found["role"]})
    return found


def issue_code(session: DbSession, phone: str, secret: str) -> str:
    """A new one-time code for a phone, at most one a minute and ten a day."""
    serialise_per_phone(session, phone)
    now = utcnow()
    latest = session.scalar(select(func.max(PublicCode.sent_at)).where(PublicCode.phone == phone))
    if latest is not None and now - aware(latest) < access.CODE_RESEND_AFTER:
        raise DomainError("CODE_RATE_LIMITED", "a code was sent to this phone a moment ago", 429,
                          {"retry_after": access.retry_after_seconds(aware(latest) + access.CODE_RESEND_AFTER,
                                                                     now)})
    today = session.scalar(select(func.count()).select_from(PublicCode).where(
        PublicCode.phone == phone, PublicCode.sent_at > now - access.CODE_DAY))
    if today >= access.CODES_PER_DAY:
        raise DomainError("CODE_RATE_LIMITED", "too many codes for this phone today", 429, {"retry_after": 3600})
    code = access.new_code()
    session.add(PublicCode(phone=phone, code_hash=access.code_digest(phone, code, secret), sent_at=now,
                           expires_at=now + access.CODE_LIFETIME, attempts=0))
    return code


def redeem_code(session: DbSession, phone: str, code: str, secret: str) -> dict:
    """Check a voter's one-time code; wrong guesses are counted and limited."""
    now = utcnow()
    current = session.scalar(select(PublicCode).where(PublicCode.phone == phone, PublicCode.used_at.is_(None))
                             .order_by(PublicCode.sent_at.desc()).limit(1).with_for_update())
    if current is None or aware(current.expires_at) < now:
        raise DomainError("CODE_EXPIRED", "no valid code for this phone; ask for a new one", 401)
    if current.attempts >= access.CODE_ATTEMPTS_ALLOWED:
        raise DomainError("CODE_ATTEMPTS_EXCEEDED", "too many wrong codes; ask for a new one", 429,
                          {"retry_after": 60})
    current.attempts += 1
    if current.code_hash != access.code_digest(phone, code, secret):
        return {"ok": False}
    current.used_at = now
    return {"ok": True, **open_session(session, access.public_subject(phone, secret), "public")}


def ensure_city_admin(session: DbSession, phone: str, password: str, city_name: str, city_code: str) -> None:
    """The city (the root) and its admin account with the city_admin role, created once."""
    city = session.scalar(select(Org).where(Org.level == "city"))
    if city is None:
        created = orgs.create(session, OrgCreate(name=city_name, level="city", code=city_code, domain="government"))
        city = session.get(Org, created["org_id"])
    admin = session.scalar(select(Member).where(Member.phone == phone))
    if admin is None:
        admin = Member(id=uuid.uuid4().hex, name="组织部管理员", phone=phone, branch_id=None, probationary=False,
                       mobile=False, lost_contact=False, active=True, password_hash=hash_password(password),
                       created_at=utcnow())
        session.add(admin)
        session.flush()
    holds = session.scalar(select(func.count()).select_from(RoleGrant).where(
        RoleGrant.member_id == admin.id, RoleGrant.role == "city_admin", RoleGrant.org_id == city.id,
        RoleGrant.revoked_at.is_(None)))
    if not holds:
        grant(session, admin.id, "city_admin", city.id)
