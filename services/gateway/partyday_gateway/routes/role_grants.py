from fastapi import APIRouter, status
from pydantic import BaseModel

from partyday_directory_contracts.rpc import RoleGrantCreate
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Rpc
from partyday_gateway.permissions import GRANT_ROLES

router = APIRouter(prefix="/api/v1/role-grants", tags=["accounts"])


class GrantView(BaseModel):
    grant_id: str
    member_id: str
    role: str
    org_id: str


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GrantView)
async def grant(body: RoleGrantCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Give a member a role at a node the caller administers. The directory judges the rest, each refusal with
    its reason: nobody grants to themselves (GRANT_SELF), only to a member of their subtree
    (GRANT_MEMBER_OUT_OF_SCOPE), only a role below their own (GRANT_ROLE_TOO_HIGH: no city admin is made here),
    an evaluation body only from above its organisation (GRANT_FROM_ABOVE), and never both bodies over one
    evaluation (409 BODIES_EXCLUSIVE)."""
    await authz.require(caller, GRANT_ROLES, body.org_id, "grant_roles")
    granted = await rpc.call("directory", "grant_role", body.model_dump(), idempotency_key=idempotency_key)
    authz.forget_member(body.member_id)
    return granted


@router.delete("/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(grant_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """End a role grant at a node the caller administers, of a role below their own (GRANT_ROLE_TOO_HIGH); a
    repeat with the same key is answered as the first
    (the grant is looked up revoked or not, so that the caller's right over its node is checked either way)."""
    found = await rpc.call("directory", "get_grant", grant_id)
    await authz.require(caller, GRANT_ROLES, found["org_id"], "grant_roles")
    await rpc.call("directory", "revoke_grant", grant_id, idempotency_key=idempotency_key)
    authz.forget_member(found["member_id"])
