"""Events into the outbox, each built through its contract model (`partyday_plans_contracts.events`)."""

from pydantic import BaseModel
from sqlalchemy.orm import Session

from partyday_common.db import emit
from partyday_plans_contracts.events import EVENTS

EVENT_TYPES: dict[type[BaseModel], str] = {model: event_type for event_type, model in EVENTS.items()}


def announce(session: Session, payload: BaseModel) -> None:
    """Emit `payload` with the transaction, as the event type `EVENTS` names for its model."""
    emit(session, EVENT_TYPES[type(payload)], payload.model_dump(mode="json"))
