import asyncio
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from partyday_attendance_contracts.rpc import DeviceKeyBody, Evidence, OfflineScan
from partyday_common.text import VisibleText
from partyday_gateway import documents
from partyday_gateway.auth import Caller, MemberId
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc, Settings
from partyday_gateway.errors import ApiError, domain_error
from partyday_gateway.openapi import PDF, XLSX, files
from partyday_gateway.permissions import MANAGE_PLANS, READ, SPOT_CHECK, forbidden, readable_paths
from partyday_gateway.rpc import RemoteError

router = APIRouter(prefix="/api/v1", tags=["attendance"])


class ScanAnswer(BaseModel):
    status: Literal["signed_in", "signed_out"]
    at: str
    sent_late: bool


class LeaveBody(BaseModel):
    reason: VisibleText(1000)


LeaveStatus = Literal["pending", "approved", "rejected"]


class Leave(BaseModel):
    leave_id: str
    activity_id: str
    member_id: str
    reason: str
    status: LeaveStatus
    requested_at: str
    decided_at: str | None


class LeaveRow(Leave):
    name: str | None


class LeavePage(BaseModel):
    activity_id: str
    items: list[LeaveRow]
    total: int
    page: int
    page_size: int


class ScanRecord(BaseModel):
    """One attempt with the evidence it was judged on."""

    scan_id: int
    member_id: str
    name: str | None = Field(description="as on the sign-in sheet; null for someone who is not on it")
    kind: Literal["sign_in", "sign_out"]
    accepted: bool
    reason: str | None = Field(description="the refusal's code, as the member was answered")
    server_time: str
    scanned_at: str | None = Field(description="the phone's time of an offline scan; the server's otherwise")
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    distance_m: float | None = Field(description="from the venue, once the token held")
    device_id: str
    token_id: str | None = Field(description="which code was scanned (a digest of the token), once it held")
    nonce: str
    client_ip: str | None
    sent_late: bool
    details: dict | None = Field(description="a refusal's details as the member was answered (how far, which window)")
    signals: dict | None = Field(None, description="an accepted scan's integrity signals, once weighed")
    review: Literal["claimed", "flagged", "accepted", "voided"] | None = Field(
        None, description="claimed or flagged: waiting for a superior's decision; then accepted or voided"
    )


class ScanLog(BaseModel):
    activity_id: str
    outcomes: dict[str, int] = Field(description="attempts by outcome: `ok`, or the refusal's code")
    items: list[ScanRecord]
    total: int
    page: int
    page_size: int


class MakeupOnSheet(BaseModel):
    state: Literal["assigned", "overdue", "done"]
    due_at: str
    completed_at: str | None
    late: bool


class SheetRow(BaseModel):
    member_id: str
    name: str
    mobile: bool
    guest: bool
    status: Literal["expected", "signed_in", "signed_out", "absent", "excused", "no_sign_out"]
    signed_in_at: str | None
    signed_out_at: str | None
    sent_late: bool
    review: Literal["claimed", "flagged", "accepted", "voided"] | None = Field(
        None, description="the member's record waiting for a superior (claimed, flagged) or decided"
    )
    makeup: MakeupOnSheet | None = Field(None, description="an absent member's make-up study; the absence stays")


class GuestBody(BaseModel):
    member_id: str = Field(min_length=1, max_length=64)


class GuestCandidate(BaseModel):
    member_id: str
    name: str
    branch_name: str | None
    phone: str = Field(description="masked: the first three and the last four digits")


class GuestCandidatePage(BaseModel):
    items: list[GuestCandidate]
    total: int
    page: int
    page_size: int


class MissedActivity(BaseModel):
    activity_id: str
    theme: str
    starts_at: str


class AbsenceFlag(BaseModel):
    member_id: str
    name: str | None
    consecutive_absences: int
    last_absence: MissedActivity | None


class AbsenceFlags(BaseModel):
    branch_id: str
    threshold: int = Field(description="absences in a row that flag a member (PARTYDAY_ABSENCE_FLAG_AFTER)")
    items: list[AbsenceFlag]
    total: int
    page: int
    page_size: int


class Sheet(BaseModel):
    activity_id: str
    closed: bool
    counts: dict | None = Field(description="final statuses once closed; claimed records count for nothing")
    integrity: dict[str, int] = Field(
        default_factory=dict, description="members whose record waits for a decision: `claimed`, `flagged`"
    )
    members: list[SheetRow]


