from fastapi import APIRouter
from pydantic import BaseModel

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Page, PageSize, Rpc
from partyday_gateway.permissions import READ_AUDIT, forbidden

router = APIRouter(prefix="/api/v1/audit", tags=["accounts"])


class AuditEntry(BaseModel):
    audit_id: str
    at: str
    actor_id: str | None
    client_ip: str | None
    action: str
    target_type: str
    target_id: str
    details: dict
    correlation_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


@router.get("", response_model=AuditPage)
async def audit_log(caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 50):
    """Administrative actions within the caller's subtrees: who, what, when, from where; newest first."""
    scope = caller.paths(set(READ_AUDIT))
    if not scope:
        raise forbidden("read_audit", None)
    return await rpc.call("directory", "audit_entries", scope, page=page, page_size=page_size)
