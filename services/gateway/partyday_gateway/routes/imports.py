from fastapi import APIRouter

from partyday_directory_contracts.imports import ImportView, RowStatus
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Page, PageSize, Rpc

router = APIRouter(prefix="/api/v1/imports", tags=["directory"])


@router.get("/{import_id}", response_model=ImportView)
async def get_import(import_id: str, caller: Caller, rpc: Rpc, status: RowStatus | None = None, page: Page = 1,
                     page_size: PageSize = 50):
    """A roster import's progress (state, rows read, accepted, unchanged and rejected so far, when it started
    and finished, or why it failed) and its row-level report a page at a time in the file's order, only the
    rows of `status` when given; for whoever started it, or whoever's roles cover its branches."""
    return await rpc.call("directory", "get_import", import_id, reader=caller.member_id, status=status, page=page,
                          page_size=page_size)
