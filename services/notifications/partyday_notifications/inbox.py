"""A member's inbox, newest first with the unread count, marking read, and the member's own choices (e-mail
address, language, channels per kind)."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from partyday_common.errors import not_found
from partyday_common.pagination import page_bounds
from partyday_notifications import rules
from partyday_notifications.models import MemberSettings, Notification
from partyday_notifications_contracts.rpc import KINDS, NotificationSettingsUpdate


def view(found: Notification) -> dict:
    return {
        "notification_id": found.id,
        "kind": found.kind,
        "title": found.title,
        "body": found.body,
        "subject_id": found.subject_id,
        "created_at": found.created_at.isoformat(),
        "read_at": found.read_at.isoformat() if found.read_at else None,
    }


def page(session: Session, member_id: str, page_number: int, page_size: int, unread_only: bool = False) -> dict:
    """A page of the member's notifications, newest first, with how many there are and how many are unread."""
    offset, limit = page_bounds(page_number, page_size)
    mine = Notification.recipient_id == member_id
    unread = session.scalar(select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None)))
    where = (mine, Notification.read_at.is_(None)) if unread_only else (mine,)
    total = unread if unread_only else session.scalar(select(func.count()).select_from(Notification).where(*where))
    found = session.scalars(
        select(Notification)
        .where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset)
        .limit(limit)
    )
    items = [view(item) for item in found]
    return {"items": items, "total": total, "unread": unread, "page": page_number, "page_size": page_size}


def mark_read(session: Session, member_id: str, notification_id: str, now: datetime) -> dict:
    """One of the member's notifications read (once: a second mark keeps the first time); 404 for another's."""
    found = session.get(Notification, notification_id, with_for_update=True)
    if found is None or found.recipient_id != member_id:
        raise not_found("notification", notification_id)
    if found.read_at is None:
        found.read_at = now
    return view(found)


def mark_all_read(session: Session, member_id: str, now: datetime) -> dict:
    """Every unread notification of the member read; how many."""
    marked = session.execute(
        update(Notification)
        .where(Notification.recipient_id == member_id, Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount
    return {"marked": marked, "unread": 0}


def settings_view(session: Session, member_id: str) -> dict:
    """The member's choices and, per kind, the channels it may go by and those it must."""
    found = session.get(MemberSettings, member_id)
    return {
        "member_id": member_id,
        "email": found.email if found else None,
        "language": found.language if found else "zh",
        "channels": {
            kind: rules.channels_for(kind, found.channels if found else None, bool(found and found.email))
            for kind in KINDS
        },
        "allowed": {kind: list(rules.DEFAULT_CHANNELS[kind]) for kind in KINDS},
        "required": {kind: ["inbox", *rules.REQUIRED_CHANNELS.get(kind, ())] for kind in KINDS},
    }


def update_settings(session: Session, member_id: str, request: NotificationSettingsUpdate) -> dict:
    """Change what the member sent; the rest stays."""
    found = session.get(MemberSettings, member_id, with_for_update=True)
    if found is None:
        found = MemberSettings(member_id=member_id, email=None, language="zh", channels={})
        session.add(found)
    if request.email is not None:
        found.email = request.email or None
    if request.language is not None:
        found.language = request.language
    if request.channels is not None:
        found.channels = {**(found.channels or {}), **request.channels}
    session.flush()
    return settings_view(session, member_id)
