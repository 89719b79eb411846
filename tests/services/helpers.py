import json
import time

from kombu import Connection
from nameko.events import get_event_exchange

from partyday_common.envelope import Envelope


def wait_until(condition, timeout: float = 10, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{message} did not hold within {timeout}s")


def publish_event(
    amqp_uri: str,
    source: str,
    envelope: Envelope | None = None,
    *,
    event_type: str | None = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> None:
    """Publish to a service's event exchange as nameko does, or raw bytes as a broken producer might."""
    exchange = get_event_exchange(source, {})
    body = raw if raw is not None else json.dumps(envelope.to_message()).encode()
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        producer.publish(
            body,
            exchange=exchange,
            routing_key=event_type or envelope.event_type,
            content_type=content_type,
            content_encoding="utf-8",
            declare=[exchange],
        )
