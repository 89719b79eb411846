"""The events media emits: one model per event type, the `data` of its envelope."""

from datetime import datetime

from pydantic import BaseModel, Field


class DetailScoreChanged(BaseModel):
    """`detail_score_changed`, version 1: an activity's detail score (图文详尽程度, 0-100) changed;
    scoring reads it as the upload-detail indicator. `breakdown` holds the formula's parts."""

    activity_id: str
    branch_id: str
    branch_path: str
    detail_score: int = Field(ge=0, le=100)
    breakdown: dict
    at: datetime


EVENTS: dict[str, type[BaseModel]] = {"detail_score_changed": DetailScoreChanged}

SUBSCRIBED: frozenset[str] = frozenset({"detail_score_changed"})
