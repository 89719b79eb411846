"""The lost-contact register (组织找党员): entries per subtree, the steps taken to find a member, found or
transferred. Only admins of the subtree (`manage_members`) read and act; the directory keeps the register."""

from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from partyday_directory_contracts.rpc import (
    LostMemberCountsView,
    LostMemberFound,
    LostMemberRegister,
    LostMemberStepCreate,
    LostMemberTransferred,
    LostMemberView,
)
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.permissions import MANAGE_MEMBERS, forbidden

router = APIRouter(prefix="/api/v1", tags=["directory"])


class LostMemberPage(BaseModel):
    items: list[LostMemberView]
    total: int
    page: int
    page_size: int


async def _entry(entry_id: str, caller, rpc, authz) -> dict:
    """The entry, if the caller administers its last known branch."""
    entry = await rpc.call("directory", "get_lost_member", entry_id)
    await authz.require(caller, MANAGE_MEMBERS, entry["last_branch_id"], "manage_members")
    return entry


@router.get("/orgs/{org_id}/lost-members", response_model=LostMemberPage)
async def list_lost_members(
    org_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    entry_status: Literal["open", "found", "transferred"] | None = Query(None, alias="status"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The register of the subtree: entries whose member was last known in a branch under `org_id`, newest
    first, each with its steps; `status` narrows them (open, found, transferred)."""
    await authz.require(caller, MANAGE_MEMBERS, org_id, "manage_members")
    return await rpc.call("directory", "list_lost_members", org_id, status=entry_status, page=page, page_size=page_size)


@router.get("/orgs/{org_id}/lost-members/counts", response_model=LostMemberCountsView)
async def lost_member_counts(org_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """Open entries of the subtree, and under each child of `org_id` (the home dashboard's count)."""
    await authz.require(caller, MANAGE_MEMBERS, org_id, "manage_members")
    return await rpc.call("directory", "lost_member_counts", org_id)


@router.post("/lost-members", status_code=status.HTTP_201_CREATED, response_model=LostMemberView)
async def register_lost_member(
    body: LostMemberRegister, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Enter a member of a branch the caller administers in the register, out of contact since a day, with the
    last known contact; their lost-contact flag is set (409 `ALREADY_REGISTERED` while an entry is open,
    422 `SINCE_IN_FUTURE`). Audited as `lost_member.register`."""
    member = await rpc.call("directory", "get_member", body.member_id)
    if member["branch_id"] is None:
        raise forbidden("manage_members", None)
    await authz.require(caller, MANAGE_MEMBERS, member["branch_id"], "manage_members")
    payload = body.model_dump(mode="json", exclude_none=True)
    return await rpc.call("directory", "register_lost_member", payload, idempotency_key=idempotency_key)


@router.get("/lost-members/{entry_id}", response_model=LostMemberView)
async def get_lost_member(entry_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One entry of the register with its steps."""
    return await _entry(entry_id, caller, rpc, authz)


@router.post("/lost-members/{entry_id}/steps", response_model=LostMemberView)
async def add_lost_member_step(
    entry_id: str,
    body: LostMemberStepCreate,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Keep a step taken to find the member (what; when and by whom are the call's); 409 `ENTRY_CLOSED` once the
    entry is found or transferred. Audited as `lost_member.step`."""
    await _entry(entry_id, caller, rpc, authz)
    return await rpc.call(
        "directory", "add_lost_member_step", entry_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )


@router.post("/lost-members/{entry_id}/found", response_model=LostMemberView)
async def lost_member_found(
    entry_id: str,
    body: LostMemberFound,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The member is back in contact: the entry closes as found and their lost-contact flag is cleared (409
    `ENTRY_CLOSED` on a closed entry). Audited as `lost_member.found`."""
    await _entry(entry_id, caller, rpc, authz)
    return await rpc.call(
        "directory", "lost_member_found", entry_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )


@router.post("/lost-members/{entry_id}/transferred", response_model=LostMemberView)
async def lost_member_transferred(
    entry_id: str,
    body: LostMemberTransferred,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The member's relation goes to another branch the caller also administers, by the transfer rule (409
    `ALREADY_IN_BRANCH`, 422 `BRANCH_REQUIRED`): the entry closes as transferred and the flag is cleared.
    Audited as `lost_member.transferred` and `member.transfer`."""
    await _entry(entry_id, caller, rpc, authz)
    await authz.require(caller, MANAGE_MEMBERS, body.to_org_id, "manage_members")
    return await rpc.call(
        "directory", "lost_member_transferred", entry_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )
