"""A member's own attendance history, gathered from the plans and attendance services."""
import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Rpc, Settings
from partyday_gateway.errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["attendance"])


class HistoryRow(BaseModel):
    month: str
    activity_id: str
    theme: str
    starts_at: str
    ends_at: str
    venue: str
    status: str
    signed_in_at: str | None
    signed_out_at: str | None
    sent_late: bool


class History(BaseModel):
    member_id: str
    branch_id: str
    items: list[HistoryRow]


def months_back(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


async def _month_row(rpc, branch_id: str, member_id: str, month: str) -> dict | None:
    plan = (await rpc.call("plans", "branch_month", branch_id, month))["plan"]
    if not plan or not plan["activity_id"]:
        return None
    sheet = await rpc.call("attendance", "attendance", plan["activity_id"])
    row = next((row for row in sheet["members"] if row["member_id"] == member_id), None)
    if row is None:
        return None
    return {"month": month, "activity_id": plan["activity_id"], "theme": plan["theme"],
            "starts_at": plan["starts_at"], "ends_at": plan["ends_at"], "venue": plan["venue"]["name"],
            "status": row["status"], "signed_in_at": row["signed_in_at"], "signed_out_at": row["signed_out_at"],
            "sent_late": row["sent_late"]}


@router.get("/me/attendance", response_model=History)
async def my_attendance(caller: Caller, rpc: Rpc, settings: Settings,
                        months: int = Query(12, ge=1, le=24, description="how many months back, this one included")):
    """The caller's party days in their branch, newest first: each activity with the caller's status on its
    sign-in sheet (expected, signed_in, signed_out, absent, excused, no_sign_out) and the times of the scans."""
    if caller.member_id is None or caller.org_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "an attendance history needs a member's account")
    now = datetime.now(ZoneInfo(settings.display_time_zone))
    rows = await asyncio.gather(*(_month_row(rpc, caller.org_id, caller.member_id, month)
                                  for month in months_back(now, months)))
    return {"member_id": caller.member_id, "branch_id": caller.org_id, "items": [row for row in rows if row]}
