"""The bodies scoring's RPCs take (and the gateway checks first), a judge's own marks as the evaluation answers them,
and the labels of a month's stages."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from partyday_common.text import Identifier, VisibleText


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CommentCreate(Strict):
    text: VisibleText(2000)


class ReportCreate(Strict):
    reason: VisibleText(500, min_visible=0) | None = None


class Moderation(Strict):
    decision: str = Field(pattern="^(restore|remove)$")


class SuperiorScore(Strict):
    score: int = Field(ge=0, le=100)


class CampaignCreate(Strict):
    org_id: Identifier
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])
    title: VisibleText(200)
    votes_per_voter: int = Field(ge=1, le=100)
    opens_at: AwareDatetime | None = Field(None, description="when voting opens; the month's first day by default")
    closes_at: AwareDatetime | None = Field(
        None,
        description="when voting closes; by default when the month's "
        "scores stop changing (the next month's start plus the grace days)",
    )


class CampaignChange(Strict):
    """What managing a campaign changes: its title, and either end of its voting window (at least one of them)."""

    title: VisibleText(200) | None = None
    opens_at: AwareDatetime | None = Field(None, description="when voting opens; only until it has opened")
    closes_at: AwareDatetime | None = Field(None, description="when voting closes; not in the past")

    @model_validator(mode="after")
    def _changes_something(self):
        if self.title is None and self.opens_at is None and self.closes_at is None:
            raise ValueError("give a title, opens_at or closes_at to change")
        return self


class CampaignFilter(Strict):
    """Which campaigns a list shows: of one month, or all."""

    month: str | None = Field(None, pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])


class VoteCreate(Strict):
    activity_id: Identifier


class Eligibility(Strict):
    """What an activity needs to be shortlisted or win: a sign-in rate at least `min_sign_in_rate` (0 leaves it
    out) and, if `summary_required`, its summary on file."""

    min_sign_in_rate: float = Field(0.8, ge=0, le=1)
    summary_required: bool = True


class EvaluationCreate(Strict):
    org_id: Identifier
    kind: Literal["monthly", "golden_ideas"]
    period: str = Field(pattern=r"^[1-9]\d{3}-((0[1-9]|1[0-2])|Q[1-4])$", examples=["2026-12", "2026-Q4"])
    best_slots: int = Field(1, ge=1, le=20)
    excellent_slots: int = Field(5, ge=0, le=100)
    eligibility: Eligibility = Field(default_factory=Eligibility)

    @model_validator(mode="after")
    def _period_fits_kind(self):
        if (self.kind == "golden_ideas") != ("-Q" in self.period):
            raise ValueError("a monthly evaluation takes a month (2026-12), golden ideas a quarter (2026-Q4)")
        return self


class IdeaCreate(Strict):
    """A golden idea (金点子) a branch proposes to a quarter's evaluation: a title, what it is, and photos (the
    branch's own uploads)."""

    branch_id: Identifier
    title: VisibleText(200)
    text: VisibleText(10000)
    media_ids: list[Identifier] = Field(default_factory=list, max_length=20)


class JudgementCreate(Strict):
    activity_id: Identifier = Field(description="the candidate: an activity's id, or a proposed idea's id")
    theme: int = Field(ge=0, le=20)
    content: int = Field(ge=0, le=20)
    form: int = Field(ge=0, le=20)
    organisation: int = Field(ge=0, le=20)
    effect: int = Field(ge=0, le=20)


class OwnMarks(Strict):
    """A judge's own marks for a candidate, as the evaluation's view answers them to that judge only (`mine`);
    judging again replaces them."""

    theme: int = Field(ge=0, le=20)
    content: int = Field(ge=0, le=20)
    form: int = Field(ge=0, le=20)
    organisation: int = Field(ge=0, le=20)
    effect: int = Field(ge=0, le=20)
    total: int = Field(ge=0, le=100)
    judged_at: AwareDatetime = Field(description="when they last marked it")


class FirstReview(Strict):
    shortlist: list[Identifier] = Field(min_length=1, max_length=200)


class SecondReview(Strict):
    best: list[Identifier] = Field(max_length=20)
    excellent: list[Identifier] = Field(default_factory=list, max_length=100)


# The stages of a branch's month in the progress dashboard and the reports' columns, with their Chinese labels.
STAGE_ZH = {
    "planned": "已报方案",
    "approved": "已审批",
    "held": "已开展",
    "documented": "已归档图文",
    "scored": "已评分",
}
