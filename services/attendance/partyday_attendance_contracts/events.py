"""The events attendance emits: one model per event type (the envelope's `data`), through which every payload
is built."""

from pydantic import AwareDatetime, BaseModel

from partyday_common.acts import ACT_EVENT, AdministrativeAct


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
    closed_at: AwareDatetime
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
    at: AwareDatetime


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


class LeaveEvent(BaseModel):
    """A member's leave request for an activity and where it stands (`pending`, `approved`, `rejected`)."""

    leave_id: str
    activity_id: str
    member_id: str
    branch_id: str
    status: str
    at: AwareDatetime


class LeaveRequested(LeaveEvent):
    """`leave_requested`, version 1: a member asked for leave before the start; reminders pass them by."""


class LeaveDecided(LeaveEvent):
    """`leave_decided`, version 1: the branch admin approved or rejected a leave request; the member is told."""


class MakeupAssigned(BaseModel):
    """`makeup_assigned`, version 1: a member absent without leave from a closed party day has a make-up study
    (补学) due at `due_at`; notifications tells the member."""

    activity_id: str
    member_id: str
    branch_id: str
    theme: str
    starts_at: AwareDatetime
    due_at: AwareDatetime


class MakeupCompleted(BaseModel):
    """`makeup_completed`, version 1: a member completed their make-up study, `late` if after its due instant."""

    activity_id: str
    member_id: str
    branch_id: str
    completed_at: AwareDatetime
    late: bool


EVENTS: dict[str, type[BaseModel]] = {
    "activity_closed": ActivityClosed,
    "member_reflected": MemberReflected,
    "attendance_updated": AttendanceUpdated,
    "member_absence_flagged": AbsenceFlagged,
    "leave_requested": LeaveRequested,
    "leave_decided": LeaveDecided,
    "makeup_assigned": MakeupAssigned,
    "makeup_completed": MakeupCompleted,
    ACT_EVENT: AdministrativeAct,
}
# The types some service consumes (scoring; media too for activity_closed; notifications the absences and leave;
# the directory the acts for its audit log; notifications a make-up assigned): the outbox publishes them `mandatory`.
SUBSCRIBED: frozenset[str] = frozenset(
    {
        "activity_closed",
        "attendance_updated",
        "member_reflected",
        "member_absence_flagged",
        "leave_requested",
        "leave_decided",
        "makeup_assigned",
        ACT_EVENT,
    }
)
