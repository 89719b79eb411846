from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from partyday_common.vocabulary import Domain
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Rpc
from partyday_gateway.permissions import READ
from partyday_plans_contracts.rpc import MeetingKind

router = APIRouter(prefix="/api/v1/dashboards", tags=["scoring"])


class Rates(BaseModel):
    planned: float | None
    approved: float | None
    held: float | None
    documented: float | None
    scored: float | None


class MeetingTally(BaseModel):
    planned: int = Field(description="branches that planned a meeting of the kind in the month")
    held: int = Field(description="branches that held one")


class Tally(BaseModel):
    org_id: str
    name: str
    branches: int
    planned: int
    approved: int
    held: int
    documented: int
    scored: int
    rates: Rates
    meetings: dict[MeetingKind, MeetingTally] = Field(
        default_factory=dict, description="per other kind of meeting (三会一课)"
    )


class ChildProgress(Tally):
    level: str
    domain: str


class Progress(Tally):
    month: str
    domain: Domain | None
    children: list[ChildProgress]


@router.get("/progress", response_model=Progress)
async def progress(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1),
    month: str | None = Query(
        None, pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="like 2026-12; the current month by default"
    ),
    domain: Domain | None = None,
):
    """For the node and each child: branches, and how many planned, were approved, held, documented (a summary,
    or a detail score above 0) and scored their theme day, with rates over the branches (of `domain`, if given);
    and per other kind of meeting, how many branches planned and held one (`meetings`)."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("scoring", "progress", org_id, month=month, domain=domain)
