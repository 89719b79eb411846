from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from partyday_common.text import VisibleText
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.permissions import REVIEW_ATTENDANCE

router = APIRouter(prefix="/api/v1/attendance", tags=["attendance"])


class DecisionBody(BaseModel):
    reason: VisibleText(1000) = Field(description="why, kept with the decision")


class Signal(BaseModel):
    signal: str = Field(
        description="shared_device, venue_coordinates, no_spread, stale_fix, zero_accuracy, impossible_move, "
        "device_changed or mocked_position"
    )
    evidence: dict
    weight: float


class Signals(BaseModel):
    score: float
    threshold: float
    flagged: bool
    items: list[Signal]


class ReviewRecord(BaseModel):
    """A claimed or flagged record with the evidence it was judged on, its signals and its review."""

    record_id: int
    activity_id: str
    branch_id: str
    theme: str
    member_id: str
    name: str | None
    kind: Literal["sign_in", "sign_out"]
    review: Literal["claimed", "flagged", "accepted", "voided"]
    server_time: str
    scanned_at: str | None
    sent_late: bool
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    distance_m: float | None
    device_id: str
    token_id: str | None
    client_ip: str | None
    signals: Signals | None = Field(description="weighed a few seconds after the scan is kept; null until then")
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None


class ReviewPage(BaseModel):
    org_id: str
    items: list[ReviewRecord]
    total: int
    page: int
    page_size: int


@router.get("/reviews", response_model=ReviewPage)
async def reviews(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1, max_length=64),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The subtree's records waiting for a superior's decision, oldest first: offline sign-ins with the printed
    code sent after sign-in closed (`claimed`: they count for nothing until accepted) and accepted scans whose
    integrity signals reach the threshold (`flagged`), each with its evidence and signals."""
    node = await authz.require(caller, REVIEW_ATTENDANCE, org_id, "review_attendance")
    found = await rpc.call("attendance", "reviews", node["path"], page=page, page_size=page_size)
    return {**found, "org_id": org_id}


@router.post("/reviews/{record_id}/{decision}", response_model=ReviewRecord)
async def decide(
    record_id: int,
    decision: Literal["accept", "void"],
    body: DecisionBody,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """A superior of the record's branch (never its own admin or members: `OWN_BRANCH`) accepts or voids a
    claimed or flagged record with a reason: an accepted claim signs its member in, a voided sign-in leaves them
    absent, and a closed activity's counts are announced again, so its score follows. The decision, who made it,
    when and why stay on the record."""
    record = await rpc.call("attendance", "review_record", record_id)
    await authz.require_superior(caller, record["branch_id"], "review_attendance", REVIEW_ATTENDANCE)
    return await rpc.call(
        "attendance",
        "decide_review",
        record_id,
        {"decision": decision, "reason": body.reason},
        caller.member_id or caller.subject,
        idempotency_key=idempotency_key,
    )
