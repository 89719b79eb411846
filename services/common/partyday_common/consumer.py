"""The event entrypoint every service uses: idempotent, retried, dead-lettered.

- a body that cannot be decoded, or is not an envelope, or whose payload is not what the
  handler `expects` (a pydantic model of the fields it reads), goes to the dead-letter queue
  at once: no attempt could ever succeed;
- a handler that raises is retried after a delay, up to PARTYDAY_EVENT_MAX_ATTEMPTS,
  then dead-lettered; the message behind it is never held up;
- a delivery of an event already processed is acknowledged with no effect (the
  processed-event mark is written in the handler's own transaction, see db.py).
"""

import logging
from functools import partial

import eventlet
from kombu import Connection, Queue
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer
from nameko.standalone.events import get_event_exchange
from pydantic import BaseModel, ValidationError

from partyday_common import topology
from partyday_common.correlation import CONTEXT_KEY
from partyday_common.db import DuplicateEvent
from partyday_common.envelope import EnvelopeError, parse_envelope
from partyday_common.metrics import DEAD_LETTERS, DUPLICATE_EVENTS, EVENT_RETRIES
from partyday_common.settings import get_settings

log = logging.getLogger(__name__)

# When a failed message can be neither retried nor dead-lettered (the broker is in
# trouble), it goes back to its queue after this pause rather than in a hot loop.
REROUTE_FAILURE_PAUSE_S = 2.0


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that undecodable messages are dead-lettered.

    Left alone, kombu raises on such a message, the consumer reconnects and the
    broker delivers the same message again: it would block its queue for ever.
    """

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider, message, exc):
        provider.reject_for_good(message, "undecodable", f"{type(exc).__name__}: {exc}")


class EventConsumer(EventHandler):
    """Consume `event_type` from `source_service`. The handler receives the Envelope and the payload
    validated by the model it `expects` (the fields it reads; a payload that breaks it is dead-lettered)."""

    queue_consumer = DeadLetteringQueueConsumer()
    records_processed_events = True

    def __init__(self, source_service, event_type, expects: type[BaseModel], **kwargs):
        super().__init__(
            source_service,
            event_type,
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=False,
            **kwargs,
        )
        self.expects = expects

    def queue_for(self, service_name: str, method_name: str, config: dict) -> Queue:
        """The durable queue this subscription consumes from, bound to the source's exchange."""
        return Queue(
            f"evt-{self.source_service}-{self.event_type}--{service_name}.{method_name}",
            exchange=get_event_exchange(self.source_service, config),
            routing_key=self.event_type,
            durable=True,
            auto_delete=False,
            exclusive=False,
        )

    def setup(self):
        self.queue = self.queue_for(self.container.service_name, self.method_name, self.container.config)
        Consumer.setup(self)

    @property
    def consumer_name(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    @property
    def amqp_uri(self) -> str:
        return self.container.config.get(AMQP_URI_CONFIG_KEY) or get_settings().amqp_uri

    def handle_message(self, body, message):
        try:
            envelope = parse_envelope(body)
        except EnvelopeError as exc:
            self.reject_for_good(message, "malformed_envelope", str(exc))
            return
        try:
            args = (envelope, self.expects.model_validate(envelope.data))
        except ValidationError as exc:
            self.reject_for_good(message, "contract_violation", str(exc))
            return
        context_data = self.unpack_message_headers(message)
        context_data[CONTEXT_KEY] = envelope.correlation_id or context_data.get(CONTEXT_KEY)
        try:
            self.container.spawn_worker(
                self,
                args,
                {},
                context_data=context_data,
                handle_result=partial(self.handle_result, message),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        if issubclass(exc_info[0], DuplicateEvent):
            DUPLICATE_EVENTS.labels(self.container.service_name, self.consumer_name).inc()
            self.queue_consumer.ack_message(message)
            return None, None
        attempts = int((message.headers or {}).get(topology.ATTEMPTS_HEADER, 1))
        error = f"{exc_info[0].__name__}: {exc_info[1]}"
        settings = get_settings()
        try:
            if attempts < settings.event_max_attempts:
                topology.schedule_retry(
                    self.amqp_uri, message, self.queue.name, attempts + 1, settings.event_retry_delay_ms
                )
                EVENT_RETRIES.labels(self.container.service_name, self.consumer_name).inc()
            else:
                self._dead_letter(message, "handler_failed", error, attempts)
        except Exception:
            log.exception("could not reroute a failed event; returning it to its queue")
            eventlet.sleep(REROUTE_FAILURE_PAUSE_S)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def reject_for_good(self, message, reason: str, error: str) -> None:
        """Send a message that can never be processed to the dead-letter queue."""
        log.error("dead-lettering a message from %s: %s (%s)", self.queue.name, reason, error)
        try:
            self._dead_letter(message, reason, error, 1)
        except Exception:
            log.exception("could not dead-letter a message; returning it to its queue")
            eventlet.sleep(REROUTE_FAILURE_PAUSE_S)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _dead_letter(self, message, reason: str, error: str, attempts: int) -> None:
        topology.dead_letter(
            self.amqp_uri, message, self.queue.name, self.container.service_name, reason, error, attempts
        )
        DEAD_LETTERS.labels(self.container.service_name, self.queue.name, reason).inc()


event_consumer = EventConsumer.decorator


def subscription_queues(service_cls, config: dict | None = None) -> list[Queue]:
    """The queues of every event subscription a service class declares."""
    queues = []
    for method_name in dir(service_cls):
        for entrypoint in getattr(getattr(service_cls, method_name), "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventConsumer):
                queues.append(entrypoint.queue_for(service_cls.name, method_name, config or {}))
    return queues


def declare_subscriptions(amqp_uri: str, service_classes) -> list[str]:
    """Declare every subscription's queue and binding, so that no event published before
    its subscriber first starts is dropped for want of a queue (events are not mandatory
    for every subscriber: one bound queue is enough for the broker to accept them)."""
    declared = []
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        for service_cls in service_classes:
            for queue in subscription_queues(service_cls):
                queue.bind(channel).declare()
                declared.append(queue.name)
    return declared
