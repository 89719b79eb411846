"""Likes and comments on activities, and the moderation of reported comments."""

from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.routes.scores import ENGAGE, scoped_activity
from partyday_scoring_contracts.rpc import CommentCreate, Moderation, ReportCreate

router = APIRouter(prefix="/api/v1", tags=["engagement"])


class Liked(BaseModel):
    activity_id: str
    liked: bool
    likes: int


class Comment(BaseModel):
    comment_id: str
    activity_id: str
    member_id: str
    text: str
    status: Literal["visible", "hidden", "removed"]
    reports: int
    created_at: str


class CommentPage(BaseModel):
    items: list[Comment]
    total: int
    page: int
    page_size: int


class Reported(BaseModel):
    comment_id: str
    reports: int
    status: Literal["visible", "hidden", "removed"]


def member_id(caller) -> str:
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "this needs a member's account")
    return caller.member_id


@router.post("/activities/{activity_id}/likes", status_code=status.HTTP_201_CREATED, response_model=Liked)
async def like(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Like an activity, once per member (409 ALREADY_LIKED after, unless the same Idempotency-Key is sent again);
    a mobile member's like counts in the score."""
    liker = member_id(caller)
    await scoped_activity(activity_id, caller, rpc, authz, ENGAGE, "engage")
    return await rpc.call("scoring", "like", activity_id, liker, idempotency_key=idempotency_key)


@router.get("/activities/{activity_id}/likes", response_model=Liked)
async def my_like(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """Whether I liked the activity (`liked`), and its likes in all (`likes`); 404 ACTIVITY_NOT_FOUND while
    scoring has not heard of it yet."""
    liker = member_id(caller)
    await scoped_activity(activity_id, caller, rpc, authz)
    return await rpc.call("scoring", "like_state", activity_id, liker)


@router.post("/activities/{activity_id}/comments", status_code=status.HTTP_201_CREATED, response_model=Comment)
async def add_comment(
    activity_id: str,
    body: CommentCreate,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Comment on an activity (1–2000 characters)."""
    author = member_id(caller)
    await scoped_activity(activity_id, caller, rpc, authz, ENGAGE, "engage")
    return await rpc.call(
        "scoring", "add_comment", activity_id, author, body.model_dump(), idempotency_key=idempotency_key
    )


@router.get("/me/comments", response_model=CommentPage)
async def my_comments(caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 50):
    """My own comments, newest first, each with its status: `hidden` after enough reports (awaiting a
    moderator), `visible` again if restored, `removed` if a moderator took it down."""
    return await rpc.call("scoring", "authored_comments", member_id(caller), page=page, page_size=page_size)


@router.get("/activities/{activity_id}/comments", response_model=CommentPage)
async def comments(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50):
    """The activity's visible comments, oldest first."""
    await scoped_activity(activity_id, caller, rpc, authz)
    return await rpc.call("scoring", "comments", activity_id, page=page, page_size=page_size)


@router.post("/comments/{comment_id}/reports", status_code=status.HTTP_201_CREATED, response_model=Reported)
async def report(
    comment_id: str, body: ReportCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Report a comment, once per member; enough reports hide it for a moderator and tell its author."""
    reporter = member_id(caller)
    scope = await rpc.call("scoring", "comment_scope", comment_id)
    await scoped_activity(scope["activity_id"], caller, rpc, authz, ENGAGE, "engage")
    return await rpc.call(
        "scoring", "report_comment", comment_id, reporter, body.model_dump(), idempotency_key=idempotency_key
    )


@router.get("/moderation/comments", response_model=CommentPage)
async def moderation_queue(
    caller: Caller, rpc: Rpc, authz: Authz, org_id: str = Query(min_length=1), page: Page = 1, page_size: PageSize = 50
):
    """Hidden comments of the subtree awaiting a moderator, oldest first, for its superiors only (org or city
    admins above it, never of the node itself); the caller's own branch is left out: nobody moderates it."""
    await authz.require_superior(caller, org_id, "moderate")
    return await rpc.call(
        "scoring", "moderation_queue", org_id, page=page, page_size=page_size, exclude_path=caller.org_path
    )


@router.post("/comments/{comment_id}/moderation", response_model=Comment)
async def moderate(
    comment_id: str, body: Moderation, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Restore a hidden comment (reports no longer hide it) or remove it; its author is told. Only a superior of
    the comment's branch moderates (org or city admins above it), never someone of that branch."""
    scope = await rpc.call("scoring", "comment_scope", comment_id)
    await authz.require_superior(caller, scope["branch_id"], "moderate")
    return await rpc.call(
        "scoring",
        "moderate",
        comment_id,
        body.model_dump(),
        caller.member_id or caller.subject,
        idempotency_key=idempotency_key,
    )
