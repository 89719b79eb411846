"""The events notifications emits: none yet; people read their notifications over RPC."""

from pydantic import BaseModel

EVENTS: dict[str, type[BaseModel]] = {}

SUBSCRIBED: frozenset[str] = frozenset()
