"""Operations' view of the dead-letter queue: count, inspect, and replay after a fix."""

from kombu import Connection

from partyday_common.topology import (
    ATTEMPTS_HEADER,
    DEAD_LETTER_QUEUE,
    ERROR_HEADER,
    FAILED_AT_HEADER,
    FAILURE_TOPOLOGY,
    ORIGINAL_QUEUE_HEADER,
    REASON_HEADER,
    SERVICE_HEADER,
)


def _declared(connection: Connection):
    channel = connection.default_channel
    for entity in FAILURE_TOPOLOGY:
        entity.bind(channel).declare()
    return channel


def inspect(amqp_uri: str, limit: int = 50) -> list[dict]:
    """Up to `limit` dead letters, oldest first; they stay in the queue."""
    letters = []
    with Connection(amqp_uri) as connection:
        queue = DEAD_LETTER_QUEUE.bind(_declared(connection))
        held = []
        while len(held) < limit:
            message = queue.get(no_ack=False, accept=["json"])
            if message is None:
                break
            held.append(message)
            headers = message.headers or {}
            letters.append(
                {
                    "queue": headers.get(ORIGINAL_QUEUE_HEADER),
                    "service": headers.get(SERVICE_HEADER),
                    "reason": headers.get(REASON_HEADER),
                    "error": headers.get(ERROR_HEADER),
                    "attempts": headers.get(ATTEMPTS_HEADER),
                    "failed_at": headers.get(FAILED_AT_HEADER),
                    "content_type": message.content_type,
                    "body": message.body.decode("utf-8", "replace")
                    if isinstance(message.body, bytes)
                    else str(message.body),
                }
            )
        for message in held:
            message.requeue()
    return letters


def replay(amqp_uri: str, limit: int | None = None) -> int:
    """Send dead letters back to the queues they came from, with a fresh attempt count.

    Only the letters present when it starts are handled, so letters that fail again
    during the replay wait for the next one. A letter whose queue no longer exists stays.
    """
    moved = 0
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        channel = _declared(connection)
        waiting = channel.queue_declare(DEAD_LETTER_QUEUE.name, passive=True).message_count
        budget = waiting if limit is None else min(limit, waiting)
        queue = DEAD_LETTER_QUEUE.bind(channel)
        producer = connection.Producer(channel)
        kept = []
        for _ in range(budget):
            message = queue.get(no_ack=False)
            if message is None:
                break
            target = (message.headers or {}).get(ORIGINAL_QUEUE_HEADER)
            if not target or not _queue_exists(connection, target):
                kept.append(message)
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-partyday-")}
            producer.publish(
                message.body,
                exchange="",
                routing_key=target,
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
            moved += 1
        for message in kept:
            message.requeue()
    return moved


def _queue_exists(connection: Connection, name: str) -> bool:
    channel = connection.channel()
    try:
        channel.queue_declare(name, passive=True)
        return True
    except Exception:
        return False
    finally:
        if channel.is_open:
            channel.close()


def count(amqp_uri: str) -> int:
    with Connection(amqp_uri) as connection:
        channel = _declared(connection)
        return channel.queue_declare(DEAD_LETTER_QUEUE.name, passive=True).message_count
