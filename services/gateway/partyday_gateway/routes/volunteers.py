"""Volunteer requests (志愿云呼叫): the resident's public routes (no login: a community found by name, the request
posted with the one-time code of `POST /api/v1/auth/public-code`, then followed by its token), the branch's
administration (who manages the branch's plans takes requests in, declines, dispatches or publishes them), the
members' claims and completions with a photo, and the lists, overdue requests and counts per branch."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Month, Page, PageSize, Rpc, Settings
from partyday_gateway.errors import ApiError
from partyday_gateway.openapi import files
from partyday_gateway.permissions import MANAGE_PLANS, READ
from partyday_gateway.stored_files import file_response, handed_over
from partyday_gateway.uploads import form_schema, receive
from partyday_volunteers_contracts.rpc import Decline, Dispatch, Rating, RequestSubmit, State

router = APIRouter(prefix="/api/v1", tags=["volunteers"])

Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class Step(BaseModel):
    action: str
    from_state: str | None
    to_state: str
    actor: str
    details: dict
    at: str


class RequestView(BaseModel):
    request_id: str
    branch_id: str
    branch_name: str
    what: str
    where: str
    wanted_by: str
    resident_name: str
    resident_phone: str
    state: State
    submitted_at: str
    accept_by: str
    decline_reason: str | None
    dispatched_to: list[str]
    claimed_by: str | None
    claimed_by_name: str | None
    claimed_at: str | None
    completed_at: str | None
    completion_note: str | None
    has_photo: bool
    rating: int | None
    rating_comment: str | None
    confirmed_at: str | None


class RequestDetail(RequestView):
    history: list[Step]


class ListedRequest(RequestView):
    overdue: Literal["not_taken_in", "past_due"] | None = None


class RequestPage(BaseModel):
    items: list[ListedRequest]
    total: int
    page: int
    page_size: int


class Submitted(BaseModel):
    request: RequestView
    token: str


class Community(BaseModel):
    org_id: str
    name: str


class CommunityPage(BaseModel):
    items: list[Community]
    total: int
    page: int
    page_size: int


class BranchCount(BaseModel):
    branch_id: str
    name: str
    received: int
    completed: int
    average_rating: float | None


class Totals(BaseModel):
    received: int
    completed: int


class Stats(BaseModel):
    org_id: str
    month: str
    items: list[BranchCount]
    totals: Totals


async def _photo(found: dict) -> StreamingResponse:
    """The request's photo of the work done, shown in the page."""
    if not found.get("key"):
        raise ApiError(404, "PHOTO_NOT_FOUND", "no photo has been recorded for this request")
    return await file_response({**found, "filename": found["key"].rsplit("/", 1)[-1]}, disposition="inline")


@router.get("/help/communities", response_model=CommunityPage)
async def find_communities(
    rpc: Rpc,
    q: str = Query(min_length=1, max_length=64, description="part of the community's branch name, or its code start"),
    page: Page = 1,
    page_size: PageSize = 10,
):
    """Public, no login: the branches whose name contains `q` (or whose code starts with it), to address a
    volunteer request to; only their id and name."""
    payload = {"within": ["/"], "q": q, "level": "branch"}
    found = await rpc.call("directory", "search_orgs", payload, page=page, page_size=page_size)
    items = [{"org_id": org["org_id"], "name": org["name"]} for org in found["items"]]
    return {**found, "items": items}


