from fastapi import APIRouter
from pydantic import BaseModel, Field

from partyday_gateway import permissions
from partyday_gateway.auth import Caller

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class RoleView(BaseModel):
    role: str
    org_id: str


class Scope(BaseModel):
    org_id: str
    org_path: str = Field(
        description="the node's materialised path: a node is within reach when its own path starts with this one"
    )


class Me(BaseModel):
    member_id: str | None
    name: str | None
    org_id: str | None
    kind: str
    roles: list[RoleView]
    home_org_id: str | None = Field(description="the node the caller's work starts from (the console's context)")
    capabilities: dict[str, list[Scope]] = Field(description="per capability, the subtrees where the caller holds it")


@router.get("/me", response_model=Me)
async def me(caller: Caller):
    """The caller: their member record's essentials, their roles, and what those let them do where.

    `capabilities` names every capability the routes check (`read`, `manage_tree`, `manage_members`, `grant_roles`,
    `read_audit`, `create_city`, `publish_directives`, `manage_plans`, `review`, `answer_rectifications`,
    `propose_ideas`, `spot_check`, `review_attendance`, `run_campaigns`, `judge`, `working_group`, `committee`,
    `read_evaluations`, as in a 403's `needs`), each with the roots of the subtrees where the caller holds it: `[]`
    where they hold it nowhere, and no subtree inside another listed. A page shows a control when the capability
    reaches the node it acts on (the node's path starts with a scope's `org_path`), or anywhere for a page-wide one.
    The routes still decide every call, and some ask more than the capability: nobody reviews, judges or scores
    their own branch, and every member reads their own branch (`org_id`) without a role. `home_org_id` is the node
    of the caller's widest administrative role (city, organisation, auditor, branch, in that order), else of another
    role, and null for a caller without roles."""
    reach = permissions.reach(caller)
    return {
        "member_id": caller.member_id,
        "name": caller.name,
        "org_id": caller.org_id,
        "kind": caller.kind,
        "roles": [{"role": grant.role, "org_id": grant.org_id} for grant in caller.grants],
        "home_org_id": permissions.home(caller),
        "capabilities": {
            name: [{"org_id": grant.org_id, "org_path": grant.org_path} for grant in grants]
            for name, grants in reach.items()
        },
    }
