"""Make-up study (补学): a member's own make-ups and their completion, and a branch's for its admin (the overdue
ones to follow up). Attendance owns them with the absences they make up for."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from partyday_attendance_contracts.rpc import MakeupCompletion
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import MANAGE_PLANS, READ

router = APIRouter(prefix="/api/v1", tags=["attendance"])

MakeupState = Literal["assigned", "overdue", "done"]


class Makeup(BaseModel):
    activity_id: str
    member_id: str
    name: str
    branch_id: str
    theme: str | None
    starts_at: str | None
    state: MakeupState
    assigned_at: str
    due_at: str
    completed_at: str | None
    late: bool = Field(description="completed after its due time")
    reflection: str | None


class MakeupPage(BaseModel):
    items: list[Makeup]
    total: int
    page: int
    page_size: int


@router.get("/me/makeups", response_model=MakeupPage)
async def my_makeups(caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 20):
    """The caller's make-up studies for party days they missed without leave: those to do first, the soonest due
    first, then those done."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "make-up study is a member's own")
    return await rpc.call("attendance", "my_makeups", caller.member_id, page=page, page_size=page_size)


@router.post("/activities/{activity_id}/makeup/complete", response_model=Makeup)
async def complete_makeup(
    activity_id: str, body: MakeupCompletion, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """The caller completes their make-up study of a party day they missed, after studying its materials, with a
    study reflection of at least 30 characters (422 `MAKEUP_REFLECTION_TOO_SHORT`); 404 `MAKEUP_NOT_FOUND`
    without one, 409 `MAKEUP_ALREADY_DONE` once done. The absence stays on the sheet."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "make-up study is a member's own")
    return await rpc.call(
        "attendance",
        "complete_makeup",
        activity_id,
        caller.member_id,
        body.reflection,
        idempotency_key=idempotency_key,
    )


@router.get("/branches/{branch_id}/makeups", response_model=MakeupPage)
async def branch_makeups(
    branch_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    state: Annotated[MakeupState | None, Query(description="one state; all but withdrawn ones without")] = None,
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The branch's make-up studies, the soonest due first (`state=overdue`: those past due and not done), for its
    admin and those who read it."""
    node = await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read")
    if node["level"] != "branch":
        raise ApiError(422, "BRANCH_REQUIRED", "make-ups are followed per branch", {"org_id": branch_id})
    return await rpc.call("attendance", "branch_makeups", branch_id, state=state, page=page, page_size=page_size)
