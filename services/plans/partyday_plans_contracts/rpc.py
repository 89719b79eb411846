"""The bodies the plans service's RPCs take."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from partyday_common.text import Identifier, VisibleText

Action = VisibleText(200)
# What a plan is for: the monthly theme party day, or one of the other meetings of 三会一课.
PlanKind = Literal["theme_day", "members_meeting", "branch_committee", "group_meeting", "party_lecture"]
MeetingKind = Literal["members_meeting", "branch_committee", "group_meeting", "party_lecture"]
Cadence = Literal["monthly", "quarterly"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DirectiveCreate(Strict):
    org_id: Identifier
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])
    theme: VisibleText(200)
    required_actions: list[Action] = Field(default_factory=list, max_length=30)
    study_materials: list[VisibleText(200)] = Field(default_factory=list, max_length=50)
    plan_deadline_day: int = Field(5, ge=1, le=28)
    summary_deadline_day: int = Field(25, ge=1, le=28)


class Venue(Strict):
    name: VisibleText(200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: int = Field(300, ge=50, le=1000)


class AttendanceRules(Strict):
    opens_before_min: int = Field(30, ge=0, le=1440)
    grace_min: int = Field(15, ge=0, le=1440)
    sign_out_window_min: int = Field(60, ge=0, le=1440)


class PlanCreate(Strict):
    branch_id: Identifier
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    kind: PlanKind = "theme_day"
    theme: VisibleText(200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Venue
    required_actions: list[Action] = Field(default_factory=list, max_length=30)
    optional_actions: list[Action] = Field(default_factory=list, max_length=30)
    attendance_rules: AttendanceRules = Field(default_factory=AttendanceRules)


class PlanEdit(Strict):
    theme: VisibleText(200) | None = None
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


class MeetingSetting(Strict):
    """One kind of meeting at an organisation: whether its plans wait for a superior's approval, and how often a
    branch must hold one."""

    requires_approval: bool
    cadence: Cadence


class MeetingSettingsSet(Strict):
    """An organisation's own meeting settings, for its subtree; the kinds it names, the others unchanged."""

    kinds: dict[MeetingKind, MeetingSetting] = Field(min_length=1)


class RectificationCreate(Strict):
    branch_id: Identifier
    issue: VisibleText(4000)
    due_on: date


class RectificationAnswer(Strict):
    text: VisibleText(10000)
    media_ids: list[Identifier] = Field(default_factory=list, max_length=50)


class RectificationReview(Strict):
    """The superior's word on closing or reopening a notice: why, if they say."""

    comment: VisibleText(2000) | None = None
