"""The attendance service's contracts: scan payloads it accepts and events it emits."""
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    token: str = Field(min_length=1, max_length=1000)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0, le=100_000)
    device_id: str = Field(min_length=1, max_length=100)
    nonce: str = Field(min_length=8, max_length=100)
    reflection: str | None = Field(None, max_length=5000)


class OfflineScan(Evidence):
    activity_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(pattern="^(sign_in|sign_out)$")
    scanned_at: AwareDatetime


class Counts(BaseModel):
    signed_out: int
    no_sign_out: int
    absent: int
    excused: int


class ActivityClosed(BaseModel):
    """`activity_closed`, version 1: final attendance, mobile members and invited guests counted apart;
    `counts_version` grows with every recount of the activity, so a consumer can ignore an older snapshot."""

    activity_id: str
    plan_id: str
    branch_id: str
    branch_path: str
    closed_at: datetime
    members: Counts
    mobile_members: Counts
    guests: Counts
    expected: int
    expected_mobile: int
    counts_version: int


class MemberReflected(BaseModel):
    """`member_reflected`, version 1: a member's sign-out reflection (心得体会); scoring counts it as a comment."""

    activity_id: str
    member_id: str
    branch_id: str
    text: str
    at: datetime


class AttendanceUpdated(BaseModel):
    """`attendance_updated`, version 1: a closed activity's counts changed (an offline scan sent late)."""

    activity_id: str
    branch_id: str
    members: Counts
    mobile_members: Counts
    guests: Counts
    expected: int
    expected_mobile: int
    counts_version: int


class AbsenceFlagged(BaseModel):
    """`member_absence_flagged`, version 1: a member missed party days in a row; their branch admin is told."""

    member_id: str
    branch_id: str
    consecutive_absences: int
    activity_id: str


EVENTS = {"activity_closed": ActivityClosed, "member_reflected": MemberReflected,
          "attendance_updated": AttendanceUpdated, "member_absence_flagged": AbsenceFlagged}
