import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from partyday_common.text import Identifier
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import SPOT_CHECK

router = APIRouter(prefix="/api/v1", tags=["plans"])


class SpotCheckBody(BaseModel):
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    org_id: Identifier | None = None
    sample_size: int | None = Field(None, ge=1, le=50)
    branch_ids: list[Identifier] | None = Field(None, min_length=1, max_length=50)

    @model_validator(mode="after")
    def one_way_of_choosing(self):
        if (self.branch_ids is None) == (self.org_id is None or self.sample_size is None):
            raise ValueError("give either branch_ids, or org_id with sample_size")
        return self


async def _records(rpc, branch_id: str, month: str, media: dict | None) -> dict:
    month_view = await rpc.call("plans", "branch_month", branch_id, month)
    plan = month_view["plan"]
    attendance = None
    if plan and plan["activity_id"]:
        sheet = await rpc.call("attendance", "attendance", plan["activity_id"])
        statuses = [row["status"] for row in sheet["members"] if not row["guest"]]
        attendance = {
            "closed": sheet["closed"],
            "expected": len(statuses),
            "by_status": {status: statuses.count(status) for status in sorted(set(statuses))},
            "guests": sum(1 for row in sheet["members"] if row["guest"]),
            "waiting_for_decision": sheet.get("integrity", {}),
        }
    return {
        "branch_id": branch_id,
        "required_actions": month_view["required_actions"],
        "plan": plan,
        "summary": plan["summary"] if plan else None,
        "attendance": attendance,
        "media": media,
    }


@router.post("/spot-checks")
async def spot_check(body: SpotCheckBody, caller: Caller, rpc: Rpc, authz: Authz) -> dict:
    """A superior's look at branches' records for a month (一键抽查): named branches or a random sample
    of the subtree, each with its plan, summary, attendance and media (photos by review status, links to
    the approved ones, study notes and materials, detail score) in one answer."""
    if body.branch_ids is None:
        await authz.require(caller, SPOT_CHECK, body.org_id, "spot_check")
        branch_ids = await rpc.call("plans", "sample_branches", body.org_id, body.sample_size)
    else:
        branch_ids = list(dict.fromkeys(body.branch_ids))
        for branch_id in branch_ids:
            await authz.require(caller, SPOT_CHECK, branch_id, "spot_check")
    if not branch_ids:
        raise ApiError(404, "NO_BRANCHES", "there are no branches under this node")
    media = await rpc.call("media", "branch_month_records", branch_ids, body.month)
    records = await asyncio.gather(
        *(_records(rpc, branch_id, body.month, media.get(branch_id)) for branch_id in branch_ids)
    )
    return {"month": body.month, "branches": list(records)}
