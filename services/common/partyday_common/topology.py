"""The broker objects behind retries and dead letters, shared by every service.

A failed event goes to the retry exchange with a per-message TTL; when it expires the
broker dead-letters it through the default exchange back to the queue it came from
(its routing key is that queue's name). After the last attempt, or at once for a
message that can never be processed, it goes to the dead-letter queue.
"""

from datetime import datetime, timezone

from kombu import Exchange, Queue
from nameko.amqp.publish import get_producer

RETRY_EXCHANGE = Exchange("partyday.retry", type="fanout", durable=True)
RETRY_QUEUE = Queue(
    "partyday.retry",
    exchange=RETRY_EXCHANGE,
    durable=True,
    queue_arguments={"x-dead-letter-exchange": ""},
)
DEAD_LETTER_EXCHANGE = Exchange("partyday.dead-letter", type="fanout", durable=True)
DEAD_LETTER_QUEUE = Queue("partyday.dead-letters", exchange=DEAD_LETTER_EXCHANGE, durable=True)

ATTEMPTS_HEADER = "x-partyday-attempts"
ORIGINAL_QUEUE_HEADER = "x-partyday-original-queue"
REASON_HEADER = "x-partyday-reason"
ERROR_HEADER = "x-partyday-error"
SERVICE_HEADER = "x-partyday-service"
FAILED_AT_HEADER = "x-partyday-failed-at"

FAILURE_TOPOLOGY = [RETRY_EXCHANGE, RETRY_QUEUE, DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE]

# Bounded: a broker that stays away must not hang the consumer for ever.
REROUTE_RETRY_POLICY = {"max_retries": 3, "interval_start": 0.5, "interval_step": 1, "interval_max": 2}


def publish_raw(
    amqp_uri: str, message, exchange: Exchange, routing_key: str, headers: dict, expiration_ms: int | None = None
) -> None:
    """Publish a received message's bytes unchanged, with new headers, under publisher confirms."""
    options = {}
    if expiration_ms is not None:
        options["expiration"] = expiration_ms / 1000  # kombu takes seconds
    with get_producer(amqp_uri, confirms=True) as producer:
        producer.publish(
            message.body,
            exchange=exchange,
            routing_key=routing_key,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            headers=headers,
            delivery_mode=2,
            declare=FAILURE_TOPOLOGY,
            retry=True,
            retry_policy=REROUTE_RETRY_POLICY,
            **options,
        )


def schedule_retry(amqp_uri: str, message, queue_name: str, attempts: int, delay_ms: int) -> None:
    headers = dict(message.headers or {})
    headers[ATTEMPTS_HEADER] = attempts
    publish_raw(amqp_uri, message, RETRY_EXCHANGE, queue_name, headers, expiration_ms=delay_ms)


def dead_letter(amqp_uri: str, message, queue_name: str, service: str, reason: str, error: str, attempts: int) -> None:
    headers = dict(message.headers or {})
    headers.update(
        {
            ORIGINAL_QUEUE_HEADER: queue_name,
            REASON_HEADER: reason,
            ERROR_HEADER: error[:2000],
            SERVICE_HEADER: service,
            FAILED_AT_HEADER: datetime.now(timezone.utc).isoformat(),
            ATTEMPTS_HEADER: attempts,
        }
    )
    publish_raw(amqp_uri, message, DEAD_LETTER_EXCHANGE, queue_name, headers)
