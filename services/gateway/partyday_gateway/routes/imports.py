from fastapi import APIRouter

from partyday_directory_contracts.imports import ImportView
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Page, PageSize, Rpc

router = APIRouter(prefix="/api/v1/imports", tags=["directory"])


@router.get("/{import_id}", response_model=ImportView)
async def get_import(import_id: str, caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 50):
    """A roster import's progress (state, rows read of the total, accepted, unchanged and rejected so far, when
    it started and finished, or why it failed as a whole) and the rows it rejected, a page at a time in the
    file's order, each with its reason codes and what they mean; for whoever started it, or whoever's roles
    cover its branches."""
    return await rpc.call("directory", "get_import", import_id, reader=caller.member_id, page=page, page_size=page_size)