async def _activity(activity_id, caller, rpc, authz, capability, name) -> dict:
    activity = await rpc.call("attendance", "get_activity", activity_id)
    await authz.require(caller, capability, activity["branch_id"], name)
    return activity


async def _unless_unknown(call) -> dict | None:
    """The answer, or None while the owning service has not yet heard of the activity."""
    try:
        return await call
    except RemoteError as exc:
        error = domain_error(exc)
        if error is not None and error.status == 404:
            return None
        raise


@router.get("/activities/{activity_id}")
async def get_activity(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz) -> dict:
    """The activity, gathered from the services that own each part: its plan, its attendance figures, its
    media (uploads by review status and the detail score; a member who administers nothing sees only the
    approved uploads) and its score (null until scoring knows it)."""
    activity = await rpc.call("attendance", "get_activity", activity_id)
    if caller.org_id != activity["branch_id"]:
        await authz.require(caller, READ | MANAGE_PLANS, activity["branch_id"], "read")
    administers = caller.covering(set(READ | MANAGE_PLANS), (await authz.org_paths.get(activity["branch_id"]))["path"])
    plan, media, score = await asyncio.gather(
        rpc.call("plans", "find_activity", activity_id),
        _unless_unknown(
            rpc.call(
                "media", "activity_media", activity_id, approved_only=not administers, seen_from=readable_paths(caller)
            )
        ),
        _unless_unknown(rpc.call("scoring", "score", activity_id)),
    )
    plan.pop("branch_path", None)
    activity.pop("branch_path", None)
    return {**activity, "plan": plan, "media": media, "score": score}


@router.get(
    "/activities/{activity_id}/qr",
    response_model=None,
    responses=files("image/png", "image/svg+xml", PDF, "application/json", description="The code, or its token"),
)
async def qr_code(
    activity_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    format: Literal["png", "svg", "pdf", "json"] = "png",
    rotating: bool = False,
    scale: int = Query(10, ge=1, le=40),
):
    """The printable sign-in code (PNG, SVG, or an A4 PDF poster with branch, theme, time and venue) or its
    token (JSON); `rotating=true` for a venue screen (a new token every 30 s)."""
    activity = await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    if format == "pdf" and rotating:
        raise ApiError(422, "ROTATING_NOT_PRINTABLE", "a rotating code is shown on a screen, not printed")
    code = await rpc.call("attendance", "qr_token", activity_id, rotating=rotating)
    if format == "json":
        return code
    if format == "pdf":
        branch, plan = await _printed_for(activity_id, activity, rpc)
        content = documents.poster_pdf(
            activity, branch["name"], code["url"], str(settings.cjk_font_path), plan["time_zone"]
        )
        return _download(content, PDF, f"checkin-{activity_id}.pdf", cache=False)
    media_type = "image/png" if format == "png" else "image/svg+xml"
    content = documents.qr_image(code["url"], format, scale)
    return _download(content, media_type, f"checkin-{activity_id}.{format}", cache=False)


class ScreenCode(BaseModel):
    token: str
    url: str
    expires_at: str
    refresh_at: str = Field(description="when the screen fetches the next code (the next 30 s step)")
    svg: str = Field(description="the code's QR as an SVG document")


class Screen(BaseModel):
    """What the venue's screen shows now."""

    activity_id: str
    theme: str
    venue_name: str
    starts_at: str
    ends_at: str
    state: Literal["sign_in", "sign_out", "not_open", "closed"]
    until: str | None = Field(description="when the open window closes, or the next one opens; none once closed")
    now: str
    code: ScreenCode | None = Field(description="the rotating code, only while a window is open")


