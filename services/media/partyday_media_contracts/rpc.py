"""The media service's contracts: RPC payloads it accepts, events it emits, and what it
expects of the events it consumes (checked against the producers' schemas in the tests)."""
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

INCOMING_KEY = r"^incoming/[0-9a-f]{32}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Upload(Strict):
    """A file the gateway streamed into storage: where it is and what it saw on the way."""

    key: str = Field(pattern=INCOMING_KEY)
    format: str = Field(pattern="^(jpeg|png|webp|mp4|pdf)$")
    size: int = Field(gt=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    filename: str | None = Field(None, max_length=255)
    caption: str | None = Field(None, max_length=500)
    action: str | None = Field(None, min_length=1, max_length=100)
    uploaded_by: str | None = Field(None, max_length=64)


class MaterialText(Strict):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=100_000)


class NoteCreate(Strict):
    branch_id: str = Field(min_length=1, max_length=64)
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    member_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=10, max_length=20_000)


class DetailScoreChanged(BaseModel):
    """`detail_score_changed`, version 1: an activity's detail score (图文详尽程度, 0-100) changed;
    scoring reads it as the upload-detail indicator. `breakdown` holds the formula's parts."""

    activity_id: str
    branch_id: str
    branch_path: str
    detail_score: int = Field(ge=0, le=100)
    breakdown: dict
    at: datetime


class PlanApprovedExpected(BaseModel):
    """The fields of `plans.plan_approved` media reads: each activity's branch, day, venue and actions."""

    model_config = ConfigDict(extra="ignore")

    activity_id: str
    branch_id: str
    branch_path: str
    month: str
    starts_at: datetime
    venue_lat: float
    venue_lon: float
    radius_m: int
    required_actions: list[str] = []


class SummaryExpected(BaseModel):
    """The fields of `plans.summary_submitted` media reads for the summary part of the score."""

    model_config = ConfigDict(extra="ignore")

    branch_id: str
    branch_path: str
    month: str
    activity_id: str | None = None
    summary_chars: int = 0


class ActivityClosedExpected(BaseModel):
    """The fields of `attendance.activity_closed` media reads: the sign-in sheet exists."""

    model_config = ConfigDict(extra="ignore")

    activity_id: str
    branch_id: str
    branch_path: str


class DirectiveExpected(BaseModel):
    """The fields of `plans.directive_published` media reads to attach study materials."""

    model_config = ConfigDict(extra="ignore")

    directive_id: str
    org_id: str
    org_path: str
    month: str
    theme: str


EVENTS = {"detail_score_changed": DetailScoreChanged}
