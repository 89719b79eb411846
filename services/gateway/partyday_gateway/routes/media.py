from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from partyday_common.text import VisibleText
from partyday_gateway.auth import Caller, Principal
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc, Settings
from partyday_gateway.errors import ApiError
from partyday_gateway.openapi import files, stored_files
from partyday_gateway.permissions import MANAGE_PLANS, PUBLISH_DIRECTIVES, READ, REVIEW, SPOT_CHECK, readable_paths
from partyday_gateway.stored_files import file_response, handed_over
from partyday_gateway.uploads import form_schema, receive
from partyday_media_contracts.rpc import MaterialText, ProgressReport

router = APIRouter(prefix="/api/v1", tags=["media"])

PathMonth = Annotated[str, Path(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", examples=["2026-12"])]
MediaStatus = Literal["pending", "approved", "rejected"]


class Uploaded(BaseModel):
    media_id: str
    status: MediaStatus
    kind: Literal["image", "video", "document"]
    possible_forgery: bool
    duplicates: list[dict]
    evidence: dict | None


class MediaView(BaseModel):
    media_id: str
    activity_id: str
    branch_id: str
    kind: Literal["image", "video", "document"]
    format: str
    status: MediaStatus
    caption: str | None
    action: str | None
    original_name: str | None
    width: int | None
    height: int | None
    duration_s: float | None
    sha256: str
    evidence: dict | None = Field(description="EXIF capture time and GPS, judged against the activity's day and venue")
    duplicates: list[dict] = Field(description="earlier uploads of the same (exact) or a similar (near) picture")
    possible_forgery: bool = Field(description="the picture was already used for another activity")
    uploaded_by: str | None
    uploaded_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    reject_reason: str | None
    url: str
    thumbnail_url: str | None
    web_url: str | None


class MediaPage(BaseModel):
    items: list[MediaView]
    total: int
    page: int
    page_size: int


class ActivityMedia(BaseModel):
    activity_id: str
    detail_score: int
    breakdown: dict | None
    counts: dict[str, int] = Field(description="the whole activity's uploads by status")
    items: list[MediaView]
    total: int
    page: int
    page_size: int


class RejectBody(BaseModel):
    reason: VisibleText(1000)


class Material(BaseModel):
    material_id: str
    directive_id: str
    directive_theme: str | None
    title: str
    kind: Literal["video", "document", "text"]
    format: str | None
    duration_s: float | None
    text: str | None
    url: str | None
    created_at: str


class MaterialPage(BaseModel):
    items: list[Material]
    total: int
    page: int
    page_size: int


class NoteBody(BaseModel):
    text: VisibleText(20_000, min_visible=10)


class Note(BaseModel):
    note_id: str
    branch_id: str
    month: str
    member_id: str
    text: str
    created_at: str
    url: str


class NotePage(BaseModel):
    items: list[Note]
    total: int
    page: int
    page_size: int


@router.post(
    "/activities/{activity_id}/media",
    status_code=status.HTTP_201_CREATED,
    response_model=Uploaded,
    openapi_extra=form_schema(
        caption={"maxLength": 500, "description": "at most 500 characters"},
        action={"maxLength": 100, "description": "the required action the photo shows"},
    ),
)
async def upload_media(
    activity_id: str,
    request: Request,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
):
    """Upload a photo (JPEG, PNG, WebP), a video (MP4) or a document (PDF) for an activity, streamed:
    multipart `file`, `caption`, and `action` (the required action a photo shows). Media judges the
    type by content and each kind's size limit; photos are re-encoded without EXIF, with a thumbnail
    and a web-size copy. The upload waits for a superior's review. Refusals: 415 UNSUPPORTED_TYPE;
    413 FILE_TOO_LARGE, QUOTA_EXCEEDED; 422 FILE_CORRUPT, IMAGE_TOO_MANY_PIXELS, POLYGLOT_FILE,
    DECOMPRESSION_BOMB, ACTIVE_CONTENT, VIDEO_TOO_LONG, FILENAME_INVALID; 409 DUPLICATE_UPLOAD."""
    activity = await rpc.call("media", "activity", activity_id)
    await authz.require(caller, MANAGE_PLANS, activity["branch_id"], "manage_plans")
    received = await receive(request, {"caption", "action"}, settings.max_upload_bytes)
    upload = {
        **received.upload,
        "caption": received.fields.get("caption") or None,
        "action": received.fields.get("action") or None,
        "uploaded_by": caller.member_id,
    }
    return await handed_over(
        rpc,
        upload["key"],
        "media",
        "ingest",
        activity_id,
        upload,
        idempotency_key=idempotency_key,
        timeout=settings.media_ingest_timeout_s,
        seen_from=readable_paths(caller),
    )


async def _media_in_reach(rpc, authz, caller: Principal, media_id: str, variant: str) -> dict:
    found = await rpc.call("media", "media_file", media_id, variant)
    if caller.org_id == found["branch_id"] and found["status"] == "approved":
        return found
    await authz.require(caller, READ | MANAGE_PLANS, found["branch_id"], "read")
    return found


@router.get("/media/{media_id}", response_class=StreamingResponse, responses=stored_files(ranges=True))
async def media_original(
    media_id: str, caller: Caller, rpc: Rpc, authz: Authz, range_header: str | None = Header(None, alias="Range")
):
    """The stored file (a photo as re-encoded, without EXIF), as an attachment; a video answers byte ranges."""
    return await file_response(await _media_in_reach(rpc, authz, caller, media_id, "original"), range_header)


@router.get("/media/{media_id}/thumbnail", response_class=StreamingResponse, responses=files("image/jpeg"))
async def media_thumbnail(media_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """A photo's thumbnail (JPEG, at most 320 px)."""
    return await file_response(await _media_in_reach(rpc, authz, caller, media_id, "thumbnail"))


@router.get("/media/{media_id}/web", response_class=StreamingResponse, responses=files("image/jpeg"))
async def media_web(media_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """A photo's web-size copy (JPEG, at most 1600 px)."""
    return await file_response(await _media_in_reach(rpc, authz, caller, media_id, "web"))


@router.get("/media/{media_id}/details", response_model=MediaView)
async def media_details(media_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """An upload's status, EXIF evidence, duplicate flags and review."""
    found = await rpc.call("media", "get_media", media_id, seen_from=readable_paths(caller))
    await authz.require(caller, READ | MANAGE_PLANS, found["branch_id"], "read")
    return found


@router.post("/media/{media_id}/approve", response_model=MediaView)
async def approve_media(media_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """A superior approves an upload; the activity's detail score follows. A repeat with the same
    Idempotency-Key gets the first answer."""
    found = await rpc.call("media", "get_media", media_id)
    await authz.require_superior(caller, found["branch_id"], "review")
    return await rpc.call(
        "media",
        "review",
        media_id,
        True,
        reviewer_id=caller.member_id,
        idempotency_key=idempotency_key,
        seen_from=readable_paths(caller),
    )


@router.post("/media/{media_id}/reject", response_model=MediaView)
async def reject_media(
    media_id: str, body: RejectBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """A superior rejects an upload with a reason; it counts for nothing and gives its bytes back to the
    branch's quota. A repeat with the same Idempotency-Key gets the first answer."""
    found = await rpc.call("media", "get_media", media_id)
    await authz.require_superior(caller, found["branch_id"], "review")
    return await rpc.call(
        "media",
        "review",
        media_id,
        False,
        reason=body.reason,
        reviewer_id=caller.member_id,
        idempotency_key=idempotency_key,
        seen_from=readable_paths(caller),
    )


@router.get("/media", response_model=MediaPage)
async def review_queue(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1),
    media_status: MediaStatus = Query("pending", alias="status"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The review queue of a subtree (oldest first), each upload with its EXIF evidence and duplicate flags."""
    await authz.require(caller, REVIEW | SPOT_CHECK, org_id, "review")
    return await rpc.call(
        "media", "review_queue", org_id, media_status, page=page, page_size=page_size, seen_from=readable_paths(caller)
    )


@router.get("/activities/{activity_id}/media", response_model=ActivityMedia)
async def activity_media(
    activity_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """An activity's uploads, oldest first, a page at a time (rejected ones left out; a member of the
    branch who administers nothing sees the approved ones), counts by status and its detail score."""
    found = await rpc.call("media", "activity", activity_id)
    node = await authz.require(caller, READ | MANAGE_PLANS, found["branch_id"], "read", members_of_branch=True)
    return await rpc.call(
        "media",
        "activity_media_page",
        activity_id,
        page=page,
        page_size=page_size,
        approved_only=not caller.covering(set(READ | MANAGE_PLANS), node["path"]),
        seen_from=readable_paths(caller),
    )


async def _directive(rpc, authz, caller, directive_id: str) -> dict:
    found = await rpc.call("media", "directive", directive_id)
    await authz.require(caller, PUBLISH_DIRECTIVES, found["org_id"], "publish_directives")
    return found


@router.post(
    "/directives/{directive_id}/materials",
    status_code=status.HTTP_201_CREATED,
    response_model=Material,
    openapi_extra=form_schema(title={"minLength": 1, "maxLength": 200, "description": "1 to 200 visible characters"}),
)
async def upload_material(
    directive_id: str,
    request: Request,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
):
    """Attach a micro lesson (MP4, about 20 minutes at most) or a document (PDF) to a directive's study
    package: multipart `file` and `title`; streamed and checked like every upload. A repeat with the
    same Idempotency-Key gets the first answer."""
    await _directive(rpc, authz, caller, directive_id)
    received = await receive(request, {"title"}, settings.max_upload_bytes)
    upload = {**received.upload, "uploaded_by": caller.member_id}
    return await handed_over(
        rpc,
        upload["key"],
        "media",
        "add_file_material",
        directive_id,
        received.fields.get("title", ""),
        upload,
        idempotency_key=idempotency_key,
        timeout=settings.media_ingest_timeout_s,
    )


@router.post("/directives/{directive_id}/materials/text", status_code=status.HTTP_201_CREATED, response_model=Material)
async def add_text_material(
    directive_id: str,
    body: MaterialText,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Attach a text to a directive's study package; a repeat with the same Idempotency-Key gets the first answer."""
    await _directive(rpc, authz, caller, directive_id)
    return await rpc.call(
        "media",
        "add_text_material",
        directive_id,
        body.model_dump(),
        uploaded_by=caller.member_id,
        idempotency_key=idempotency_key,
    )


@router.get("/directives/{directive_id}/materials", response_model=MaterialPage)
async def directive_materials(
    directive_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """A directive's study package, oldest first, a page at a time, for those who publish or read at its node."""
    found = await rpc.call("media", "directive", directive_id)
    await authz.require(caller, READ | PUBLISH_DIRECTIVES, found["org_id"], "read")
    return await rpc.call("media", "directive_materials", directive_id, page=page, page_size=page_size)


@router.get("/branches/{branch_id}/months/{month}/materials", response_model=MaterialPage)
async def month_materials(
    branch_id: str, month: PathMonth, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """The study materials of a branch's month (its task), oldest first, a page at a time, for its members to open."""
    await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read", members_of_branch=True)
    return await rpc.call("media", "month_materials", branch_id, month, page=page, page_size=page_size)


@router.get(
    "/study-materials/{material_id}",
    response_model=None,
    responses=stored_files("text/plain; charset=utf-8", ranges=True),
)
async def open_material(
    material_id: str, caller: Caller, rpc: Rpc, authz: Authz, range_header: str | None = Header(None, alias="Range")
):
    """A study material: the file as an attachment, or a text as plain text. Open to everyone in the
    directive's subtree and to those who may read it."""
    found = await rpc.call("media", "material", material_id)
    inside = [
        path
        for path in [caller.org_path, *caller.paths(set(READ | MANAGE_PLANS))]
        if path and path.startswith(found["org_path"])
    ]
    if not inside:
        await authz.require(caller, READ, found["org_id"], "read")
    if found["key"] is None:
        return Response(found["text"], media_type="text/plain; charset=utf-8")
    return await file_response(
        {"key": found["key"], "content_type": found["content_type"], "filename": f"{material_id}.{found['format']}"},
        range_header,
    )


@router.post(
    "/branches/{branch_id}/months/{month}/study-notes", status_code=status.HTTP_201_CREATED, response_model=Note
)
async def add_note(
    branch_id: str, month: PathMonth, body: NoteBody, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """A member of the branch writes a study note for the month (one of the six haves); a repeat with the
    same Idempotency-Key gets the first answer."""
    if caller.member_id is None or caller.org_id != branch_id:
        raise ApiError(403, "MEMBERS_ONLY", "study notes are written by the branch's members", {"org_id": branch_id})
    return await rpc.call(
        "media",
        "add_note",
        {"branch_id": branch_id, "month": month, "member_id": caller.member_id, "text": body.text},
        idempotency_key=idempotency_key,
    )


@router.get("/branches/{branch_id}/months/{month}/study-notes", response_model=NotePage)
async def list_notes(
    branch_id: str, month: PathMonth, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """The branch's study notes of the month, oldest first; a member who administers nothing sees their own."""
    node = await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read", members_of_branch=True)
    own = None if caller.covering(set(READ | MANAGE_PLANS), node["path"]) else caller.member_id
    return await rpc.call("media", "notes", branch_id, month, page=page, page_size=page_size, member_id=own)


@router.get("/study-notes/{note_id}", response_model=Note)
async def get_note(note_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One study note: its author's, or for those who may read the branch."""
    note = await rpc.call("media", "note", note_id)
    if note["member_id"] != caller.member_id:
        await authz.require(caller, READ | MANAGE_PLANS, note["branch_id"], "read")
    return note


class ProgressState(BaseModel):
    state: Literal["not_opened", "opened", "finished"]
    opened_at: str | None
    finished_at: str | None
    position_s: float | None = Field(description="a micro lesson's furthest position reached, in seconds")
    percent: float | None = Field(description="a micro lesson's furthest share watched, 0 to 100")


class Progress(ProgressState):
    material_id: str
    member_id: str
    kind: Literal["video", "document", "text"]


class MaterialProgress(ProgressState):
    material_id: str


class MemberProgress(BaseModel):
    member_id: str
    name: str
    materials: list[MaterialProgress] = Field(description="in the order of the directive's materials")


class ProgressMaterial(BaseModel):
    material_id: str
    title: str
    kind: Literal["video", "document", "text"]
    duration_s: float | None


class BranchProgress(BaseModel):
    branch_id: str
    directive_id: str
    theme: str
    materials: list[ProgressMaterial]
    items: list[MemberProgress]
    total: int
    page: int
    page_size: int


@router.post("/study-materials/{material_id}/progress", response_model=Progress)
async def report_progress(
    material_id: str, body: ProgressReport, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """A member's progress on a study material of their branch's directives, reported by the phone while they
    study: any report opens it; a micro lesson's position or percentage; `finished` (a lesson once 90 % of it
    was watched, else 422 `LESSON_NOT_WATCHED`). Progress only goes forward: a report behind it changes nothing."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "study progress is a member's own")
    found = await rpc.call("media", "material", material_id)
    if not caller.org_path or not caller.org_path.startswith(found["org_path"]):
        raise ApiError(
            403, "NOT_YOUR_MATERIAL", "this material belongs to another organisation's directive", {"id": material_id}
        )
    return await rpc.call(
        "media", "report_progress", material_id, caller.member_id, body.model_dump(), idempotency_key=idempotency_key
    )


@router.get("/me/study-progress", response_model=dict[str, ProgressState])
async def my_study_progress(
    caller: Caller, material_id: Annotated[list[str], Query(min_length=1, max_length=100)], rpc: Rpc
):
    """The caller's own progress on the materials named (`material_id`, repeated, at most 100), by material id."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "study progress is a member's own")
    if any(not 0 < len(item) <= 64 for item in material_id):
        raise ApiError(400, "MATERIALS_INVALID", "material ids have 1 to 64 characters")
    return await rpc.call("media", "member_progress", caller.member_id, material_id)


@router.get("/branches/{branch_id}/study-progress", response_model=BranchProgress)
async def branch_study_progress(
    branch_id: str,
    directive_id: Annotated[str, Query(min_length=1, max_length=64)],
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    page: Page = 1,
    page_size: PageSize = 20,
):
    """Who of the branch opened and finished each of a directive's study materials: per member (a page of the
    branch's members, by name), per material not opened, opened or finished, with when; for the branch's admin
    and those who read it."""
    node = await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read")
    if node["level"] != "branch":
        raise ApiError(422, "BRANCH_REQUIRED", "study progress is read per branch", {"org_id": branch_id})
    directive = await rpc.call("media", "directive", directive_id)
    if not node["path"].startswith(directive["org_path"]):
        raise ApiError(
            422,
            "DIRECTIVE_NOT_FOR_BRANCH",
            "the directive did not reach this branch",
            {"directive_id": directive_id, "org_id": branch_id},
        )
    members = await rpc.call("directory", "list_members", branch_id, page=page, page_size=page_size)
    ids = [member["member_id"] for member in members["items"]]
    progress = await rpc.call("media", "directive_progress", directive_id, ids)
    return {
        "branch_id": branch_id,
        "directive_id": directive_id,
        "theme": progress["theme"],
        "materials": progress["materials"],
        "items": [
            {"member_id": m["member_id"], "name": m["name"], "materials": progress["members"][m["member_id"]]}
            for m in members["items"]
        ],
        "total": members["total"],
        "page": page,
        "page_size": page_size,
    }
