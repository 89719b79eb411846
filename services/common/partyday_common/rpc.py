"""RPC between services, always with a timeout.

nameko's in-service RpcProxy waits for ever for a reply; a caller whose callee is
down or stuck would hold its worker, and the request behind it, indefinitely.
"""

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from partyday_common.errors import DomainError
from partyday_common.settings import get_settings

RPC_TIMEOUT_CONFIG_KEY = "RPC_TIMEOUT_S"

# Seconds a client is told to wait when a service the called one depends on cannot be reached.
CALLEE_RETRY_AFTER_S = 5


class RpcTimeout(Exception):
    """The called service did not answer in time."""


# What a call raises when the called service is not there (no queue) or does not answer.
UNREACHABLE = (RpcTimeout, UnknownService)


def unreachable(service: str, exc: Exception) -> DomainError:
    """What an RPC answers when a service it calls is not there or does not answer: 503 SERVICE_UNAVAILABLE
    with a retry_after (the gateway's Retry-After), as the gateway answers when it cannot reach a service."""
    return DomainError(
        "SERVICE_UNAVAILABLE",
        f"the {service} service is unavailable; try again shortly",
        503,
        {"service": service, "reason": str(exc), "retry_after": CALLEE_RETRY_AFTER_S},
    )


class TimedRpcProxy(RpcProxy):
    """Like nameko's RpcProxy, but every call gives up after a timeout (PARTYDAY_RPC_TIMEOUT_S)."""

    def __init__(self, target_service, timeout: float | None = None, **options):
        super().__init__(target_service, **options)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or self.container.config.get(RPC_TIMEOUT_CONFIG_KEY) or get_settings().rpc_timeout_s
        return _TimedServiceProxy(super().get_dependency(worker_ctx), self.target_service, float(timeout))


class _TimedServiceProxy:
    def __init__(self, proxy, service: str, timeout: float):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, **kwargs):
            reply = method.call_async(*args, **kwargs)
            where = f"{self._service}.{method_name}"
            with eventlet.Timeout(self._timeout, RpcTimeout(f"{where} did not answer within {self._timeout}s")):
                return reply.result()

        return call
