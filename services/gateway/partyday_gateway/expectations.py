"""What the gateway reads of the events it follows: one model a payload, of only the fields it reads, written here
and never imported from the producer, so that a producer's other changes pass unnoticed and a change to a field the
gateway reads fails the contract test instead of a running gateway."""

from pydantic import BaseModel, ConfigDict


class SessionEnded(BaseModel):
    """The directory's `session_ended`: the session whose access tokens must stop working now."""

    model_config = ConfigDict(extra="ignore")

    session_id: str
