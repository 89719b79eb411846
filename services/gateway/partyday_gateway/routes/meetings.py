"""三会一课: the other meetings of a branch (members' meeting, branch committee, party group meeting, party lecture)
go through the plans routes with their `kind`; here are an organisation's meeting settings (approval, cadence),
the branches that missed a cadence, and a members' meeting's decisions (双过半)."""

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from partyday_attendance_contracts.rpc import MeetingDecisionCreate
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Month, Page, PageSize, Rpc
from partyday_gateway.permissions import MANAGE_PLANS, MANAGE_TREE, READ
from partyday_plans_contracts.rpc import Cadence, MeetingKind, MeetingSettingsSet

router = APIRouter(prefix="/api/v1", tags=["meetings"])


class KindSetting(BaseModel):
    requires_approval: bool = Field(description="whether a plan of the kind waits for a superior's approval")
    cadence: Cadence = Field(description="how often a branch must hold one")
    own: bool = Field(description="whether the organisation set it itself")
    from_org_id: str | None = Field(description="the organisation whose setting it follows; none for the defaults")


class MeetingSettings(BaseModel):
    org_id: str
    kinds: dict[MeetingKind, KindSetting]


class OverdueMeeting(BaseModel):
    branch_id: str
    name: str
    parent_id: str | None
    kind: MeetingKind
    cadence: Cadence
    period: str = Field(description="the completed period missed: the month (2026-11) or its quarter (2026-Q4)")


class OverdueMeetingPage(BaseModel):
    org_id: str
    month: str
    kind: MeetingKind | None
    items: list[OverdueMeeting]
    total: int
    page: int
    page_size: int


class MeetingDecision(BaseModel):
    decision_id: str
    activity_id: str
    title: str
    in_favour: int
    against: int
    abstaining: int
    expected: int = Field(description="the members on the sign-in sheet (guests apart)")
    present: int = Field(description="those of them signed in when the decision was recorded")
    passed: bool = Field(description="双过半: present*2 > expected and in_favour*2 > present")
    recorded_by: str | None
    recorded_at: str


class MeetingDecisionPage(BaseModel):
    activity_id: str
    expected: int
    present: int
    items: list[MeetingDecision]
    total: int
    page: int
    page_size: int


@router.get("/orgs/{org_id}/meeting-settings", response_model=MeetingSettings)
async def get_meeting_settings(org_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """An organisation's meeting settings per kind as they stand: its own (`own`), or those of the ancestor it
    follows (`from_org_id`; none for the defaults: no approval; members' meeting and lecture quarterly, committee
    and group meeting monthly)."""
    await authz.require(caller, READ | MANAGE_PLANS, org_id, "read", members_of_branch=True)
    return await rpc.call("plans", "get_meeting_settings", org_id)


@router.put("/orgs/{org_id}/meeting-settings", response_model=MeetingSettings)
async def set_meeting_settings(
    org_id: str,
    body: MeetingSettingsSet,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Set, for the organisation's subtree, whether each kind named waits for approval and its cadence."""
    await authz.require(caller, MANAGE_TREE, org_id, "manage_tree")
    return await rpc.call(
        "plans", "set_meeting_settings", org_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )


@router.get("/orgs/{org_id}/meetings/overdue", response_model=OverdueMeetingPage)
async def meetings_overdue(
    org_id: str,
    month: Month,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    kind: MeetingKind | None = Query(None, description="one kind only"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Branches under the node that held no meeting of a kind in the completed period of its cadence that `month`
    falls in (the month, or its quarter once the quarter has ended), by name."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("plans", "meetings_overdue", org_id, month, kind=kind, page=page, page_size=page_size)


@router.post("/activities/{activity_id}/decisions", status_code=status.HTTP_201_CREATED, response_model=MeetingDecision)
async def record_decision(
    activity_id: str,
    body: MeetingDecisionCreate,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Record a members' meeting's decision with its votes (at most the members present, 422
    `VOTES_EXCEED_PRESENT`; 422 `NOT_A_MEMBERS_MEETING` for another kind); it passes by the double majority."""
    activity = await rpc.call("attendance", "get_activity", activity_id)
    await authz.require(caller, MANAGE_PLANS, activity["branch_id"], "manage_plans")
    return await rpc.call(
        "attendance", "record_decision", activity_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )


@router.get("/activities/{activity_id}/decisions", response_model=MeetingDecisionPage)
async def decisions(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50):
    """A members' meeting's decisions, oldest first, with the sheet's expected and present members now; the
    branch's members read them too."""
    activity = await rpc.call("attendance", "get_activity", activity_id)
    await authz.require(caller, READ | MANAGE_PLANS, activity["branch_id"], "read", members_of_branch=True)
    return await rpc.call("attendance", "decisions", activity_id, page=page, page_size=page_size)
