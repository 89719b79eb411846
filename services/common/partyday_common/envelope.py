"""The envelope every event travels in.

`event_id` makes consumption idempotent, `version` lets a payload schema evolve,
`occurred_at` is when the fact happened (not when it was delivered), and the
correlation id ties the event to the request that caused it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone


class EnvelopeError(ValueError):
    """A message that is not a well-formed event envelope: it can never be processed."""


@dataclass(frozen=True)
class Envelope:
    event_type: str
    source: str
    data: dict
    version: int = 1
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    correlation_id: str | None = None

    def to_message(self) -> dict:
        """The envelope as the message body; `data` is shared, not copied (asdict's deep copy cost a bulk
        import more than its inserts)."""
        return dict(vars(self))

    @property
    def occurred(self) -> datetime:
        return datetime.fromisoformat(self.occurred_at)


_REQUIRED = {"event_id": str, "event_type": str, "source": str, "version": int, "occurred_at": str, "data": dict}


def parse_envelope(body) -> Envelope:
    """Validate a decoded message body and return its envelope, or raise EnvelopeError."""
    if not isinstance(body, dict):
        raise EnvelopeError(f"an event body must be an object, got {type(body).__name__}")
    for name, kind in _REQUIRED.items():
        if name not in body:
            raise EnvelopeError(f"the envelope has no {name}")
        if not isinstance(body[name], kind) or (kind is int and isinstance(body[name], bool)):
            raise EnvelopeError(f"the envelope's {name} must be a {kind.__name__}")
    if not body["event_id"]:
        raise EnvelopeError("the envelope's event_id is empty")
    if body["version"] < 1:
        raise EnvelopeError("the envelope's version must be 1 or more")
    try:
        occurred = datetime.fromisoformat(body["occurred_at"])
    except ValueError as exc:
        raise EnvelopeError(f"the envelope's occurred_at is not ISO 8601: {exc}") from exc
    if occurred.tzinfo is None:
        raise EnvelopeError("the envelope's occurred_at has no UTC offset")
    correlation_id = body.get("correlation_id")
    if correlation_id is not None and not isinstance(correlation_id, str):
        raise EnvelopeError("the envelope's correlation_id must be a string")
    return Envelope(
        event_type=body["event_type"],
        source=body["source"],
        data=body["data"],
        version=body["version"],
        event_id=body["event_id"],
        occurred_at=body["occurred_at"],
        correlation_id=correlation_id,
    )
