"""What every partyday nameko service has: correlation, metrics, a database and a ping."""

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from partyday_common.correlation import Correlation
from partyday_common.errors import DomainError
from partyday_common.metrics import ServiceMetrics


class ReplyPublisher(Publisher):
    """Replies go to the caller's own transient queue: a broker confirm would make every answer wait for a
    round trip and protect nothing, since a lost reply ends as the caller's timeout either way."""

    use_confirms = False


class ReplyResponder(Responder):
    publisher_cls = ReplyPublisher


class UnconfirmedReplyRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, answering through ReplyResponder."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = ReplyResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


# Seconds a client is told to wait when the service's database cannot be reached.
DATABASE_RETRY_AFTER_S = 5


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether a failure means the database cannot be reached now (restarting, connections cut, pool
    exhausted), rather than a fault of the request or of the code."""
    if isinstance(exc, (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def answerable(exc_info):
    """The failure an RPC answers: a database that cannot be reached is 503 SERVICE_UNAVAILABLE with a
    retry_after (the gateway's Retry-After), not an unexpected error."""
    if exc_info is None or not database_unavailable(exc_info[1]):
        return exc_info
    unavailable = DomainError(
        "SERVICE_UNAVAILABLE",
        "the service cannot reach its database just now; try again shortly",
        503,
        {"retry_after": DATABASE_RETRY_AFTER_S, "reason": "database"},
    )
    unavailable.__cause__ = exc_info[1]
    return (DomainError, unavailable, exc_info[2])


class PartydayRpc(Rpc):
    rpc_consumer = UnconfirmedReplyRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        return super().handle_result(message, worker_ctx, result, answerable(exc_info))


def rpc(method):
    """A nameko RPC entrypoint for which a DomainError is an answer, not a fault."""
    return PartydayRpc.decorator(expected_exceptions=(DomainError,))(method)


class PartydayService:
    """Base for the service classes; subclasses set `name` and `db = Database(metadata, subscribed=SUBSCRIBED)`."""

    name: str
    correlation = Correlation()
    metrics = ServiceMetrics()

    @rpc
    def noop(self):
        """Answers at once and touches nothing: a round trip's own cost, for benchmarks."""

    @rpc
    def ping(self):
        """Readiness: answers when the service consumes RPC and reaches its database."""
        self.db.ping()
        return {"service": self.name, "status": "ok"}
