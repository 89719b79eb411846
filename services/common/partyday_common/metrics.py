"""Prometheus metrics every service exposes, and the dependency that records them."""

import logging
import time

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from partyday_common.settings import get_settings

log = logging.getLogger(__name__)

METRICS_PORT_CONFIG_KEY = "METRICS_PORT"
# An entrypoint that takes this long is logged as a warning: the gateway gives up on an RPC after 5 s.
SLOW_ENTRYPOINT_S = 1.0

ENTRYPOINT_LATENCY = Histogram(
    "partyday_entrypoint_duration_seconds",
    "Time a service entrypoint (RPC, event handler, timer) took, by entrypoint.",
    ["service", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ENTRYPOINT_ERRORS = Counter(
    "partyday_entrypoint_errors_total",
    "Entrypoint calls that ended in an exception, by entrypoint and exception type.",
    ["service", "entrypoint", "error"],
)
OUTBOX_BACKLOG = Gauge(
    "partyday_outbox_backlog",
    "Events committed to the outbox and not yet published.",
    ["service"],
)
OUTBOX_ABANDONED = Counter(
    "partyday_outbox_abandoned_total",
    "Events given up after no queue was bound for them until the give-up time.",
    ["service", "event_type"],
)
REJECTIONS = Counter(
    "partyday_entrypoint_rejections_total",
    "Calls answered with a domain error (bad input or a rule), by entrypoint and reason code.",
    ["service", "entrypoint", "code"],
)
DEAD_LETTERS = Counter(
    "partyday_dead_letters_total",
    "Messages this service sent to the dead-letter queue, by queue and reason.",
    ["service", "queue", "reason"],
)
DUPLICATE_EVENTS = Counter(
    "partyday_duplicate_events_total",
    "Events delivered again after they were processed; acknowledged without effect.",
    ["service", "consumer"],
)
EVENT_RETRIES = Counter(
    "partyday_event_retries_total",
    "Event deliveries that failed and were scheduled for another attempt.",
    ["service", "consumer"],
)


class ServiceMetrics(DependencyProvider):
    """Times every entrypoint, counts its errors, and serves /metrics over HTTP."""

    def __init__(self):
        self._started = {}

    def setup(self):
        service = self.container.service_name
        port = self.container.config.get(METRICS_PORT_CONFIG_KEY)
        if port is None:
            port = get_settings().metrics_port(service)
        OUTBOX_BACKLOG.labels(service).set(0)
        if int(port):
            start_http_server(int(port))
            log.info("metrics served on port %s", port)

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        elapsed = time.perf_counter() - started if started is not None else 0.0
        ENTRYPOINT_LATENCY.labels(service, name).observe(elapsed)
        outcome = "ok"
        if exc_info is not None:
            code = getattr(exc_info[1], "code", None)
            if isinstance(exc_info[1], worker_ctx.entrypoint.expected_exceptions) and code:
                REJECTIONS.labels(service, name, code).inc()
                outcome = code
            else:
                ENTRYPOINT_ERRORS.labels(service, name, exc_info[0].__name__).inc()
                outcome = exc_info[0].__name__
        level = logging.WARNING if elapsed >= SLOW_ENTRYPOINT_S else logging.INFO
        log.log(
            level,
            "%s %s%s",
            name,
            outcome,
            " (slow)" if level == logging.WARNING else "",
            extra={"fields": {"entrypoint": name, "outcome": outcome, "duration_ms": round(elapsed * 1000, 2)}},
        )

    def get_dependency(self, worker_ctx):
        return None
