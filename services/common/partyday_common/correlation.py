"""Correlation ids: one id follows a request through RPC calls, events and logs."""

import contextvars
import uuid

from nameko.extensions import DependencyProvider

CONTEXT_KEY = "correlation_id"
HEADER_NAME = f"nameko.{CONTEXT_KEY}"
ACTOR_KEY = "actor_id"
CLIENT_IP_KEY = "client_ip"

current_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
current_actor_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("actor_id", default=None)
current_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class Correlation(DependencyProvider):
    """Makes sure every worker has a correlation id and that logs and outgoing calls carry it.

    nameko copies a worker's context data into the headers of the RPC calls and
    events it makes, so storing the id there is what makes it travel.
    """

    def get_dependency(self, worker_ctx):
        # Injection runs first in the worker's own greenthread, before worker_setup.
        correlation_id = worker_ctx.context_data.get(CONTEXT_KEY) or new_correlation_id()
        worker_ctx.context_data[CONTEXT_KEY] = correlation_id
        current_correlation_id.set(correlation_id)
        return correlation_id