@router.get("/activities/{activity_id}/screen", response_model=Screen)
async def screen_code(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """The venue's screen: the activity, whether sign-in or sign-out is open (and until when) or when it opens,
    and while one is open the rotating code as SVG with the moment to fetch the next one. For whoever may print
    the activity's code (403 `manage_plans` otherwise)."""
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    screen = await rpc.call("attendance", "screen_code", activity_id)
    if screen["code"] is not None:
        screen["code"]["svg"] = documents.qr_image(screen["code"]["url"], "svg", xmldecl=False).decode()
    return screen


async def _printed_for(activity_id: str, activity: dict, rpc) -> tuple[dict, dict]:
    """What a printed document of the activity names besides it: its branch, and its plan, whose `time_zone` (the
    organisation's) its times are shown in."""
    return await asyncio.gather(
        rpc.call("directory", "get_org", activity["branch_id"]), rpc.call("plans", "find_activity", activity_id)
    )


def _download(content: bytes, media_type: str, filename: str, cache: bool = True) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if not cache:
        headers["Cache-Control"] = "no-store"
    return Response(content, media_type=media_type, headers=headers)


@router.post("/activities/{activity_id}/check-in", response_model=ScanAnswer)
async def check_in(activity_id: str, body: Evidence, member_id: MemberId, rpc: Rpc):
    """Sign in with the scanned code and the phone's position (the same nonce gets the same answer)."""
    return await rpc.call("attendance", "scan", activity_id, member_id, "sign_in", body.model_dump(mode="json"))


@router.post("/activities/{activity_id}/check-out", response_model=ScanAnswer)
async def check_out(activity_id: str, body: Evidence, member_id: MemberId, rpc: Rpc):
    """Sign out after the end, with a reflection of at least 10 characters."""
    return await rpc.call("attendance", "scan", activity_id, member_id, "sign_out", body.model_dump(mode="json"))


@router.post("/attendance/offline-batch")
async def offline_batch(
    scans: list[OfflineScan], member_id: MemberId, rpc: Rpc, idempotency_key: IdempotencyKey = None
) -> list[dict]:
    """Scans kept on the phone while offline; each is judged on its evidence and marked as sent late."""
    return await rpc.call(
        "attendance",
        "offline_batch",
        member_id,
        [scan.model_dump(mode="json") for scan in scans],
        idempotency_key=idempotency_key,
    )


@router.post("/attendance/device-keys", status_code=201)
async def register_device_key(
    body: DeviceKeyBody, member_id: MemberId, rpc: Rpc, idempotency_key: IdempotencyKey = None
) -> dict:
    """The phone's public key (ECDSA P-256, SPKI in base64), made with WebCrypto while online and never leaving
    it: the device's offline scans are then signed with it, and one unsigned or signed by another key is refused
    (`SIGNATURE_REQUIRED`, `SIGNATURE_INVALID`)."""
    return await rpc.call(
        "attendance", "register_device_key", member_id, body.model_dump(), idempotency_key=idempotency_key
    )


@router.get("/activities/{activity_id}/attendance", response_model=Sheet)
async def attendance(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """The sign-in sheet: per member signed_in, signed_out, absent, excused or no_sign_out."""
    await _activity(activity_id, caller, rpc, authz, READ | MANAGE_PLANS, "read")
    return await rpc.call("attendance", "attendance", activity_id)


@router.get("/activities/{activity_id}/attendance.{extension}", response_class=Response, responses=files(PDF, XLSX))
async def attendance_document(
    activity_id: str, extension: Literal["xlsx", "pdf"], caller: Caller, rpc: Rpc, authz: Authz, settings: Settings
):
    """The sign-in sheet (签到表), one of the six haves, as an Excel workbook or printable A4 PDF pages."""
    activity = await _activity(activity_id, caller, rpc, authz, READ | MANAGE_PLANS, "read")
    sheet = await rpc.call("attendance", "attendance", activity_id)
    branch, plan = await _printed_for(activity_id, activity, rpc)
    filename = f"attendance-{activity_id}.{extension}"
    if extension == "pdf":
        content = documents.sheet_pdf(activity, branch["name"], sheet, str(settings.cjk_font_path), plan["time_zone"])
        return _download(content, PDF, filename)
    content = documents.sheet_xlsx(activity, branch["name"], sheet, plan["time_zone"])
    return _download(content, XLSX, filename)


@router.post("/activities/{activity_id}/guests", status_code=201, response_model=SheetRow)
async def invite_guest(
    activity_id: str, body: GuestBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Invite a member of another branch (列席): they may sign in, and are counted apart from the branch."""
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    member = await rpc.call("directory", "get_member", body.member_id)
    if not member.get("active", True):
        raise ApiError(422, "MEMBER_INACTIVE", "this member has left the party organisation")
    return await rpc.call(
        "attendance",
        "invite_guest",
        activity_id,
        {"member_id": member["member_id"], "name": member["name"]},
        idempotency_key=idempotency_key,
    )


@router.get("/activities/{activity_id}/guest-candidates", response_model=GuestCandidatePage)
async def guest_candidates(
    activity_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    q: str = Query(min_length=2, max_length=50, description="part of a name, or of a phone number"),
    page: Page = 1,
    page_size: PageSize = 20,
):
    """Members of the whole city the activity's admin may invite as guests, found by name or phone: each with
    their branch and a masked phone, so that choosing a guest shows no more of anyone than that."""
    activity = await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    city_id = (await authz.org_paths.get(activity["branch_id"]))["path"].strip("/").split("/")[0]
    found = await rpc.call("directory", "list_members", city_id, page=page, page_size=page_size, filters={"q": q})
    items = [
        {
            "member_id": member["member_id"],
            "name": member["name"],
            "branch_name": member.get("branch_name"),
            "phone": f"{member['phone'][:3]}****{member['phone'][-4:]}",
        }
        for member in found["items"]
    ]
    return {**found, "items": items}


@router.delete("/activities/{activity_id}/guests/{member_id}", status_code=204, response_class=Response)
async def remove_guest(
    activity_id: str, member_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Withdraw a guest's invitation (not once they have signed in)."""
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    await rpc.call("attendance", "remove_guest", activity_id, member_id, idempotency_key=idempotency_key)
    return Response(status_code=204)


@router.post("/activities/{activity_id}/leave-requests", status_code=201, response_model=Leave)
async def request_leave(
    activity_id: str, body: LeaveBody, member_id: MemberId, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """Ask to be excused, before the start."""
    return await rpc.call(
        "attendance", "request_leave", activity_id, member_id, body.reason, idempotency_key=idempotency_key
    )


@router.get("/activities/{activity_id}/leave-requests", response_model=LeavePage)
async def leave_requests(
    activity_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    page: Page = 1,
    page_size: PageSize = 50,
    mine: bool = Query(False, description="only the caller's own"),
):
    """The activity's leave requests, oldest first, for the branch admin to decide; a member of the branch who
    administers nothing sees their own."""
    activity = await rpc.call("attendance", "get_activity", activity_id)
    node = await authz.require(caller, READ | MANAGE_PLANS, activity["branch_id"], "read", members_of_branch=True)
    own = mine or not caller.covering(set(READ | MANAGE_PLANS), node["path"])
    if own and caller.member_id is None:
        raise forbidden("read", activity["branch_id"])
    return await rpc.call(
        "attendance", "leave_requests", activity_id, caller.member_id if own else None, page=page, page_size=page_size
    )


@router.get("/activities/{activity_id}/scans", response_model=ScanLog)
async def scans(
    activity_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    outcome: Literal["accepted", "refused"] | None = None,
    member_id: str | None = Query(None, max_length=64),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Every sign-in and sign-out attempt on the activity, accepted or refused, with the evidence it was judged on
    (server time, position and accuracy, distance, device, code scanned, nonce, client address), newest first:
    how a superior or an auditor checks a sheet for remote sign-ins and sign-ins by proxy. The branch's own admin
    may not: the record they keep is the one audited."""
    await _activity(activity_id, caller, rpc, authz, SPOT_CHECK, "audit")
    return await rpc.call("attendance", "scans", activity_id, outcome, member_id, page=page, page_size=page_size)


@router.post("/leave-requests/{leave_id}/{decision}", response_model=Leave)
async def decide_leave(
    leave_id: str,
    decision: Literal["approve", "reject"],
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The branch admin approves (excused at the close) or rejects a leave request, until the activity closes."""
    activity_id = await rpc.call("attendance", "leave_activity", leave_id)
    await _activity(activity_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    return await rpc.call(
        "attendance", "decide_leave", leave_id, decision == "approve", idempotency_key=idempotency_key
    )


@router.get("/branches/{branch_id}/absence-flags", response_model=AbsenceFlags)
async def absence_flags(
    branch_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 20
):
    """The branch's members who missed party days in a row without leave (three by default) and have not
    attended since, for the branch admin and its superiors to follow up: longest streak first, each with the last
    party day missed, a page at a time."""
    node = await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read")
    if node["level"] != "branch":
        raise ApiError(
            422, "BRANCH_REQUIRED", "absences are followed per branch", {"org_id": branch_id, "level": node["level"]}
        )
    return await rpc.call("attendance", "absence_flags", branch_id, page=page, page_size=page_size)
