"""A member's notifications: their inbox, newest first with the unread count, marking read, and their choices
(e-mail address, language, channels per kind), every member only their own; and for operations the deliveries
given up (dead letters)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import CITY
from partyday_notifications_contracts.rpc import NotificationSettingsUpdate

router = APIRouter(prefix="/api/v1", tags=["notifications"])


class NotificationView(BaseModel):
    notification_id: str
    kind: str
    title: str
    body: str
    subject_id: str | None
    created_at: str
    read_at: str | None


class Inbox(BaseModel):
    items: list[NotificationView]
    total: int
    unread: int = Field(description="the caller's unread notifications, whatever the page")
    page: int
    page_size: int


class ReadAll(BaseModel):
    marked: int
    unread: int


class NotificationSettings(BaseModel):
    member_id: str
    email: str | None
    language: str
    channels: dict[str, list[str]] = Field(description="per kind, the channels the caller is told by")
    allowed: dict[str, list[str]] = Field(description="per kind, the channels it may go by")
    required: dict[str, list[str]] = Field(description="per kind, the channels the organisation requires")


def member_of(caller) -> str:
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "notifications are a member's")
    return caller.member_id


@router.get("/me/notifications", response_model=Inbox)
async def my_notifications(
    caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 20, unread_only: bool = False
):
    """The caller's notifications, newest first, a page at a time, with how many are unread."""
    member_id = member_of(caller)
    return await rpc.call("notifications", "inbox", member_id, page=page, page_size=page_size, unread_only=unread_only)


@router.post("/me/notifications/read-all", response_model=ReadAll)
async def read_all(caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Mark every notification of the caller read."""
    return await rpc.call("notifications", "mark_all_read", member_of(caller), idempotency_key=idempotency_key)


@router.post("/me/notifications/{notification_id}/read", response_model=NotificationView)
async def read_one(notification_id: str, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Mark one of the caller's notifications read (404 for one that is not theirs)."""
    return await rpc.call(
        "notifications", "mark_read", member_of(caller), notification_id, idempotency_key=idempotency_key
    )


@router.get("/me/notification-settings", response_model=NotificationSettings)
async def my_settings(caller: Caller, rpc: Rpc):
    """The caller's e-mail address, language, and per kind the channels they are told by."""
    return await rpc.call("notifications", "member_settings", member_of(caller))


@router.put("/me/notification-settings", response_model=NotificationSettings)
async def change_settings(
    body: NotificationSettingsUpdate, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """Change the caller's e-mail address, language or channels per kind (the inbox and what the organisation
    requires stay)."""
    payload = body.model_dump(exclude_unset=True)
    return await rpc.call(
        "notifications", "update_member_settings", member_of(caller), payload, idempotency_key=idempotency_key
    )


class DeadDelivery(BaseModel):
    delivery_id: str
    notification_id: str
    recipient_id: str
    kind: str
    channel: str
    attempts: int
    last_error: str | None
    created_at: str


class DeadLetters(BaseModel):
    items: list[DeadDelivery]
    total: int
    page: int
    page_size: int
    counts: dict[str, dict[str, int]] = Field(description="deliveries by channel and status")


@router.get("/notifications/dead-letters", response_model=DeadLetters)
async def dead_letters(caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50):
    """For operations (the city admin): text messages and e-mails given up after their attempts, newest first, with
    their last error, and every delivery counted by channel and status."""
    authz.require_anywhere(caller, CITY, "create_city")
    return await rpc.call("notifications", "dead_letters", page=page, page_size=page_size)
