from fastapi import APIRouter, Query
from pydantic import BaseModel

from partyday_common.vocabulary import Domain
from partyday_gateway.deps import Rpc

router = APIRouter(prefix="/api/v1/dashboards", tags=["scoring"])


class ChildProgress(BaseModel):
    org_id: str
    name: str
    level: str
    domain: str
    branches: int


class Progress(BaseModel):
    org_id: str
    domain: Domain | None
    children: list[ChildProgress]


@router.get("/progress", response_model=Progress)
async def progress(rpc: Rpc, org_id: str = Query(min_length=1), domain: Domain | None = None):
    """Per child node of `org_id`: the branches of its subtree, as scoring's read model knows them."""
    return await rpc.call("scoring", "progress", org_id, domain=domain)
