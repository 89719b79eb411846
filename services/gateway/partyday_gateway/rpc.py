"""An asyncio client for nameko RPC, over one pika connection per gateway process.

It speaks nameko's protocol: a JSON `{"args", "kwargs"}` request published to the
`nameko-rpc` topic exchange under `<service>.<method>`, with `reply_to` and
`correlation_id`; the reply arrives on this process's own reply queue as
`{"result", "error"}`. Calls share the connection and wait on futures, so the event
loop never blocks on AMQP and no connection is opened per request. Requests are
published `mandatory`, so a service with no queue at all is reported at once, and
expire with their timeout, so a service that comes back does not run calls whose
callers were already told 504.
"""

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pika
from pika.adapters.asyncio_connection import AsyncioConnection
from prometheus_client import Counter, Histogram
from pydantic import BaseModel, ValidationError

from partyday_common.correlation import (
    ACTOR_KEY,
    CLIENT_IP_KEY,
    HEADER_NAME,
    current_actor_id,
    current_client_ip,
    current_correlation_id,
)
from partyday_common.envelope import Envelope, EnvelopeError, parse_envelope

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"

RPC_LATENCY = Histogram(
    "partyday_gateway_rpc_duration_seconds",
    "RPC calls from the gateway to the services, by outcome.",
    ["service", "method", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

EVENTS_DROPPED = Counter(
    "partyday_gateway_events_dropped_total",
    "Events this gateway process followed and could not take in, by why: not an envelope, an event type it does "
    "not follow, a payload that is not what it expects, or a failing handler.",
    ["source", "reason"],
)


class ServiceUnavailable(Exception):
    def __init__(self, service: str, reason: str):
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class ServiceTimeout(Exception):
    def __init__(self, service: str, method: str, timeout: float):
        super().__init__(f"{service}.{method} did not answer within {timeout}s")
        self.service = service
        self.method = method
        self.timeout = timeout


class RemoteError(Exception):
    """The service raised; `error` is nameko's serialised exception."""

    def __init__(self, service: str, method: str, error: dict):
        super().__init__(f"{service}.{method}: {error.get('exc_type')}: {error.get('value')}")
        self.service = service
        self.method = method
        self.error = error


def _callback_future(loop: asyncio.AbstractEventLoop):
    future = loop.create_future()

    def resolve(*args):
        if not future.done():
            future.set_result(args[-1] if args else None)

    return future, resolve


@dataclass(frozen=True)
class Subscription:
    """Events of one service that this gateway process follows, on its own exclusive queue.

    `expects` names, per event type, the gateway's own model of the payload fields it reads (`extra="ignore"`);
    `on_event` gets the envelope and the payload validated by it. The queue lives as long as the connection, so
    whatever happened while it was away is for `on_subscribed` to catch up on (it runs after every connect), and
    `on_lost` is told when it goes."""

    source: str
    expects: Mapping[str, type[BaseModel]]
    on_event: Callable[[Envelope, BaseModel], None]
    on_subscribed: Callable[[], None]
    on_lost: Callable[[], None]

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.expects)


def take_event(subscription: Subscription, body: bytes) -> None:
    """Hand one delivered event to its subscription, or drop it with a warning: the queue is this process's own
    and acknowledges on delivery, so a message that is not an envelope of an expected event type, or whose payload
    is not what the gateway expects, could never be taken in, and there is nothing to retry."""
    try:
        envelope = parse_envelope(json.loads(body))
    except (ValueError, EnvelopeError) as exc:
        _drop(subscription, "envelope", "ignored a malformed event from %s: %s", subscription.source, exc)
        return
    expected = subscription.expects.get(envelope.event_type)
    if expected is None:
        _drop(
            subscription,
            "event_type",
            "ignored a %s event from %s, which this gateway does not follow",
            envelope.event_type,
            subscription.source,
        )
        return
    try:
        payload = expected.model_validate(envelope.data)
    except ValidationError as exc:
        _drop(
            subscription,
            "payload",
            "ignored a %s event %s from %s whose payload is not what the gateway expects: %s",
            envelope.event_type,
            envelope.event_id,
            subscription.source,
            exc,
        )
        return
    try:
        subscription.on_event(envelope, payload)
    except Exception:
        EVENTS_DROPPED.labels(subscription.source, "handler").inc()
        log.exception("could not take in a %s event from %s", envelope.event_type, subscription.source)


def _drop(subscription: Subscription, reason: str, message: str, *args) -> None:
    EVENTS_DROPPED.labels(subscription.source, reason).inc()
    log.warning(message, *args)


class NamekoRpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 5.0, connect_timeout: float = 5.0, reconnect_max: float = 10.0):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.reconnect_max = reconnect_max
        self._connection: AsyncioConnection | None = None
        self._channel = None
        self._reply_key: str | None = None
        self._pending: dict[str, tuple[asyncio.Future, str]] = {}
        self._closing = False
        self._reconnect_task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._subscriptions: list[Subscription] = []

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def start(self) -> None:
        """Connect, or keep trying in the background if the broker is not up yet."""
        try:
            await self._connect()
        except Exception as exc:
            log.warning("broker not reachable yet (%s); retrying in the background", exc)
            self._schedule_reconnect()

    def subscribe(self, subscription: Subscription) -> None:
        """Follow a service's events from the next connect on (call it before `start`)."""
        self._subscriptions.append(subscription)

    async def close(self) -> None:
        self._closing = True
        if self._reconnect_task:
            self._reconnect_task.cancel()
        self._fail_pending("gateway shutting down")
        if self._connection and self._connection.is_open:
            closed = asyncio.get_running_loop().create_future()
            self._on_closed_future = closed
            self._connection.close()
            try:
                await asyncio.wait_for(closed, 2)
            except asyncio.TimeoutError:
                pass

    async def call(self, service: str, method: str, *args, timeout: float | None = None, **kwargs):
        """Call `service.method(*args, **kwargs)` and return its result."""
        if not self.ready:
            raise ServiceUnavailable("broker", "the message broker is not reachable")
        timeout = timeout or self.timeout
        loop = asyncio.get_running_loop()
        correlation_id = uuid.uuid4().hex
        future = loop.create_future()
        self._pending[correlation_id] = (future, service)
        headers = {"nameko.call_id_stack": [f"gateway.{service}.{method}.{correlation_id}"]}
        request_correlation = current_correlation_id.get()
        if request_correlation:
            headers[HEADER_NAME] = request_correlation
        for key, variable in ((ACTOR_KEY, current_actor_id), (CLIENT_IP_KEY, current_client_ip)):
            if variable.get():
                headers[f"nameko.{key}"] = variable.get()
        properties = pika.BasicProperties(
            content_type="application/json",
            reply_to=self._reply_key,
            correlation_id=correlation_id,
            headers=headers,
            expiration=str(int(timeout * 1000)),
        )
        started = time.perf_counter()
        outcome = "ok"
        try:
            self._channel.basic_publish(
                RPC_EXCHANGE,
                f"{service}.{method}",
                json.dumps({"args": list(args), "kwargs": kwargs}, ensure_ascii=False).encode(),
                properties,
                mandatory=True,
            )
            try:
                reply = await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                outcome = "timeout"
                raise ServiceTimeout(service, method, timeout) from None
            if reply.get("error"):
                outcome = "error"
                raise RemoteError(service, method, reply["error"])
            return reply.get("result")
        except ServiceUnavailable:
            outcome = "unavailable"
            raise
        except Exception as exc:
            if outcome == "ok" and not isinstance(exc, (ServiceTimeout, RemoteError)):
                outcome = "unavailable"
                raise ServiceUnavailable(service, f"could not send the request: {exc}") from exc
            raise
        finally:
            self._pending.pop(correlation_id, None)
            RPC_LATENCY.labels(service, method, outcome).observe(time.perf_counter() - started)

    async def declare_and_count(self, queue: str) -> int:
        """Declare a durable queue (idempotent) and return how many messages it holds."""
        if not self.ready:
            raise ServiceUnavailable("broker", "the message broker is not reachable")
        future, resolve = _callback_future(asyncio.get_running_loop())
        self._channel.queue_declare(queue=queue, durable=True, callback=resolve)
        frame = await asyncio.wait_for(future, self.timeout)
        return frame.method.message_count

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        opened = loop.create_future()

        def on_open(connection):
            if not opened.done():
                opened.set_result(connection)

        def on_open_error(_connection, error):
            if not opened.done():
                opened.set_exception(ConnectionError(str(error)))

        parameters = pika.URLParameters(self.amqp_uri)
        parameters.connection_attempts = 1
        parameters.socket_timeout = self.connect_timeout
        connection = AsyncioConnection(
            parameters,
            on_open_callback=on_open,
            on_open_error_callback=on_open_error,
            on_close_callback=self._on_connection_closed,
            custom_ioloop=loop,
        )
        self._connection = connection
        try:
            await asyncio.wait_for(opened, self.connect_timeout)
            channel = await self._open_channel(connection, loop)
        except BaseException:
            if not connection.is_closed and not connection.is_closing:
                connection.close()
            raise
        self._channel = channel
        self._ready.set()
        log.info("connected to the broker")
        for subscription in self._subscriptions:
            subscription.on_subscribed()

    async def _open_channel(self, connection, loop):
        """A channel with this connection's own server-named reply queue, consuming."""

        async def step(operation, **arguments):
            future, resolve = _callback_future(loop)
            operation(callback=resolve, **arguments)
            return await asyncio.wait_for(future, self.connect_timeout)

        future, resolve = _callback_future(loop)
        connection.channel(on_open_callback=resolve)
        channel = await asyncio.wait_for(future, self.connect_timeout)
        channel.add_on_return_callback(self._on_return)
        channel.add_on_close_callback(self._on_channel_closed)
        await step(channel.exchange_declare, exchange=RPC_EXCHANGE, exchange_type="topic", durable=True)
        declared = await step(channel.queue_declare, queue="", exclusive=True, auto_delete=True)
        reply_key = declared.method.queue
        await step(channel.queue_bind, queue=reply_key, exchange=RPC_EXCHANGE, routing_key=reply_key)
        await step(channel.basic_consume, queue=reply_key, on_message_callback=self._on_reply, auto_ack=True)
        self._reply_key = reply_key
        for subscription in self._subscriptions:
            exchange = f"{subscription.source}.events"
            await step(channel.exchange_declare, exchange=exchange, exchange_type="topic", durable=True)
            declared = await step(channel.queue_declare, queue="", exclusive=True, auto_delete=True)
            for event_type in subscription.event_types:
                await step(channel.queue_bind, queue=declared.method.queue, exchange=exchange, routing_key=event_type)
            await step(
                channel.basic_consume,
                queue=declared.method.queue,
                auto_ack=True,
                on_message_callback=self._event_handler(subscription),
            )
        return channel

    @staticmethod
    def _event_handler(subscription: Subscription):
        def on_message(_channel, _method, _properties, body) -> None:
            take_event(subscription, body)

        return on_message

    def _on_reply(self, _channel, _method, properties, body) -> None:
        entry = self._pending.get(properties.correlation_id)
        if entry is None:
            return
        future, service = entry
        if future.done():
            return
        try:
            future.set_result(json.loads(body))
        except ValueError as exc:
            future.set_exception(ServiceUnavailable(service, f"unreadable reply: {exc}"))

    def _on_return(self, _channel, method, properties, _body) -> None:
        entry = self._pending.get(properties.correlation_id)
        if entry and not entry[0].done():
            entry[0].set_exception(
                ServiceUnavailable(entry[1], f"no {entry[1]} service is listening ({method.reply_text})")
            )

    def _on_channel_closed(self, channel, reason) -> None:
        if channel is not self._channel and self._channel is not None:
            return
        if not self._closing:
            log.warning("broker channel closed: %s", reason)
        if self._connection and self._connection.is_open:
            self._connection.close()

    def _on_connection_closed(self, connection, reason) -> None:
        if connection is not self._connection:
            return
        self._ready.clear()
        self._channel = None
        for subscription in self._subscriptions:
            subscription.on_lost()
        waiter = getattr(self, "_on_closed_future", None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._fail_pending(f"lost the broker connection: {reason}")
        if not self._closing:
            log.warning("broker connection lost (%s); reconnecting", reason)
            self._schedule_reconnect()

    def _fail_pending(self, reason: str) -> None:
        for future, service in list(self._pending.values()):
            if not future.done():
                future.set_exception(ServiceUnavailable(service, reason))

    def _schedule_reconnect(self) -> None:
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.5
        while not self._closing and not self.ready:
            await asyncio.sleep(delay)
            try:
                await self._connect()
            except Exception as exc:
                log.warning("reconnect to the broker failed: %s", exc)
                delay = min(delay * 2, self.reconnect_max)
