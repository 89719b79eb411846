"""The outbox relay: publishes committed events that are not yet on the bus.

It runs in every service process. It wakes when a transaction that emitted events
commits, and otherwise polls, so rows left behind by a crashed process (committed,
never published) go out as soon as any process of the service runs again. Several
replicas may relay at once: PostgreSQL row locks keep them apart, and consumers are
idempotent for the rare double publish after a crash between publish and mark.
"""
import logging
from datetime import datetime, timedelta, timezone

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import get_event_exchange
from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Engine

from partyday_common.correlation import HEADER_NAME
from partyday_common.metrics import OUTBOX_BACKLOG
from partyday_common.settings import get_settings

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: Engine, table: Table, service: str, config: dict):
        settings = get_settings()
        self.engine = engine
        self.table = table
        self.service = service
        self.poll_interval = settings.outbox_poll_interval_s
        self.batch_size = settings.outbox_batch_size
        self.give_up_after = timedelta(seconds=settings.outbox_unroutable_give_up_s)
        exchange = get_event_exchange(service, config)
        self.exchange = exchange
        self.publisher = Publisher(
            config.get(AMQP_URI_CONFIG_KEY) or settings.amqp_uri,
            use_confirms=True,
            mandatory=True,
            declare=[exchange],
            retry=False,
        )
        self._wakeups = LightQueue()
        self._running = False

    def wake(self) -> None:
        self._wakeups.put(None)

    def stop(self) -> None:
        self._running = False
        self.wake()

    def run(self) -> None:
        self._running = True
        while self._running:
            try:
                while self.publish_pending() == self.batch_size:
                    eventlet.sleep(0)
            except Exception:
                log.exception("outbox relay pass failed; retrying at the next poll")
            try:
                self._wakeups.get(timeout=self.poll_interval)
                while not self._wakeups.empty():
                    self._wakeups.get_nowait()
            except Empty:
                pass

    def publish_pending(self) -> int:
        """Publish one batch of pending events in order; returns how many rows it handled."""
        t = self.table
        pending = (select(t).where(t.c.published_at.is_(None)).order_by(t.c.id)
                   .limit(self.batch_size))
        if self.engine.dialect.name == "postgresql":
            pending = pending.with_for_update(skip_locked=True)
        handled = 0
        with self.engine.begin() as connection:
            for row in connection.execute(pending).mappings().all():
                if not self._publish_row(connection, row):
                    break
                handled += 1
        self._refresh_backlog()
        return handled

    def _publish_row(self, connection, row) -> bool:
        t = self.table
        now = datetime.now(timezone.utc)
        headers = {HEADER_NAME: row["correlation_id"]} if row["correlation_id"] else {}
        try:
            self.publisher.publish(
                row["body"], exchange=self.exchange, routing_key=row["event_type"], headers=headers,
            )
        except UndeliverableMessage:
            created = row["created_at"]
            if created.tzinfo is None:
                created = created.replace(tzinfo=timezone.utc)
            gave_up = now - created > self.give_up_after
            connection.execute(update(t).where(t.c.id == row["id"]).values(
                attempts=t.c.attempts + 1,
                last_error="no queue is bound for this event" + ("; gave up" if gave_up else ""),
                published_at=now if gave_up else None,
            ))
            level = log.error if gave_up else log.warning
            level("event %s (%s) is unroutable", row["event_id"], row["event_type"])
            return True
        except Exception as exc:
            log.warning("broker unavailable for the outbox relay: %s", exc)
            return False
        connection.execute(update(t).where(t.c.id == row["id"]).values(
            published_at=now, attempts=t.c.attempts + 1, last_error=None,
        ))
        return True

    def _refresh_backlog(self) -> None:
        t = self.table
        with self.engine.connect() as connection:
            backlog = connection.execute(
                select(func.count()).select_from(t).where(t.c.published_at.is_(None))
            ).scalar_one()
        OUTBOX_BACKLOG.labels(self.service).set(backlog)
