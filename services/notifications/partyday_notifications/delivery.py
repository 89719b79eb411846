"""Sending the stored deliveries: a round claims the due ones (a lease: another process passes them by, and a
process that dies mid-round leaves them to be sent again after it), finds the addresses (phones from the
directory, e-mail addresses as members gave them), sends, and records each outcome: `sent`; `failed` and tried
again with a doubling pause; `dead` when the attempts run out or there is no address, kept for operations.
No text message is sent in the quiet hours, and at most the SMS gateway's rate."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.pagination import page_bounds
from partyday_common.rpc import RpcTimeout
from partyday_notifications import metrics, rules
from partyday_notifications.channels import Message, SendFailed
from partyday_notifications.models import Delivery, MemberSettings, Notification

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
PHONES_PER_CALL = 1000
DIRECTORY_SILENT = "the directory did not answer with the phone"
DUE = ("queued", "failed")


@dataclass
class Claimed:
    delivery_id: str
    channel: str
    recipient_id: str
    attempts: int
    message: Message
    address: str | None = None


def claim(session: Session, now: datetime, settings) -> list[Claimed]:
    """The due deliveries of this round, leased: e-mails up to the batch, text messages up to the rate and not
    in the quiet hours."""
    limits = {"email": settings.notifications_delivery_batch}
    quiet = rules.quiet_until(
        now, settings.notifications_time_zone, settings.notifications_quiet_start, settings.notifications_quiet_end
    )
    if quiet is None:
        per_round = settings.notifications_sms_per_second * settings.notifications_delivery_interval_s
        limits["sms"] = max(1, int(per_round))
    claimed = []
    for channel, limit in limits.items():
        rows = session.execute(
            select(Delivery, Notification.title, Notification.body, Notification.parameters)
            .join(Notification, Notification.id == Delivery.notification_id)
            .where(Delivery.channel == channel, Delivery.status.in_(DUE), Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(of=Delivery, skip_locked=True)
        ).all()
        for found, title, body, parameters in rows:
            found.next_attempt_at = now + LEASE
            message = Message(found.kind, title, body, parameters)
            claimed.append(Claimed(found.id, channel, found.recipient_id, found.attempts, message))
    return claimed


def emails_of(session: Session, member_ids: list[str]) -> dict[str, str]:
    rows = session.execute(
        select(MemberSettings.member_id, MemberSettings.email).where(MemberSettings.member_id.in_(member_ids))
    )
    return {member_id: email for member_id, email in rows if email}


def send_all(channels: dict, claimed: list[Claimed]) -> list[tuple[Claimed, str | None]]:
    """Send each claimed delivery that has an address: (delivery, None) when sent, else the error."""
    outcomes = []
    for item in claimed:
        if not item.address:
            outcomes.append((item, "no_address"))
            continue
        try:
            channels[item.channel].send(item.address, item.message)
            outcomes.append((item, None))
        except SendFailed as error:
            log.warning("%s to %s failed: %s", item.channel, item.recipient_id, error)
            outcomes.append((item, str(error)))
    return outcomes


def record(session: Session, outcomes: list[tuple[Claimed, str | None]], now: datetime, settings) -> None:
    """Each outcome: sent, failed and tried again later, or dead."""
    for item, error in outcomes:
        attempts = item.attempts + 1
        if error is None:
            values = {"status": "sent", "sent_at": now, "attempts": attempts, "next_attempt_at": None}
        elif error == "no_address" or attempts >= settings.notifications_max_attempts:
            values = {"status": "dead", "attempts": attempts, "last_error": error, "next_attempt_at": None}
        else:
            later = rules.retry_at(now, attempts, settings.notifications_retry_base_s)
            values = {"status": "failed", "attempts": attempts, "last_error": error, "next_attempt_at": later}
        session.execute(update(Delivery).where(Delivery.id == item.delivery_id).values(**values))
        metrics.count(item.channel, item.message.kind, values["status"])


def phones_for(phones_of, member_ids: list[str]) -> dict[str, str] | None:
    """The members' phones from the directory, a call per PHONES_PER_CALL; None when it does not answer in time
    (the text messages then fail this round and are tried again)."""
    phones: dict[str, str] = {}
    try:
        for start in range(0, len(member_ids), PHONES_PER_CALL):
            phones.update(phones_of(member_ids[start : start + PHONES_PER_CALL]))
    except RpcTimeout:
        log.warning("the directory did not answer with the phones; the text messages are tried again later")
        return None
    return phones


def run_round(db, phones_of, channels: dict, settings) -> int:
    """One round of sending; how many deliveries it handled. `phones_of(member_ids)` asks the directory."""
    with db.transaction() as session:
        claimed = claim(session, utcnow(), settings)
        emails = emails_of(session, [item.recipient_id for item in claimed if item.channel == "email"])
    if not claimed:
        return 0
    phones = phones_for(phones_of, sorted({item.recipient_id for item in claimed if item.channel == "sms"}))
    waiting = [item for item in claimed if item.channel == "sms" and phones is None]
    for item in claimed:
        item.address = (emails if item.channel == "email" else phones or {}).get(item.recipient_id)
    outcomes = send_all(channels, [item for item in claimed if not (item.channel == "sms" and phones is None)])
    outcomes += [(item, DIRECTORY_SILENT) for item in waiting]
    with db.transaction() as session:
        record(session, outcomes, utcnow(), settings)
    return len(claimed)


def dead_letters(session: Session, page: int, page_size: int) -> dict:
    """Deliveries given up, newest first, with their last error: what operations look at."""
    offset, limit = page_bounds(page, page_size)
    where = Delivery.status == "dead"
    total = session.scalar(select(func.count()).select_from(Delivery).where(where))
    rows = session.scalars(
        select(Delivery).where(where).order_by(Delivery.created_at.desc(), Delivery.id).offset(offset).limit(limit)
    )
    items = [
        {
            "delivery_id": found.id,
            "notification_id": found.notification_id,
            "recipient_id": found.recipient_id,
            "kind": found.kind,
            "channel": found.channel,
            "attempts": found.attempts,
            "last_error": found.last_error,
            "created_at": found.created_at.isoformat(),
        }
        for found in rows
    ]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def counts(session: Session) -> dict:
    """Deliveries by channel and status."""
    rows = session.execute(
        select(Delivery.channel, Delivery.status, func.count()).group_by(Delivery.channel, Delivery.status)
    )
    found: dict = {}
    for channel, status, number in rows:
        found.setdefault(channel, {})[status] = number
    return found
