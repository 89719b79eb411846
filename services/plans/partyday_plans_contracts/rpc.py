"""The plans service's contracts: RPC payloads it accepts and event payloads it emits."""
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Action = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DirectiveCreate(Strict):
    org_id: str
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])
    theme: str = Field(min_length=1, max_length=200)
    required_actions: list[Action] = Field(default_factory=list, max_length=30)
    study_materials: list[str] = Field(default_factory=list, max_length=50)
    plan_deadline_day: int = Field(5, ge=1, le=28)
    summary_deadline_day: int = Field(25, ge=1, le=28)


class Venue(Strict):
    name: str = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: int = Field(300, ge=50, le=1000)


class AttendanceRules(Strict):
    opens_before_min: int = Field(30, ge=0, le=1440)
    grace_min: int = Field(15, ge=0, le=1440)
    sign_out_window_min: int = Field(60, ge=0, le=1440)


class PlanCreate(Strict):
    branch_id: str
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    theme: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Venue
    required_actions: list[Action] = Field(default_factory=list, max_length=30)
    optional_actions: list[Action] = Field(default_factory=list, max_length=30)
    attendance_rules: AttendanceRules = Field(default_factory=AttendanceRules)


class PlanEdit(Strict):
    theme: str | None = Field(None, min_length=1, max_length=200)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    venue: Venue | None = None
    required_actions: list[Action] | None = Field(None, max_length=30)
    optional_actions: list[Action] | None = Field(None, max_length=30)
    attendance_rules: AttendanceRules | None = None


class ScheduleSet(Strict):
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    party_day: int | None = Field(None, ge=1, le=28)
    plan_deadline_day: int = Field(5, ge=1, le=28)
    summary_deadline_day: int = Field(25, ge=1, le=28)


class RectificationCreate(Strict):
    branch_id: str
    issue: str = Field(min_length=1, max_length=4000)
    due_on: date


class RectificationAnswer(Strict):
    text: str = Field(min_length=1, max_length=10000)
    media_ids: list[str] = Field(default_factory=list, max_length=50)


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
    theme: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_lat: float
    venue_lon: float
    radius_m: int
    required_actions: list[str] = []
    attendance_rules: AttendanceRules
    roster: list[RosterEntry]


class PlanEvent(BaseModel):
    """`plan_submitted`, `plan_returned`, `plan_held`, `summary_submitted`, `plan_archived`, version 1."""

    plan_id: str
    branch_id: str
    branch_path: str
    month: str
    status: str
    activity_id: str | None = None
    summary_chars: int = 0


class DirectivePublished(BaseModel):
    """`directive_published`, version 1: a month's requirements now apply to a subtree."""

    directive_id: str
    org_id: str
    org_path: str
    month: str
    theme: str
    required_actions: list[str]


class Overdue(BaseModel):
    """`plan_overdue` and `summary_overdue`, version 1: a branch missed a deadline."""

    branch_id: str
    branch_path: str
    month: str
    kind: str
    deadline: datetime


class RectificationIssued(BaseModel):
    """`rectification_issued`, version 1: a branch was told to fix something by a date."""

    rectification_id: str
    branch_id: str
    branch_path: str
    issue: str
    due_on: date


EVENTS = {
    "directive_published": DirectivePublished,
    "plan_submitted": PlanEvent,
    "plan_approved": PlanApproved,
    "plan_returned": PlanEvent,
    "plan_held": PlanEvent,
    "summary_submitted": PlanEvent,
    "plan_archived": PlanEvent,
    "plan_overdue": Overdue,
    "summary_overdue": Overdue,
    "rectification_issued": RectificationIssued,
}
