"""What media expects of the events it consumes: only the fields its handlers read, anything else
ignored. `event_consumer(..., expects=...)` validates each payload with these before the handler
runs; a payload that breaks them is dead-lettered at once."""

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PlanApprovedExpected(Expected):
    """The fields of `plans.plan_approved` media reads: each activity's branch, day, venue and actions."""

    activity_id: str
    branch_id: str
    branch_path: str
    month: str
    starts_at: AwareDatetime
    venue_lat: float
    venue_lon: float
    radius_m: int
    required_actions: list[str] = []


class SummaryExpected(Expected):
    """The fields of `plans.summary_submitted` media reads for the summary part of the score."""

    branch_id: str
    branch_path: str
    month: str
    activity_id: str | None = None
    summary_chars: int = 0


class ActivityClosedExpected(Expected):
    """The fields of `attendance.activity_closed` media reads: the sign-in sheet exists."""

    activity_id: str
    branch_id: str
    branch_path: str


class DirectiveExpected(Expected):
    """The fields of `plans.directive_published` media reads to attach study materials."""

    directive_id: str
    org_id: str
    org_path: str
    month: str
    theme: str
