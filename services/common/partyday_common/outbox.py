"""The outbox relay: publishes committed events that are not yet on the bus.

It runs in every service process. It wakes when a transaction that emitted events
commits, and otherwise polls, so rows left behind by a crashed process (committed,
never published) go out as soon as any process of the service runs again.

On PostgreSQL a batch is claimed with FOR UPDATE SKIP LOCKED, so replicas relay
different rows. On SQLite no lock is held while publishing (a write lock held across
network I/O would stall every writer of the file); rows are read, published, then
marked in a short transaction. Either way a crash between publish and mark can publish
a row twice, which idempotent consumers absorb. Events are not ordered across rows.

An event type some service subscribes to is published `mandatory`: if no queue is bound
for it (subscriber queues never declared), it is retried with back-off, then abandoned:
kept, with its error, out of the backlog, and counted in partyday_outbox_abandoned_total.
An event type nobody subscribes to yet is published once and done.

A batch is published on one channel in confirm mode and the broker's confirms are awaited
once for the whole batch: a row is marked published only when its own confirm arrived.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from amqp import Message
from eventlet.queue import Empty, LightQueue
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY, PERSISTENT
from nameko.standalone.events import get_event_exchange
from sqlalchemy import Table, Text, cast, func, or_, select, update
from sqlalchemy.engine import Engine

from partyday_common.correlation import HEADER_NAME
from partyday_common.metrics import OUTBOX_ABANDONED, OUTBOX_BACKLOG
from partyday_common.settings import get_settings

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)
CONFIRM_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 5.0
UNROUTABLE = "no queue is bound for this event"


@dataclass
class Outcome:
    row_id: int
    published: bool
    error: str | None = None


@dataclass
class Outgoing:
    event_id: str
    body: str
    routing_key: str
    headers: dict
    mandatory: bool


class BatchPublisher:
    """Events to one exchange over a channel in confirm mode, a batch at a time."""

    def __init__(self, amqp_uri: str, exchange: str):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.connection: Connection | None = None
        self.channel = None
        self.next_tag = 1
        self.confirmed: dict[int, bool] = {}
        self.returned: set[str] = set()

    def _open(self) -> None:
        self.connection = Connection(self.amqp_uri, connect_timeout=CONNECT_TIMEOUT_S)
        self.connection.connect()
        self.channel = self.connection.connection.channel()
        self.channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
        self.channel.confirm_select()
        self.channel.events["basic_ack"].add(lambda tag, multiple: self._confirm(tag, multiple, True))
        self.channel.events["basic_nack"].add(lambda tag, multiple: self._confirm(tag, multiple, False))
        self.channel.events["basic_return"].add(self._returned)
        self.next_tag = 1

    def _confirm(self, tag: int, multiple: bool, ok: bool) -> None:
        """A confirm settles its own tag, or with `multiple` every earlier tag not settled yet: an earlier
        nack is never turned into an ack."""
        for pending, settled in self.confirmed.items():
            if settled is None and (pending == tag or (multiple and pending < tag)):
                self.confirmed[pending] = ok

    def _returned(self, _exc, _exchange, _routing_key, message) -> None:
        self.returned.add(message.properties.get("message_id"))

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.release()
            except Exception:
                log.debug("closing the relay's broker connection failed", exc_info=True)
        self.connection = self.channel = None

    def publish(self, batch: list[Outgoing]) -> dict[str, str | None]:
        """Publish the batch and await its confirms: per event id, None if the broker took it, else why not.

        Events whose confirm did not come are left out: they are tried again, which may publish twice."""
        if self.channel is None:
            self._open()
        tags: dict[int, str] = {}
        self.confirmed, self.returned = {}, set()
        try:
            for item in batch:
                message = Message(
                    item.body,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=PERSISTENT,
                    message_id=item.event_id,
                    application_headers=item.headers,
                )
                self.channel.basic_publish(
                    message, exchange=self.exchange, routing_key=item.routing_key, mandatory=item.mandatory
                )
                tags[self.next_tag] = item.event_id
                self.confirmed[self.next_tag] = None
                self.next_tag += 1
            deadline = time.monotonic() + CONFIRM_TIMEOUT_S
            while any(ok is None for ok in self.confirmed.values()) and time.monotonic() < deadline:
                try:
                    self.connection.drain_events(timeout=max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    break
        except Exception:
            self.close()
            raise
        answer = {}
        for tag, event_id in tags.items():
            ok = self.confirmed.get(tag)
            if ok is None:
                continue
            answer[event_id] = UNROUTABLE if event_id in self.returned else (None if ok else "the broker refused it")
        return answer


class OutboxRelay:
    def __init__(self, engine: Engine, table: Table, service: str, config: dict, subscribed: set[str]):
        settings = get_settings()
        self.subscribed = subscribed
        self.engine = engine
        self.table = table
        self.service = service
        self.poll_interval = settings.outbox_poll_interval_s
        self.batch_size = settings.outbox_batch_size
        self.give_up_after = timedelta(seconds=settings.outbox_unroutable_give_up_s)
        self.publisher = BatchPublisher(
            config.get(AMQP_URI_CONFIG_KEY) or settings.amqp_uri, get_event_exchange(service, config).name
        )
        self._wakeups = LightQueue()
        self._running = False

    def wake(self) -> None:
        self._wakeups.put(None)

    def stop(self) -> None:
        self._running = False
        self.wake()
        self.publisher.close()

    def run(self) -> None:
        self._running = True
        while self._running:
            try:
                while self.publish_pending() == self.batch_size:
                    pass
                self._refresh_backlog()
            except Exception:
                log.exception("outbox relay pass failed; retrying at the next poll")
            try:
                self._wakeups.get(timeout=self.poll_interval)
                while not self._wakeups.empty():
                    self._wakeups.get_nowait()
            except Empty:
                pass

    def publish_pending(self) -> int:
        """Publish one batch of due events; returns how many were published."""
        locking = self.engine.dialect.name == "postgresql"
        query = self._due_query()
        if locking:
            query = query.with_for_update(skip_locked=True)
        with self.engine.begin() as connection:
            rows = connection.execute(query).mappings().all()
            if locking:
                outcomes = self._publish(rows)
                self._record(connection, rows, outcomes)
        if not locking:
            outcomes = self._publish(rows)
            with self.engine.begin() as connection:
                self._record(connection, rows, outcomes)
        return sum(outcome.published for outcome in outcomes)

    def _due_query(self):
        t = self.table
        now = datetime.now(timezone.utc)
        # Ordered as ix_outbox_messages_pending is, so that the pending rows are read from it in order: ordered
        # by id alone, PostgreSQL sorted every pending row, or walked the published ones first, once a bulk
        # import had left hundreds of thousands behind its statistics (0.4 s for each batch of 100).
        # The body is read as the JSON text stored, and published as it is: a roster import's events are 150 KB each.
        columns = [cast(column, Text).label("body") if column.name == "body" else column for column in t.c]
        return (
            select(*columns)
            .where(
                t.c.published_at.is_(None),
                t.c.abandoned_at.is_(None),
                or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
            )
            .order_by(t.c.published_at, t.c.id)
            .limit(self.batch_size)
        )

    def _publish(self, rows) -> list[Outcome]:
        batch = [
            Outgoing(
                row["event_id"],
                row["body"],
                row["event_type"],
                {HEADER_NAME: row["correlation_id"]} if row["correlation_id"] else {},
                row["event_type"] in self.subscribed,
            )
            for row in rows
        ]
        if not batch:
            return []
        try:
            errors = self.publisher.publish(batch)
        except Exception as exc:
            log.warning("broker unavailable for the outbox relay: %s", exc)
            return []
        return [
            Outcome(row["id"], errors[row["event_id"]] is None, errors[row["event_id"]])
            for row in rows
            if row["event_id"] in errors
        ]

    def _record(self, connection, rows, outcomes: list[Outcome]) -> None:
        t = self.table
        now = datetime.now(timezone.utc)
        by_id = {row["id"]: row for row in rows}
        published = [outcome.row_id for outcome in outcomes if outcome.published]
        if published:
            connection.execute(
                update(t)
                .where(t.c.id.in_(published))
                .values(published_at=now, attempts=t.c.attempts + 1, last_error=None)
            )
        for outcome in outcomes:
            if outcome.published:
                continue
            row = by_id[outcome.row_id]
            created = row["created_at"]
            attempts = row["attempts"] + 1
            values = {"attempts": attempts, "last_error": outcome.error}
            if now - created > self.give_up_after:
                values["abandoned_at"] = now
                OUTBOX_ABANDONED.labels(self.service, row["event_type"]).inc()
                log.error("abandoned event %s (%s): %s", row["event_id"], row["event_type"], outcome.error)
            else:
                values["next_attempt_at"] = now + min(timedelta(seconds=2 ** min(attempts, 9)), MAX_BACKOFF)
                log.warning("event %s (%s) is unroutable; retrying later", row["event_id"], row["event_type"])
            connection.execute(update(t).where(t.c.id == outcome.row_id).values(**values))

    def _refresh_backlog(self) -> None:
        t = self.table
        with self.engine.connect() as connection:
            backlog = connection.execute(
                select(func.count()).select_from(t).where(t.c.published_at.is_(None), t.c.abandoned_at.is_(None))
            ).scalar_one()
        OUTBOX_BACKLOG.labels(self.service).set(backlog)
