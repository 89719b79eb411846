from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from partyday_common.text import Identifier
from partyday_directory_contracts.rpc import GrantListView, RoleGrantCreate
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import GRANT_ROLES, READ

router = APIRouter(prefix="/api/v1/role-grants", tags=["accounts"])


class GrantView(BaseModel):
    grant_id: str
    member_id: str
    role: str
    org_id: str


class GrantPage(BaseModel):
    items: list[GrantListView]
    total: int
    page: int
    page_size: int


@router.get("", response_model=GrantPage)
async def list_grants(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: Identifier | None = Query(None, description="grants at this node and every node under it"),
    member_id: Identifier | None = Query(None, description="this member's grants"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Active role grants, newest first, a page at a time, with the member's and the node's names: those at the
    nodes under `org_id` (the caller reads that node), or those of `member_id` (a member of a branch the caller
    reads, or the caller themselves); one of the two is required (400 FILTER_REQUIRED)."""
    if org_id is None and member_id is None:
        raise ApiError(400, "FILTER_REQUIRED", "grants are listed by org_id or member_id")
    if org_id is not None:
        await authz.require(caller, READ, org_id, "read")
    if member_id is not None and member_id != caller.member_id:
        member = await rpc.call("directory", "get_member", member_id)
        if member["branch_id"] is None:
            raise ApiError(403, "FORBIDDEN", "your roles do not allow this here", {"needs": "read"})
        await authz.require(caller, READ, member["branch_id"], "read")
    return await rpc.call(
        "directory", "list_grants", org_id=org_id, member_id=member_id, page=page, page_size=page_size
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantView)
async def grant(body: RoleGrantCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Give a member a role at a node the caller administers. The directory judges the rest, each refusal with
    its reason: nobody grants to themselves (GRANT_SELF), only to a member of their subtree
    (GRANT_MEMBER_OUT_OF_SCOPE), only a role below their own (GRANT_ROLE_TOO_HIGH: no city admin is made here),
    an evaluation body only from above its organisation (GRANT_FROM_ABOVE), and never both bodies over one
    evaluation (409 BODIES_EXCLUSIVE)."""
    await authz.require(caller, GRANT_ROLES, body.org_id, "grant_roles")
    granted = await rpc.call("directory", "grant_role", body.model_dump(), idempotency_key=idempotency_key)
    authz.forget_member(body.member_id)
    return granted


@router.delete("/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(grant_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """End a role grant at a node the caller administers, of a role below their own (GRANT_ROLE_TOO_HIGH); a
    repeat with the same key is answered as the first
    (the grant is looked up revoked or not, so that the caller's right over its node is checked either way)."""
    found = await rpc.call("directory", "get_grant", grant_id)
    await authz.require(caller, GRANT_ROLES, found["org_id"], "grant_roles")
    await rpc.call("directory", "revoke_grant", grant_id, idempotency_key=idempotency_key)
    authz.forget_member(found["member_id"])
