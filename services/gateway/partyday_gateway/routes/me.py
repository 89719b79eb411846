from fastapi import APIRouter
from pydantic import BaseModel

from partyday_gateway.auth import Caller

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class RoleView(BaseModel):
    role: str
    org_id: str


class Me(BaseModel):
    member_id: str | None
    name: str | None
    org_id: str | None
    kind: str
    roles: list[RoleView]


@router.get("/me", response_model=Me)
async def me(caller: Caller):
    """The caller: their member record's essentials and their roles."""
    return {"member_id": caller.member_id, "name": caller.name, "org_id": caller.org_id, "kind": caller.kind,
            "roles": [{"role": grant.role, "org_id": grant.org_id} for grant in caller.grants]}
