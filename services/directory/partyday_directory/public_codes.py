"""One-time codes sent to phones: a public voter's login, a member's second factor, a forgotten password. At most
one a minute and ten a day per phone and purpose, five guesses a code; an address asking for too many is slowed."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from partyday_common.db import utcnow
from partyday_common.errors import DomainError
from partyday_directory import access, sessions
from partyday_directory.models import PublicCode

PURPOSES = ("public", "login", "reset")


def issue_code(session: DbSession, phone: str, secret: str, purpose: str = "public", per_address: int = 0) -> str:
    """A new one-time code for a phone, at most one a minute and ten a day for each purpose; with `per_address`,
    at most that many a minute from the caller's address, whatever the phones."""
    sessions.serialise_per_phone(session, phone)
    now = utcnow()
    client_ip = sessions.client_address(session)
    if per_address:
        sent_from_address = session.scalars(
            select(PublicCode.sent_at).where(
                PublicCode.client_ip == client_ip, PublicCode.sent_at > now - access.ADDRESS_WINDOW
            )
        ).all()
        sessions.refuse_if_limited(access.address_limited_until([t for t in sent_from_address], now, per_address), now)
    latest = session.scalar(
        select(func.max(PublicCode.sent_at)).where(PublicCode.phone == phone, PublicCode.purpose == purpose)
    )
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
        .where(PublicCode.phone == phone, PublicCode.purpose == purpose, PublicCode.sent_at > now - access.CODE_DAY)
    )
    if today >= access.CODES_PER_DAY:
        raise DomainError("CODE_RATE_LIMITED", "too many codes for this phone today", 429, {"retry_after": 3600})
    code = access.new_code()
    session.add(
        PublicCode(
            phone=phone,
            purpose=purpose,
            client_ip=client_ip,
            code_hash=access.code_digest(phone, code, secret),
            sent_at=now,
            expires_at=now + access.CODE_LIFETIME,
            attempts=0,
        )
    )
    return code


def check_code(session: DbSession, phone: str, code: str, secret: str, purpose: str) -> bool:
    """Whether `code` is the phone's latest unused code for `purpose`, which it then uses up; wrong guesses
    are counted and limited (401 CODE_EXPIRED without a live code, 429 after five wrong guesses)."""
    now = utcnow()
    current = session.scalar(
        select(PublicCode)
        .where(PublicCode.phone == phone, PublicCode.purpose == purpose, PublicCode.used_at.is_(None))
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
        return False
    current.used_at = now
    return True


def verify_public_code(session: DbSession, phone: str, code: str, secret: str, per_address: int) -> bool:
    """Check a public code (a voter's login, a resident's volunteer request); wrong guesses are counted and
    limited, and count against the address."""
    sessions.check_address(session, per_address)
    if not check_code(session, phone, code, secret, "public"):
        sessions.record_failure(session, phone)
        return False
    return True


def redeem_code(session: DbSession, phone: str, code: str, secret: str, per_address: int) -> dict:
    """Check a voter's one-time code and open their public session."""
    if not verify_public_code(session, phone, code, secret, per_address):
        return {"ok": False}
    return {"ok": True, **sessions.open_session(session, access.public_subject(phone, secret), "public")}
