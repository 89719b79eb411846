import io
from typing import Literal

import segno
from fastapi import APIRouter, Query, Response
from openpyxl import Workbook
from pydantic import BaseModel, Field

from partyday_attendance.schemas import Evidence, OfflineScan
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import MANAGE_PLANS, READ

router = APIRouter(prefix="/api/v1", tags=["attendance"])


class ScanAnswer(BaseModel):
    status: Literal["signed_in", "signed_out"]
    at: str
    sent_late: bool


class LeaveBody(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class Leave(BaseModel):
    leave_id: str
    activity_id: str
    member_id: str
    reason: str
    status: Literal["pending", "approved", "rejected"]


class SheetRow(BaseModel):
    member_id: str
    name: str
    mobile: bool
    status: Literal["expected", "signed_in", "signed_out", "absent", "excused", "no_sign_out"]
    signed_in_at: str | None
    signed_out_at: str | None
    sent_late: bool


class Sheet(BaseModel):
    activity_id: str
    closed: bool
    counts: dict | None
    members: list[SheetRow]


def _member_id(caller) -> str:
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "signing in needs a member's account")
    return caller.member_id


async def _activity(activity_id, caller, rpc, authz, capability, name) -> dict:
    activity = await rpc.call("attendance", "get_activity", activity_id)
    await authz.require(caller, capability, activity["branch_id"], name)
    return activity


@router.get("/activities/{activity_id}")
async def get_activity(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz) -> dict:
    """The activity: its plan and its attendance figures, gathered from the services that own them."""
    activity = await rpc.call("attendance", "get_activity", activity_id)
    if caller.org_id != activity["branch_id"]:
        await authz.require(caller, READ | MANAGE_PLANS, activity["branch_id"], "read")
    plan = await rpc.call("plans", "find_activity", activity_id)
    plan.pop("branch_path", None)
    activity.pop("branch_path", None)
    return {**activity, "plan": plan}


@router.get("/activities/{activity_id}/qr", response_model=None)
async def qr_code(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz,
                  format: Literal["png", "svg", "json"] = "png", rotating: bool = False,
                  scale: int = Query(10, ge=1, le=40)):
    """The printable sign-in code (PNG, SVG) or its token (JSON); `rotating=true` for a venue screen (30 s)."""
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    code = await rpc.call("attendance", "qr_token", activity_id, rotating=rotating)
    if format == "json":
        return code
    image = io.BytesIO()
    segno.make(code["url"], error="m").save(image, kind=format, scale=scale, border=4)
    media_type = "image/png" if format == "png" else "image/svg+xml"
    return Response(image.getvalue(), media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="checkin-{activity_id}.{format}"', "Cache-Control": "no-store"})


@router.post("/activities/{activity_id}/check-in", response_model=ScanAnswer)
async def check_in(activity_id: str, body: Evidence, caller: Caller, rpc: Rpc):
    """Sign in with the scanned code and the phone's position (the same nonce gets the same answer)."""
    return await rpc.call("attendance", "scan", activity_id, _member_id(caller), "sign_in", body.model_dump())


@router.post("/activities/{activity_id}/check-out", response_model=ScanAnswer)
async def check_out(activity_id: str, body: Evidence, caller: Caller, rpc: Rpc):
    """Sign out after the end, with a reflection of at least 10 characters."""
    return await rpc.call("attendance", "scan", activity_id, _member_id(caller), "sign_out", body.model_dump())


@router.post("/attendance/offline-batch")
async def offline_batch(scans: list[OfflineScan], caller: Caller, rpc: Rpc) -> list[dict]:
    """Scans kept on the phone while offline; each is judged on its evidence and marked as sent late."""
    return await rpc.call("attendance", "offline_batch", _member_id(caller),
                          [scan.model_dump(mode="json") for scan in scans])


@router.get("/activities/{activity_id}/attendance", response_model=Sheet)
async def attendance(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """The sign-in sheet: per member signed_in, signed_out, absent, excused or no_sign_out."""
    await _activity(activity_id, caller, rpc, authz, READ | MANAGE_PLANS, "read")
    return await rpc.call("attendance", "attendance", activity_id)


STATUS_ZH = {"expected": "待签到", "signed_in": "已签到", "signed_out": "已签退", "absent": "缺勤", "excused": "请假",
             "no_sign_out": "未签退"}


@router.get("/activities/{activity_id}/attendance.xlsx", response_class=Response)
async def attendance_workbook(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """The sign-in sheet (签到表) as an Excel workbook, one of the six haves."""
    activity = await _activity(activity_id, caller, rpc, authz, READ | MANAGE_PLANS, "read")
    sheet = await rpc.call("attendance", "attendance", activity_id)
    book = Workbook()
    page = book.active
    page.title = "签到表"
    page.append([f"主题党日：{activity['theme']}"])
    page.append([f"地点：{activity['venue_name']}", f"时间：{activity['starts_at']} 至 {activity['ends_at']}"])
    page.append(["姓名", "流动党员", "状态", "签到时间", "签退时间", "离线补传"])
    for row in sheet["members"]:
        page.append([row["name"], "是" if row["mobile"] else "否", STATUS_ZH[row["status"]], row["signed_in_at"] or "",
                     row["signed_out_at"] or "", "是" if row["sent_late"] else "否"])
    data = io.BytesIO()
    book.save(data)
    return Response(data.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="attendance-{activity_id}.xlsx"'})


@router.post("/activities/{activity_id}/leave-requests", status_code=201, response_model=Leave)
async def request_leave(activity_id: str, body: LeaveBody, caller: Caller, rpc: Rpc):
    """Ask to be excused, before the start."""
    return await rpc.call("attendance", "request_leave", activity_id, _member_id(caller), body.reason)


@router.post("/leave-requests/{leave_id}/{decision}", response_model=Leave)
async def decide_leave(leave_id: str, decision: Literal["approve", "reject"], caller: Caller, rpc: Rpc,
                       authz: Authz):
    """The branch admin approves (excused) or rejects a leave request."""
    activity_id = await rpc.call("attendance", "leave_activity", leave_id)
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    return await rpc.call("attendance", "decide_leave", leave_id, decision == "approve")
