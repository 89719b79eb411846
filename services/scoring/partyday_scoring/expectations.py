"""What scoring reads of the events it consumes: for each, only the fields its handler reads.

Extra fields are ignored, so a producer may add to its payload freely; a payload lacking one of these fields
is dead-lettered at once by the consumer. The tree's events (`org_created`, `org_updated`) are read with the
shared `partyday_common.contracts.OrgNodeExpected`, as every tree projection reads them.
"""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PlanProgressed(Expected):
    """plans' `plan_submitted`, `plan_returned`, `plan_held`, `summary_submitted` and `plan_archived`: how far a
    branch's plan of a month went; `summary_chars` says whether an archived plan was documented; `kind` whether it
    is the theme day or another meeting (none before meetings had kinds: the theme day)."""

    plan_id: str
    branch_id: str
    branch_path: str
    month: str
    kind: str = "theme_day"
    activity_id: str | None = None
    summary_chars: int | None = None


class RosterEntry(Expected):
    member_id: str
    mobile: bool


class PlanApproved(PlanProgressed):
    """plans' `plan_approved`: the activity to score, its theme, and the roster whose mobile members may like it."""

    activity_id: str
    theme: str
    roster: list[RosterEntry]


class Counts(Expected):
    signed_out: int
    no_sign_out: int
    excused: int


class AttendanceCounted(Expected):
    """attendance's `activity_closed` and `attendance_updated`: a whole snapshot of the counts the sign-in rate
    comes from (the mobile members' counts for a branch whose members are all mobile). `attendance_updated` carries
    no path, and events from before `counts_version` no version (0)."""

    activity_id: str
    branch_id: str
    branch_path: str | None = None
    expected: int
    expected_mobile: int
    members: Counts
    mobile_members: Counts = Field(default_factory=lambda: Counts(signed_out=0, no_sign_out=0, excused=0))
    counts_version: int | None = None


class MemberReflected(Expected):
    """attendance's `member_reflected`: a member's sign-out reflection, which counts as their comment."""

    activity_id: str
    member_id: str
    at: AwareDatetime


class DetailScoreChanged(Expected):
    """media's `detail_score_changed`: the activity's detail score as judged at `at`."""

    activity_id: str
    branch_id: str
    branch_path: str
    detail_score: int = Field(ge=0, le=100)
    at: AwareDatetime


class QuizParticipationChanged(Expected):
    """The fields of `quizzes.quiz_participation_changed` scoring reads: a branch's quiz participation in a month."""

    branch_id: str
    month: str
    took: int
    expected: int