@router.post("/help/requests", status_code=status.HTTP_201_CREATED, response_model=Submitted)
async def submit_request(body: RequestSubmit, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Public, no login: a resident's request, the phone proved by the code `POST /api/v1/auth/public-code` sent it
    (401 CODE_INVALID or CODE_EXPIRED; wrong codes are limited per phone and address, 429). Answers the request and
    the token of its follow page (`/help?token=`), shown once. 400 WANTED_BY_PAST, 422 NOT_A_BRANCH."""
    payload = body.model_dump(mode="json")
    return await rpc.call("volunteers", "submit_request", payload, idempotency_key=idempotency_key)


@router.get("/help/requests/{token}", response_model=RequestDetail)
async def follow_request(token: Token, rpc: Rpc):
    """Public, by its token: the resident's request, where it stands and its history (the phone masked)."""
    return await rpc.call("volunteers", "follow_request", token)


@router.get("/help/requests/{token}/photo", response_class=StreamingResponse, responses=files(*PHOTO_TYPES))
async def follow_request_photo(token: Token, rpc: Rpc):
    """Public, by its token: the photo the member recorded the work done with."""
    return await _photo(await rpc.call("volunteers", "photo_by_token", token))


@router.post("/help/requests/{token}/cancel", response_model=RequestDetail)
async def cancel_request(token: Token, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Public, by its token: the resident withdraws the request before a member claimed it (409 after)."""
    return await rpc.call("volunteers", "cancel_request", token, idempotency_key=idempotency_key)


@router.post("/help/requests/{token}/confirm", response_model=RequestDetail)
async def confirm_request(token: Token, body: Rating, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Public, by its token: the resident confirms the work done and rates it 1–5 with an optional comment (409
    unless it is done)."""
    payload = body.model_dump(mode="json", exclude_none=True)
    return await rpc.call("volunteers", "confirm_request", token, payload, idempotency_key=idempotency_key)


@router.get("/volunteer-requests", response_model=RequestPage)
async def list_requests(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1, max_length=64, description="a branch, or an organisation above branches"),
    state: list[State] = Query([], description="only these states (repeat the parameter)"),
    page: Page = 1,
    page_size: PageSize = 20,
):
    """The requests of the branches under a node, newest first, a page at a time, each with why it is late if it
    is."""
    node = await authz.require(caller, READ, org_id, "read")
    return await rpc.call("volunteers", "branch_requests", node["path"], state, page=page, page_size=page_size)


async def _branch_request(rpc, authz, caller, request_id: str, capability=READ, name="read") -> dict:
    found = await rpc.call("volunteers", "get_request", request_id)
    await authz.require(caller, capability, found["branch_id"], name)
    return found


@router.get("/volunteer-requests/{request_id}", response_model=RequestDetail)
async def get_request(request_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One request with its history and the resident's phone, for who reads its branch (its members see the requests
    they may claim, the phone masked, in `GET /api/v1/me/volunteer-requests`)."""
    return await _branch_request(rpc, authz, caller, request_id)


@router.get("/volunteer-requests/{request_id}/photo", response_class=StreamingResponse, responses=files(*PHOTO_TYPES))
async def request_photo(request_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """The completion photo, for the branch's members and who reads the branch."""
    found = await rpc.call("volunteers", "photo", request_id)
    if caller.org_id != found["branch_id"]:
        await authz.require(caller, READ, found["branch_id"], "read")
    return await _photo(found)


@router.post("/volunteer-requests/{request_id}/accept", response_model=RequestDetail)
async def accept_request(
    request_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """The branch takes the request in (409 REQUEST_STATE_CONFLICT unless submitted); audited."""
    await _branch_request(rpc, authz, caller, request_id, MANAGE_PLANS, "manage_plans")
    return await rpc.call("volunteers", "accept_request", request_id, caller.member_id, idempotency_key=idempotency_key)


@router.post("/volunteer-requests/{request_id}/decline", response_model=RequestDetail)
async def decline_request(
    request_id: str, body: Decline, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """The branch declines the request with a reason the resident reads; audited."""
    await _branch_request(rpc, authz, caller, request_id, MANAGE_PLANS, "manage_plans")
    payload = body.model_dump(mode="json")
    return await rpc.call(
        "volunteers", "decline_request", request_id, caller.member_id, payload, idempotency_key=idempotency_key
    )


@router.post("/volunteer-requests/{request_id}/dispatch", response_model=RequestDetail)
async def dispatch_request(
    request_id: str, body: Dispatch, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """The branch dispatches the request to named members of its own (422 MEMBER_NOT_IN_BRANCH); they are told;
    audited."""
    await _branch_request(rpc, authz, caller, request_id, MANAGE_PLANS, "manage_plans")
    payload = body.model_dump(mode="json")
    return await rpc.call(
        "volunteers", "dispatch_request", request_id, caller.member_id, payload, idempotency_key=idempotency_key
    )


@router.post("/volunteer-requests/{request_id}/publish", response_model=RequestDetail)
async def publish_request(
    request_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """The branch publishes the request to all its members, the first to claim it does it; audited."""
    await _branch_request(rpc, authz, caller, request_id, MANAGE_PLANS, "manage_plans")
    return await rpc.call(
        "volunteers", "publish_request", request_id, caller.member_id, idempotency_key=idempotency_key
    )


def _member_id(caller) -> str:
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "only a member claims and does volunteer work")
    return caller.member_id


@router.post("/volunteer-requests/{request_id}/claim", response_model=RequestDetail)
async def claim_request(request_id: str, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """A member claims the work: one dispatched to them, or published to their branch (403 NOT_DISPATCHED_TO_YOU,
    409 REQUEST_STATE_CONFLICT once another claimed it)."""
    return await rpc.call(
        "volunteers", "claim_request", request_id, _member_id(caller), idempotency_key=idempotency_key
    )


@router.post(
    "/volunteer-requests/{request_id}/complete",
    response_model=RequestDetail,
    openapi_extra=form_schema("the photo of the work done (JPEG, PNG, WebP)", note={"maxLength": 500}),
)
async def complete_request(
    request_id: str,
    request: Request,
    caller: Caller,
    rpc: Rpc,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
):
    """The member who claimed it records the work done: multipart `file` (the photo, streamed to the object store
    like every upload) and `note`. 403 NOT_YOUR_CLAIM, 409 unless claimed, 415 UNSUPPORTED_TYPE, 413
    FILE_TOO_LARGE; the completion is announced (`volunteer_request_completed`)."""
    member_id = _member_id(caller)
    received = await receive(request, {"note"}, settings.max_upload_bytes)
    note = received.fields.get("note") or None
    payload = {"note": note} if note else {}
    return await handed_over(
        rpc,
        received.upload["key"],
        "volunteers",
        "complete_request",
        request_id,
        member_id,
        received.upload,
        payload,
        idempotency_key=idempotency_key,
        timeout=settings.media_ingest_timeout_s,
    )


@router.get("/me/volunteer-requests", response_model=RequestPage)
async def my_requests(
    caller: Caller,
    rpc: Rpc,
    view: Literal["open", "claimed"] = Query("open", description="open: what I may claim; claimed: my work"),
    page: Page = 1,
    page_size: PageSize = 20,
):
    """The member's phone: requests they may claim, or the work they claimed."""
    method = "member_open_requests" if view == "open" else "member_claimed_requests"
    return await rpc.call("volunteers", method, _member_id(caller), page=page, page_size=page_size)


@router.get("/orgs/{org_id}/volunteer-overdue", response_model=RequestPage)
async def overdue_requests(
    org_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 20
):
    """Requests under a node that are late: not taken in within the hours a branch has
    (`PARTYDAY_VOLUNTEERS_ACCEPT_WITHIN_H`, 24), or taken in and not done by the time the resident asked for."""
    node = await authz.require(caller, READ, org_id, "read")
    return await rpc.call("volunteers", "overdue_requests", node["path"], page=page, page_size=page_size)


@router.get("/orgs/{org_id}/volunteer-stats", response_model=Stats)
async def volunteer_stats(org_id: str, month: Month, caller: Caller, rpc: Rpc, authz: Authz):
    """Per branch under a node, the month's volunteer requests received, completed, and the residents' average
    rating: a branch's service record."""
    node = await authz.require(caller, READ, org_id, "read")
    return {"org_id": org_id, **await rpc.call("volunteers", "branch_stats", node["path"], month)}
