"""Request metrics, correlation ids and the request log for every HTTP request."""

import logging
import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partyday_common.correlation import current_client_ip, current_correlation_id, new_correlation_id

CORRELATION_HEADER = b"x-correlation-id"

request_log = logging.getLogger("partyday_gateway.requests")

REQUEST_LATENCY = Histogram(
    "partyday_http_request_duration_seconds",
    "HTTP requests answered by the gateway, by route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _template(scope: Scope) -> str:
    """The route's template; a file under a mount (/static, /docs-assets) as the mount's; `unmatched` for no route."""
    route = getattr(scope.get("route"), "path", None)
    if route:
        return route
    mount = scope.get("root_path")
    return f"{mount}/{{path}}" if mount else "unmatched"


class ObservabilityMiddleware:
    """Times each request under its route template, tags it with a correlation id and writes one log line for it
    (method, route template, status, duration, client address; the JSON formatter adds the correlation id)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER, b"").decode("latin-1")
        correlation_id = incoming[:64] if incoming.isprintable() and incoming else new_correlation_id()
        token = current_correlation_id.set(correlation_id)
        client_ip = (scope.get("client") or ("unknown",))[0]
        ip_token = current_client_ip.set(client_ip)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(CORRELATION_HEADER, correlation_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            template = _template(scope)
            duration = time.perf_counter() - started
            REQUEST_LATENCY.labels(scope["method"], template, str(status)).observe(duration)
            request_log.info(
                "%s %s %s",
                scope["method"],
                template,
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "route": template,
                        "status": status,
                        "duration_ms": round(duration * 1000, 2),
                        "client_ip": client_ip,
                    }
                },
            )
            current_correlation_id.reset(token)
            current_client_ip.reset(ip_token)
