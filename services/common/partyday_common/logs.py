"""Structured logging: one JSON object a line, with the correlation id of the work in hand."""

import json
import logging
import sys
from datetime import datetime, timezone

from partyday_common.correlation import current_correlation_id


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": current_correlation_id.get(),
        }
        extra = getattr(record, "fields", None)
        if extra:
            entry.update(extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class DropExpectedErrors(logging.Filter):
    """Leaves out nameko's warning, with a traceback, for every expected exception a worker raises: a
    DomainError is an answer (a refused sign-in, a rule broken), which ServiceMetrics logs and counts with
    its reason code; on the party day thousands of refusals would each format a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "nameko.containers" and record.msg.startswith("(expected) error handling"))


class TextFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__(f"%(asctime)s {service} %(levelname)s %(name)s [%(correlation_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.correlation_id = current_correlation_id.get() or "-"
        return super().format(record)


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The gateway's RPC client reports broker trouble itself, once; pika would log each retry as an error.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    for noisy in ("amqp", "kombu", "nameko.containers"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
