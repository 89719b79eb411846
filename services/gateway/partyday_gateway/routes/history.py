"""A member's own attendance history: their line on every sign-in sheet they were on."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Page, PageSize, Rpc
from partyday_gateway.errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["attendance"])


class HistoryRow(BaseModel):
    activity_id: str
    branch_id: str
    theme: str
    venue_name: str
    starts_at: str
    ends_at: str
    closed: bool
    guest: bool
    status: Literal["expected", "signed_in", "signed_out", "absent", "excused", "no_sign_out"]
    signed_in_at: str | None
    signed_out_at: str | None
    sent_late: bool
    waiting_for_decision: bool = Field(False, description="a scan of theirs (a late claim) waits for a superior")


class History(BaseModel):
    member_id: str
    items: list[HistoryRow]
    total: int
    page: int
    page_size: int


@router.get("/me/attendance", response_model=History)
async def my_attendance(caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 20):
    """The caller's party days, newest first, a page at a time: each activity (their branch's, or one they were
    invited to as a guest) with their status on its sheet and the times of their scans."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "an attendance history needs a member's account")
    return await rpc.call("attendance", "member_history", caller.member_id, page=page, page_size=page_size)
