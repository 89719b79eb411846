"""The payloads of the events the plans service emits (the envelope's `data`), one model per event type.

`EVENTS` maps each event type to its model; `SUBSCRIBED` names those that some service consumes, which the
outbox publishes `mandatory`."""

from datetime import date

from pydantic import AwareDatetime, BaseModel

from partyday_common.acts import ACT_EVENT, AdministrativeAct
from partyday_plans_contracts.rpc import AttendanceRules, PlanKind


class DirectivePublished(BaseModel):
    """`directive_published`, version 1: a month's requirements now apply to a subtree."""

    directive_id: str
    org_id: str
    org_path: str
    month: str
    theme: str
    required_actions: list[str]


class RosterEntry(BaseModel):
    member_id: str
    name: str
    mobile: bool
    probationary: bool


class PlanApproved(BaseModel):
    """`plan_approved`, version 1: what attendance needs to open the activity's sign-in sheet."""

    plan_id: str
    activity_id: str
    branch_id: str
    branch_path: str
    month: str
    kind: PlanKind = "theme_day"
    theme: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue_name: str
    venue_lat: float
    venue_lon: float
    radius_m: int
    required_actions: list[str] = []
    attendance_rules: AttendanceRules
    roster: list[RosterEntry]


class PlanEvent(BaseModel):
    """What every other move of a plan announces: the plan, its branch, month and kind, its new status."""

    plan_id: str
    branch_id: str
    branch_path: str
    month: str
    kind: PlanKind = "theme_day"
    status: str
    activity_id: str | None = None
    summary_chars: int = 0


class PlanSubmitted(PlanEvent):
    """`plan_submitted`, version 1: a branch sent its plan for review."""


class PlanReturned(PlanEvent):
    """`plan_returned`, version 1: a superior sent the plan back with a comment (`review_comment`)."""

    review_comment: str = ""


class PlanHeld(PlanEvent):
    """`plan_held`, version 1: the activity has ended."""


class SummarySubmitted(PlanEvent):
    """`summary_submitted`, version 1: the branch's summary of its activity, `summary_chars` long."""


class PlanArchived(PlanEvent):
    """`plan_archived`, version 1: the summary deadline passed after the summary; the month is closed."""


class Overdue(BaseModel):
    """What a missed deadline announces: the branch, the month, which document and its deadline."""

    branch_id: str
    branch_path: str
    month: str
    kind: str
    deadline: AwareDatetime


class PlanOverdue(Overdue):
    """`plan_overdue`, version 1: a branch has no submitted plan at its plan deadline."""


class SummaryOverdue(Overdue):
    """`summary_overdue`, version 1: a branch has no summary at its summary deadline."""


class RectificationIssued(BaseModel):
    """`rectification_issued`, version 1: a branch was told to fix something by a date."""

    rectification_id: str
    branch_id: str
    branch_path: str
    issue: str
    due_on: date


class RectificationMoved(RectificationIssued):
    """A notice's move, with who issued it and its new status."""

    status: str
    issued_by: str | None


class RectificationAnswered(RectificationMoved):
    """`rectification_answered`, version 1: the branch answered what it did; whoever issued the notice is told."""


class RectificationReopened(RectificationMoved):
    """`rectification_reopened`, version 1: the superior found the answer wanting; the branch is told."""


class RectificationOverdue(RectificationMoved):
    """`rectification_overdue`, version 1: the notice is still open or answered the day after `due_on` (where its
    branch keeps time); announced once per notice, however often it is reopened."""

    overdue_since: AwareDatetime


EVENTS: dict[str, type[BaseModel]] = {
    "directive_published": DirectivePublished,
    "plan_submitted": PlanSubmitted,
    "plan_approved": PlanApproved,
    "plan_returned": PlanReturned,
    "plan_held": PlanHeld,
    "summary_submitted": SummarySubmitted,
    "plan_archived": PlanArchived,
    "plan_overdue": PlanOverdue,
    "summary_overdue": SummaryOverdue,
    "rectification_issued": RectificationIssued,
    "rectification_answered": RectificationAnswered,
    "rectification_reopened": RectificationReopened,
    "rectification_overdue": RectificationOverdue,
    ACT_EVENT: AdministrativeAct,
}

SUBSCRIBED: frozenset[str] = frozenset(
    {
        "directive_published",
        "plan_submitted",
        "plan_approved",
        "plan_returned",
        "plan_held",
        "summary_submitted",
        "plan_archived",
        "plan_overdue",
        "summary_overdue",
        "rectification_issued",
        "rectification_answered",
        "rectification_reopened",
        "rectification_overdue",
        ACT_EVENT,
    }
)
