import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel

from partyday_common.pagination import MAX_PAGE_SIZE
from partyday_common.printing import cell
from partyday_gateway.auth import Caller, Principal
from partyday_gateway.deps import Page, PageSize, Rpc
from partyday_gateway.openapi import files
from partyday_gateway.permissions import READ_AUDIT, forbidden

router = APIRouter(tags=["accounts"])

# An export reads at most this many entries (the newest first); narrow it by time for more.
EXPORT_MAX_ROWS = 100_000
EXPORT_COLUMNS = (
    "audit_id",
    "at",
    "actor_id",
    "client_ip",
    "action",
    "target_type",
    "target_id",
    "org_path",
    "correlation_id",
    "details",
)


class AuditEntry(BaseModel):
    audit_id: str
    at: str
    actor_id: str | None
    client_ip: str | None
    action: str
    target_type: str
    target_id: str
    org_path: str | None = None
    details: dict
    correlation_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


class AuditFilters(BaseModel):
    """Who did it, what, to which object and when (`since` included, `until` excluded); each narrows the log."""

    actor_id: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None

    def for_directory(self) -> dict:
        return {name: value for name, value in self.model_dump(mode="json").items() if value is not None}


Filters = Annotated[AuditFilters, Query()]


def _scope(caller: Principal) -> list[str]:
    scope = caller.paths(set(READ_AUDIT))
    if not scope:
        raise forbidden("read_audit", None)
    return scope


@router.get("/api/v1/audit", response_model=AuditPage)
async def audit_log(caller: Caller, rpc: Rpc, filters: Filters, page: Page = 1, page_size: PageSize = 50):
    """Administrative actions of every service within the caller's subtrees: who, what, to which object, when,
    from where, with the correlation id; newest first, filtered by actor, action (like `plan.approve`), object
    (`target_type`, `target_id`) and time (`since`, `until`, instants with an offset)."""
    return await rpc.call(
        "directory", "audit_entries", _scope(caller), page=page, page_size=page_size, filters=filters.for_directory()
    )


@router.get(
    "/api/v1/audit.csv",
    response_class=StreamingResponse,
    responses=files("text/csv; charset=utf-8", description="The entries as CSV, newest first"),
)
async def audit_export(caller: Caller, rpc: Rpc, filters: Filters):
    """The same entries as `GET /api/v1/audit` with the same filters, all of them (at most 100,000, newest first)
    as a CSV (UTF-8 with a BOM, for Excel), read from one moment: entries recorded while it downloads are left
    out."""
    scope, chosen = _scope(caller), filters.for_directory()
    first = await rpc.call("directory", "audit_entries", scope, page=1, page_size=MAX_PAGE_SIZE, filters=chosen)
    if first["items"]:
        chosen["through_id"] = first["items"][0]["audit_id"]

    async def rows() -> AsyncIterator[bytes]:
        yield _csv_lines([EXPORT_COLUMNS], bom=True)
        found, page, sent = first, 1, 0
        while found["items"] and sent < EXPORT_MAX_ROWS:
            items = found["items"][: EXPORT_MAX_ROWS - sent]
            yield _csv_lines([_row(item) for item in items])
            sent += len(items)
            if page * MAX_PAGE_SIZE >= found["total"]:
                return
            page += 1
            found = await rpc.call(
                "directory", "audit_entries", scope, page=page, page_size=MAX_PAGE_SIZE, filters=chosen
            )

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


def _row(item: dict) -> list:
    return [
        json.dumps(item["details"], ensure_ascii=False) if name == "details" else item.get(name)
        for name in EXPORT_COLUMNS
    ]


def _csv_lines(rows: list, bom: bool = False) -> bytes:
    """Rows as CSV; text that a spreadsheet would take for a formula is quoted as text."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[cell(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
