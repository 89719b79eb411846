"""The scoring service's contracts: RPC payloads it accepts and events it reads and emits."""
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CommentCreate(Strict):
    text: str = Field(min_length=1, max_length=2000)


class ReportCreate(Strict):
    reason: str | None = Field(None, max_length=500)


class Moderation(Strict):
    decision: str = Field(pattern="^(restore|remove)$")


class SuperiorScore(Strict):
    score: int = Field(ge=0, le=100)


class CampaignCreate(Strict):
    org_id: str = Field(min_length=1, max_length=64)
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])
    title: str = Field(min_length=1, max_length=200)
    votes_per_voter: int = Field(ge=1, le=100)


class VoteCreate(Strict):
    activity_id: str = Field(min_length=1, max_length=64)


class DetailScoreChanged(BaseModel):
    """What scoring expects of media's `detail_score_changed`, version 1."""

    model_config = ConfigDict(extra="ignore")

    activity_id: str
    branch_id: str
    branch_path: str
    detail_score: int = Field(ge=0, le=100)
    at: datetime


class ScoreChanged(BaseModel):
    """`score_changed`, version 1: an activity's score was computed or changed."""

    activity_id: str
    branch_id: str
    branch_path: str
    month: str
    total: float
    indicators: dict[str, float | None]
    weights: dict[str, float]
    not_applicable: list[str]


class ScoresRecomputed(BaseModel):
    """`scores_recomputed`, version 1: many scores were computed again at once (`rescore_all`); read them anew."""

    months: list[str]
    activities: int
    changed: int
    at: datetime


class CommentHidden(BaseModel):
    """`comment_hidden`, version 1: enough reports hid a comment; its author is told, a moderator decides."""

    comment_id: str
    activity_id: str
    author_id: str
    reports: int
    at: datetime


class CommentModerated(BaseModel):
    """`comment_moderated`, version 1: a moderator restored or removed a hidden comment; its author is told."""

    comment_id: str
    activity_id: str
    author_id: str
    decision: str
    at: datetime


EVENTS = {"score_changed": ScoreChanged, "scores_recomputed": ScoresRecomputed, "comment_hidden": CommentHidden, "comment_moderated": CommentModerated}
