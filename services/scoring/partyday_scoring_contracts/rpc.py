"""The scoring service's contracts: RPC payloads it accepts and events it reads and emits."""
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


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
    opens_at: AwareDatetime | None = Field(None, description="when voting opens; the month's first day by default")
    closes_at: AwareDatetime | None = Field(None, description="when voting closes; by default when the month's "
                                            "scores stop changing (the next month's start plus the grace days)")


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


class EvaluationCreate(Strict):
    org_id: str = Field(min_length=1, max_length=64)
    kind: Literal["monthly", "golden_ideas"]
    period: str = Field(pattern=r"^[1-9]\d{3}-((0[1-9]|1[0-2])|Q[1-4])$", examples=["2026-12", "2026-Q4"])
    best_slots: int = Field(1, ge=1, le=20)
    excellent_slots: int = Field(5, ge=0, le=100)

    @model_validator(mode="after")
    def _period_fits_kind(self):
        if (self.kind == "golden_ideas") != ("-Q" in self.period):
            raise ValueError("a monthly evaluation takes a month (2026-12), golden ideas a quarter (2026-Q4)")
        return self


class JudgementCreate(Strict):
    activity_id: str = Field(min_length=1, max_length=64)
    theme: int = Field(ge=0, le=20)
    content: int = Field(ge=0, le=20)
    form: int = Field(ge=0, le=20)
    organisation: int = Field(ge=0, le=20)
    effect: int = Field(ge=0, le=20)


class FirstReview(Strict):
    shortlist: list[str] = Field(min_length=1, max_length=200)


class SecondReview(Strict):
    best: list[str] = Field(max_length=20)
    excellent: list[str] = Field(default_factory=list, max_length=100)


class EvaluationPublished(BaseModel):
    """`evaluation_published`, version 1: the winners of a month's selection or a quarter's golden ideas."""

    evaluation_id: str
    org_id: str
    kind: str
    period: str
    best: list[str]
    excellent: list[str]


EVENTS = {"score_changed": ScoreChanged, "scores_recomputed": ScoresRecomputed, "comment_hidden": CommentHidden,
          "comment_moderated": CommentModerated, "evaluation_published": EvaluationPublished}


# The stages of a branch's month in the progress dashboard and the reports' columns, with their Chinese labels.
STAGE_ZH = {"planned": "已报方案", "approved": "已审批", "held": "已开展", "documented": "已归档图文",
            "scored": "已评分"}
