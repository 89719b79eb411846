"""The events media emits: one model per event type, the `data` of its envelope."""

from pydantic import AwareDatetime, BaseModel, Field

from partyday_common.acts import ACT_EVENT, AdministrativeAct


class DetailScoreChanged(BaseModel):
    """`detail_score_changed`, version 1: an activity's detail score (图文详尽程度, 0-100) changed;
    scoring reads it as the upload-detail indicator. `breakdown` holds the formula's parts."""

    activity_id: str
    branch_id: str
    branch_path: str
    detail_score: int = Field(ge=0, le=100)
    breakdown: dict
    at: AwareDatetime


class UploadRejected(BaseModel):
    """`upload_rejected`, version 1: a superior rejected an upload with a reason; whoever uploaded it is told."""

    media_id: str
    activity_id: str
    branch_id: str
    branch_path: str
    uploaded_by: str | None
    filename: str | None
    reason: str
    at: AwareDatetime


EVENTS: dict[str, type[BaseModel]] = {
    "detail_score_changed": DetailScoreChanged,
    "upload_rejected": UploadRejected,
    ACT_EVENT: AdministrativeAct,
}

SUBSCRIBED: frozenset[str] = frozenset({"detail_score_changed", "upload_rejected", ACT_EVENT})
