"""What notifications expects of the events it consumes: only the fields its handlers read, anything else
ignored. `event_consumer(..., expects=...)` validates each payload with these before the handler runs."""

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MemberExpected(Expected):
    """The fields of the directory's member events notifications keeps: who is where, still active, and since
    when a Party member (their political birthday)."""

    member_id: str
    name: str
    branch_id: str | None
    branch_path: str | None
    active: bool
    joined_on: date | None = None


class MembersImportedExpected(Expected):
    """`directory.members_imported`: a batch of a roster import's new members, followed as `member_joined` each."""

    members: list[MemberExpected]


class GrantExpected(Expected):
    """The fields of `role_granted` and `role_revoked`: who holds which role where."""

    grant_id: str
    member_id: str
    role: str
    org_id: str
    org_path: str


class RosterMemberExpected(Expected):
    member_id: str


class PlanApprovedExpected(Expected):
    """The fields of `plans.plan_approved`: the party day or meeting (`kind`) told to the branch's members, and
    reminded of."""

    plan_id: str
    activity_id: str
    branch_id: str
    month: str
    kind: str = "theme_day"
    theme: str
    starts_at: AwareDatetime
    venue_name: str
    required_actions: list[str] = []
    roster: list[RosterMemberExpected]


class PlanReturnedExpected(Expected):
    """The fields of `plans.plan_returned`: the plan, its branch and the reviewer's comment."""

    plan_id: str
    branch_id: str
    branch_path: str
    month: str
    review_comment: str = ""


class OverdueExpected(Expected):
    """The fields of `plans.plan_overdue` and `plans.summary_overdue`."""

    branch_id: str
    branch_path: str
    month: str
    deadline: AwareDatetime


class RectificationExpected(Expected):
    """The fields of `plans.rectification_issued`."""

    rectification_id: str
    branch_id: str
    branch_path: str
    issue: str
    due_on: date


class RectificationMovedExpected(RectificationExpected):
    """The fields of `plans.rectification_answered` and `plans.rectification_reopened`: who issued it."""

    issued_by: str | None = None


class RectificationOverdueExpected(RectificationExpected):
    """The fields of `plans.rectification_overdue`: a notice still awaiting its branch the day after it was due."""


class AbsenceFlaggedExpected(Expected):
    """The fields of `attendance.member_absence_flagged`."""

    member_id: str
    branch_id: str
    consecutive_absences: int
    activity_id: str


class MakeupAssignedExpected(Expected):
    """The fields of `attendance.makeup_assigned`: a member's make-up study of a missed party day."""

    activity_id: str
    member_id: str
    theme: str
    starts_at: AwareDatetime
    due_at: AwareDatetime


class LeaveExpected(Expected):
    """The fields of `attendance.leave_requested` and `attendance.leave_decided`."""

    leave_id: str
    activity_id: str
    member_id: str
    status: str


class UploadRejectedExpected(Expected):
    """The fields of `media.upload_rejected`."""

    media_id: str
    branch_id: str
    uploaded_by: str | None
    filename: str | None
    reason: str


class CommentHiddenExpected(Expected):
    """The fields of `scoring.comment_hidden`."""

    comment_id: str
    author_id: str
    reports: int


class CommentModeratedExpected(Expected):
    """The fields of `scoring.comment_moderated`."""

    comment_id: str
    author_id: str
    decision: str


class EvaluationPublishedExpected(Expected):
    """The fields of `scoring.evaluation_published`: the winning activities."""

    evaluation_id: str
    period: str
    best: list[str]
    excellent: list[str]


class VolunteerRequestSubmittedExpected(Expected):
    """The fields of `volunteers.volunteer_request_submitted`: a resident's request the branch must take in."""

    request_id: str
    branch_id: str
    what: str
    where: str
    wanted_by: AwareDatetime
    accept_by: AwareDatetime


class VolunteerRequestDispatchedExpected(Expected):
    """The fields of `volunteers.volunteer_request_dispatched`: the members named, or the whole branch."""

    request_id: str
    branch_id: str
    what: str
    where: str
    wanted_by: AwareDatetime
    published: bool
    member_ids: list[str]


class CampaignOpenedExpected(Expected):
    """The fields of `scoring.campaign_opened`: a campaign whose voting has opened."""

    campaign_id: str
    org_path: str
    title: str
    opens_at: AwareDatetime
    closes_at: AwareDatetime
