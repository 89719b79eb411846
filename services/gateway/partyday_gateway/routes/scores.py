"""An activity's automatic score, and the superior's part of it."""

from fastapi import APIRouter
from pydantic import BaseModel

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Rpc
from partyday_gateway.permissions import MANAGE_PLANS, READ
from partyday_scoring_contracts.rpc import SuperiorScore

router = APIRouter(prefix="/api/v1", tags=["scoring"])


class Indicators(BaseModel):
    sign_in_rate: float | None
    mobile_like_rate: float | None
    upload_detail: float | None
    comments: float | None
    superior_score: float | None


class Score(BaseModel):
    activity_id: str
    branch_id: str
    month: str | None
    status: str
    total: float | None
    indicators: Indicators
    weights: dict[str, float]
    not_applicable: list[str]
    frozen_at: str | None
    scored_at: str | None


READ_ACTIVITY = READ | MANAGE_PLANS
ENGAGE = MANAGE_PLANS


async def scoped_activity(
    activity_id: str, caller, rpc, authz, capability: frozenset = READ_ACTIVITY, name: str = "read"
) -> dict:
    """The activity, if the caller belongs to its branch or holds `capability` over it: `READ_ACTIVITY` to read
    it, `ENGAGE` (its members and those who manage it, never a read-only scope such as an auditor's) to like,
    comment or report."""
    found = await rpc.call("scoring", "get_activity", activity_id)
    await authz.require(caller, capability, found["branch_id"], name, members_of_branch=True)
    return found


@router.get("/activities/{activity_id}/score", response_model=Score)
async def score(activity_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """`{total, indicators, weights}`: `status` is `pending` (total null) until attendance closes the activity;
    indicators that do not apply are null and listed in `not_applicable`."""
    await scoped_activity(activity_id, caller, rpc, authz)
    return await rpc.call("scoring", "score", activity_id)


@router.post("/activities/{activity_id}/superior-score", response_model=Score)
async def superior_score(
    activity_id: str,
    body: SuperiorScore,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """A superior gives the activity 0–100 (上级党组织评分); it may change it until the scoring period closes."""
    found = await rpc.call("scoring", "get_activity", activity_id)
    await authz.require_superior(caller, found["branch_id"], "superior_score")
    return await rpc.call(
        "scoring", "set_superior_score", activity_id, body.model_dump(), idempotency_key=idempotency_key
    )
