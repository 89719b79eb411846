from fastapi import APIRouter, Query
from pydantic import BaseModel

from partyday_common.vocabulary import Domain
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Rpc
from partyday_gateway.permissions import READ

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
async def progress(caller: Caller, rpc: Rpc, authz: Authz, org_id: str = Query(min_length=1),
                   domain: Domain | None = None):
    """Per child node of `org_id`: the branches of its subtree, as scoring's read model knows them."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("scoring", "progress", org_id, domain=domain)
