from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from partyday_directory.schemas import OrgCreate, OrgView
from partyday_gateway.deps import IdempotencyKey, Month, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError

router = APIRouter(prefix="/api/v1/orgs", tags=["directory"])


class OverdueBranch(BaseModel):
    branch_id: str
    name: str
    parent_id: str | None
    missing: list[Literal["plan", "summary"]]


class OrgPage(BaseModel):
    items: list[OrgView]
    total: int
    page: int
    page_size: int


class OverduePage(BaseModel):
    org_id: str
    month: str
    items: list[OverdueBranch]
    total: int
    page: int
    page_size: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrgView)
async def create_org(body: OrgCreate, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Add a node to the organisation tree; other services learn of it by `org_created`."""
    return await rpc.call("directory", "create_org", body.model_dump(), idempotency_key=idempotency_key)


@router.get("", response_model=OrgView)
async def find_org(rpc: Rpc, code: str = Query(min_length=1, max_length=64)):
    """The node with this organisation code."""
    org = await rpc.call("directory", "find_org_by_code", code)
    if org is None:
        raise ApiError(404, "ORG_NOT_FOUND", f"no organisation has the code {code}", {"code": code})
    return org


@router.get("/{org_id}", response_model=OrgView)
async def get_org(org_id: str, rpc: Rpc):
    """One node of the organisation tree."""
    return await rpc.call("directory", "get_org", org_id)


@router.get("/{org_id}/children", response_model=OrgPage)
async def list_children(org_id: str, rpc: Rpc, page: Page = 1, page_size: PageSize = 50):
    """The direct children of a node, by name, a page at a time."""
    return await rpc.call("directory", "list_children", org_id, page=page, page_size=page_size)


@router.get("/{org_id}/overdue", response_model=OverduePage)
async def overdue(org_id: str, month: Month, rpc: Rpc, page: Page = 1, page_size: PageSize = 50):
    """Branches under the node whose plan or summary for the month is past its deadline."""
    return await rpc.call("plans", "overdue", org_id, month, page=page, page_size=page_size)
