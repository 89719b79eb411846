"""Telling people: one notification per recipient of an event, rendered in their language and stored in their
inbox, and a delivery per further channel they are told by, stored with it to be sent after the commit. An
event notifies each recipient once (unique event id and recipient); the text messages of a member's day stop
at the daily cap (the delivery is kept as `skipped`)."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert
from partyday_notifications import metrics, rules
from partyday_notifications.models import Delivery, MemberSettings, Notification, Recipient
from partyday_notifications.settings import get_settings
from partyday_notifications.templates import LANGUAGES, render

CHUNK = 5000


def notify(
    session: Session,
    event_id: str,
    kind: str,
    recipients: list[str],
    parameters: dict,
    now: datetime,
    subject_id: str | None = None,
) -> int:
    """Store the notifications of an event for its recipients (each once) and their deliveries, a chunk of
    recipients at a time (a campaign tells a whole city); how many."""
    recipients = sorted(set(recipients))
    rendered = {language: render(kind, language, parameters) for language in LANGUAGES}
    return sum(
        _notify_chunk(session, event_id, kind, recipients[start : start + CHUNK], parameters, rendered, now, subject_id)
        for start in range(0, len(recipients), CHUNK)
    )


def _notify_chunk(session, event_id, kind, recipients, parameters, rendered, now, subject_id) -> int:
    already = set(
        session.scalars(
            select(Notification.recipient_id).where(
                Notification.event_id == event_id, Notification.recipient_id.in_(recipients)
            )
        )
    )
    recipients = [member_id for member_id in recipients if member_id not in already]
    if not recipients:
        return 0
    choices = {
        found.member_id: found
        for found in session.scalars(select(MemberSettings).where(MemberSettings.member_id.in_(recipients)))
    }
    settings = get_settings()
    may_text = "sms" in rules.DEFAULT_CHANNELS[kind]
    since = rules.local_day_start(now, settings.notifications_time_zone)
    texts_today = {}
    if may_text:
        # Two events texting the same member at once count their day one after the other: the cap holds.
        session.execute(
            select(Recipient.member_id)
            .where(Recipient.member_id.in_(recipients))
            .order_by(Recipient.member_id)
            .with_for_update()
        ).all()
        texts_today = sms_counts(session, recipients, since)
    notifications, deliveries = [], []
    for member_id in recipients:
        chosen = choices.get(member_id)
        title, body = rendered[chosen.language if chosen and chosen.language in rendered else "zh"]
        notification_id = uuid.uuid4().hex
        notifications.append(
            {
                "id": notification_id,
                "event_id": event_id,
                "kind": kind,
                "recipient_id": member_id,
                "title": title,
                "body": body,
                "parameters": parameters,
                "subject_id": subject_id,
                "created_at": now,
                "read_at": None,
            }
        )
        channels = rules.channels_for(kind, chosen.channels if chosen else None, bool(chosen and chosen.email))
        for channel in channels:
            if channel == "inbox":
                continue
            status = "queued"
            if channel == "sms":
                capped = texts_today.get(member_id, 0) >= settings.notifications_sms_daily_cap
                status = "skipped" if capped else status
                texts_today[member_id] = texts_today.get(member_id, 0) + (0 if capped else 1)
            deliveries.append(
                {
                    "id": uuid.uuid4().hex,
                    "notification_id": notification_id,
                    "recipient_id": member_id,
                    "kind": kind,
                    "channel": channel,
                    "status": status,
                    "attempts": 0,
                    "next_attempt_at": now if status == "queued" else None,
                    "last_error": "daily_cap" if status == "skipped" else None,
                    "created_at": now,
                    "sent_at": None,
                }
            )
    bulk_insert(session, Notification.__table__, notifications)
    bulk_insert(session, Delivery.__table__, deliveries)
    metrics.count_stored(kind, len(notifications), deliveries)
    return len(notifications)


def sms_counts(session: Session, recipients: list[str], since: datetime) -> dict[str, int]:
    """Text messages each of the recipients was given since `since` (not those the cap held back)."""
    return dict(
        session.execute(
            select(Delivery.recipient_id, func.count())
            .where(
                Delivery.recipient_id.in_(recipients),
                Delivery.channel == "sms",
                Delivery.created_at >= since,
                Delivery.status != "skipped",
            )
            .group_by(Delivery.recipient_id)
        ).all()
    )
