from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from partyday_common.vocabulary import Level
from partyday_directory_contracts.rpc import MemberView, OrgCreate, OrgUpdate, OrgView
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Month, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import CITY, MANAGE_TREE, READ, readable_paths

router = APIRouter(prefix="/api/v1/orgs", tags=["directory"])


class OrgPage(BaseModel):
    items: list[OrgView]
    total: int
    page: int
    page_size: int


class MemberPage(BaseModel):
    items: list[MemberView]
    total: int
    page: int
    page_size: int


class OverdueBranch(BaseModel):
    branch_id: str
    name: str
    parent_id: str | None
    missing: list[Literal["plan", "summary"]]


class OverduePage(BaseModel):
    org_id: str
    month: str
    items: list[OverdueBranch]
    total: int
    page: int
    page_size: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrgView)
async def create_org(body: OrgCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Add a node under a parent the caller administers; other services learn of it by `org_created`."""
    if body.parent_id is None:
        authz.require_anywhere(caller, CITY, "create_city")
    else:
        await authz.require(caller, MANAGE_TREE, body.parent_id, "manage_tree")
    return await rpc.call("directory", "create_org", body.model_dump(), idempotency_key=idempotency_key)


@router.get("", response_model=OrgView)
async def find_org(caller: Caller, rpc: Rpc, authz: Authz, code: str = Query(min_length=1, max_length=64)):
    """The node with this organisation code."""
    org = await rpc.call("directory", "find_org_by_code", code)
    if org is None:
        raise ApiError(404, "ORG_NOT_FOUND", f"no organisation has the code {code}", {"code": code})
    await authz.require(caller, READ, org["org_id"], "read", members_of_branch=True)
    return org


@router.get("/search", response_model=OrgPage)
async def search_orgs(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    q: str = Query(min_length=1, max_length=64, description="part of the name, or the start of the code"),
    under: str | None = Query(None, min_length=1, max_length=64, description="only this node's subtree"),
    level: Level | None = None,
    page: Page = 1,
    page_size: PageSize = 20,
):
    """Organisations the caller may read (under `under`, if given) whose name contains `q` or whose code starts
    with it, case ignored, of `level` if given: code matches first, then by name, a page at a time. An organisation
    picker's suggestions: the caller's reach is that of their reading and managing roles, and their own branch."""
    if under is not None:
        within = [(await authz.require(caller, READ, under, "read", members_of_branch=True))["path"]]
    else:
        within = readable_paths(caller)
    if not within:
        return {"items": [], "total": 0, "page": page, "page_size": page_size}
    payload = {"within": within, "q": q, "level": level}
    return await rpc.call("directory", "search_orgs", payload, page=page, page_size=page_size)


@router.get("/{org_id}", response_model=OrgView)
async def get_org(org_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One node of the organisation tree."""
    await authz.require(caller, READ, org_id, "read", members_of_branch=True)
    return await rpc.call("directory", "get_org", org_id)


@router.patch("/{org_id}", response_model=OrgView)
async def update_org(
    org_id: str, body: OrgUpdate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Rename, reclassify or move a node; a move needs the right over the new parent too."""
    await authz.require(caller, MANAGE_TREE, org_id, "manage_tree")
    changes = body.model_dump(exclude_unset=True)
    if changes.get("parent_id"):
        await authz.require(caller, MANAGE_TREE, changes["parent_id"], "manage_tree")
    updated = await rpc.call("directory", "update_org", org_id, changes, idempotency_key=idempotency_key)
    authz.org_paths.forget()
    return updated


@router.get("/{org_id}/children", response_model=OrgPage)
async def list_children(org_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50):
    """The direct children of a node, by name, a page at a time."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("directory", "list_children", org_id, page=page, page_size=page_size)


@router.get("/{org_id}/members", response_model=MemberPage)
async def list_members(
    org_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    page: Page = 1,
    page_size: PageSize = 50,
    q: str | None = Query(None, min_length=1, max_length=50, description="part of a name or of a phone number"),
    mobile: bool | None = Query(None, description="only mobile members (true) or only the others (false)"),
    lost_contact: bool | None = Query(None, description="only members out of contact (true) or only the others"),
):
    """Active members of every branch under the node (or of the branch itself), by name, a page at a time, each
    with their branch's name; `q`, `mobile` and `lost_contact` narrow them."""
    await authz.require(caller, READ, org_id, "read")
    filters = {"q": q, "mobile": mobile, "lost_contact": lost_contact}
    return await rpc.call(
        "directory",
        "list_members",
        org_id,
        page=page,
        page_size=page_size,
        filters={key: value for key, value in filters.items() if value is not None},
    )


@router.get("/{org_id}/overdue", response_model=OverduePage)
async def overdue(
    org_id: str, month: Month, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """Branches under the node whose plan or summary for the month is past its deadline."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("plans", "overdue", org_id, month, page=page, page_size=page_size)
