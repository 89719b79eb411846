"""What attendance reads of other services' events: only the fields its handlers use, checked before they run
(a payload without them is dead-lettered at once). Written here, never imported from the producers."""

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AttendanceRules(Expected):
    opens_before_min: int
    grace_min: int
    sign_out_window_min: int


class RosterMember(Expected):
    member_id: str
    name: str
    mobile: bool


class PlanApproved(Expected):
    """`plans.plan_approved`: the activity's window, fence and rules, and the branch's roster to open its sheet."""

    activity_id: str
    plan_id: str
    branch_id: str
    branch_path: str
    kind: str = "theme_day"
    theme: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue_name: str
    venue_lat: float
    venue_lon: float
    radius_m: int
    attendance_rules: AttendanceRules
    roster: list[RosterMember]


class MemberChanged(Expected):
    """`directory.member_joined`, `member_transferred` and `member_left`: where a member now belongs, so that
    upcoming sheets follow them."""

    member_id: str
    name: str
    branch_id: str | None
    mobile: bool
    active: bool


class MembersImported(Expected):
    """`directory.members_imported`: a batch of a roster import's new members, followed as `member_joined` each."""

    members: list[MemberChanged]
