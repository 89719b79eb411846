"""一月一督查, 一季一通报, 一年一考核: a subtree's reports as XLSX or PDF."""

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from partyday_gateway import report_documents, report_summary
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Rpc, Settings
from partyday_gateway.openapi import PDF, XLSX, files
from partyday_gateway.permissions import READ

router = APIRouter(prefix="/api/v1/reports", tags=["scoring"])

MEDIA_TYPES = {"xlsx": XLSX, "pdf": PDF}
# The reports are Chinese documents, dated as their readers date them.
ISSUED_IN = ZoneInfo("Asia/Shanghai")


@router.get("/{kind}", response_model=None, responses=files(XLSX, PDF, "application/json"))
async def report(
    kind: Literal["inspection", "bulletin", "assessment"],
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    org_id: str = Query(min_length=1),
    period: str = Query(
        pattern=r"^[1-9]\d{3}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
        description="inspection: a month (2026-12); bulletin: a quarter (2026-Q4); assessment: a year (2026)",
    ),
    format: Literal["xlsx", "pdf", "json"] = "xlsx",
):
    """The monthly inspection (every branch's plan, approval, holding, record and score), the quarterly
    bulletin or the annual assessment (branches ranked over the period, with their awards), each opening with a
    written summary in Chinese (counts, the best and the weakest, the change since the previous period) and the
    ranking chart. `json` answers the data with the summary's paragraphs (`summary_text`) and the document's
    heading, for a preview."""
    await authz.require(caller, READ, org_id, "read")
    found = await rpc.call("scoring", "report", org_id, kind, period)
    if format == "json":
        return {
            **found,
            "heading": report_documents.heading(found),
            "summary_text": report_summary.paragraphs(found),
        }
    if format == "xlsx":
        body = await run_in_threadpool(report_documents.xlsx, found)
    else:
        today = datetime.now(ISSUED_IN)
        issued = f"{today.year}年{today.month}月{today.day}日"
        body = await run_in_threadpool(report_documents.pdf, found, str(settings.cjk_font_path), issued)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{kind}-{period}.{format}"'},
    )
