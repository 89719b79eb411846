"""One-time login codes for public voters: at most one a minute and ten a day per phone, five guesses a code."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from partyday_common.db import utcnow
from partyday_common.errors import DomainError
from partyday_directory import access, sessions
from partyday_directory.models import PublicCode


def issue_code(session: DbSession, phone: str, secret: str) -> str:
    """A new one-time code for a phone, at most one a minute and ten a day."""
    sessions.serialise_per_phone(session, phone)
    now = utcnow()
    latest = session.scalar(select(func.max(PublicCode.sent_at)).where(PublicCode.phone == phone))
    if latest is not None and now - latest < access.CODE_RESEND_AFTER:
        raise DomainError(
            "CODE_RATE_LIMITED",
            "a code was sent to this phone a moment ago",
            429,
            {"retry_after": access.retry_after_seconds(latest + access.CODE_RESEND_AFTER, now)},
        )
    today = session.scalar(
        select(func.count())
        .select_from(PublicCode)
        .where(PublicCode.phone == phone, PublicCode.sent_at > now - access.CODE_DAY)
    )
    if today >= access.CODES_PER_DAY:
        raise DomainError("CODE_RATE_LIMITED", "too many codes for this phone today", 429, {"retry_after": 3600})
    code = access.new_code()
    session.add(
        PublicCode(
            phone=phone,
            code_hash=access.code_digest(phone, code, secret),
            sent_at=now,
            expires_at=now + access.CODE_LIFETIME,
            attempts=0,
        )
    )
    return code


def redeem_code(session: DbSession, phone: str, code: str, secret: str) -> dict:
    """Check a voter's one-time code; wrong guesses are counted and limited."""
    now = utcnow()
    current = session.scalar(
        select(PublicCode)
        .where(PublicCode.phone == phone, PublicCode.used_at.is_(None))
        .order_by(PublicCode.sent_at.desc())
        .limit(1)
        .with_for_update()
    )
    if current is None or current.expires_at < now:
        raise DomainError("CODE_EXPIRED", "no valid code for this phone; ask for a new one", 401)
    if current.attempts >= access.CODE_ATTEMPTS_ALLOWED:
        raise DomainError("CODE_ATTEMPTS_EXCEEDED", "too many wrong codes; ask for a new one", 429, {"retry_after": 60})
    current.attempts += 1
    if current.code_hash != access.code_digest(phone, code, secret):
        return {"ok": False}
    current.used_at = now
    return {"ok": True, **sessions.open_session(session, access.public_subject(phone, secret), "public")}
