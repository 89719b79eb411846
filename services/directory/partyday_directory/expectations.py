"""What the directory expects of the events it consumes: only the fields it reads, anything else ignored.
`event_consumer(..., expects=...)` validates each payload with these before the handler runs; a payload that
breaks them is dead-lettered at once."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ActExpected(BaseModel):
    """The fields of an `administrative_act` (plans, attendance, media, scoring) the audit log keeps."""

    model_config = ConfigDict(extra="ignore")

    actor_id: str | None
    client_ip: str | None
    action: str
    target_type: str
    target_id: str
    org_path: str | None
    details: dict = {}
    at: datetime
