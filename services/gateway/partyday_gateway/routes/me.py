from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from partyday_gateway import permissions
from partyday_gateway.auth import AnyCaller
from partyday_gateway.deps import IdempotencyKey, Rpc
from partyday_gateway.errors import ApiError

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
    password_change_required: bool = Field(
        False, description="the member must set their own password (POST /api/v1/me/password) before anything else"
    )


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class PasswordChanged(BaseModel):
    member_id: str
    password_change_required: bool


@router.get("/me", response_model=Me)
async def me(caller: AnyCaller):
    """The caller: their member record's essentials, their roles, and what those let them do where.

    `capabilities` names every capability the routes check (`read`, `manage_tree`, `manage_members`, `grant_roles`,
    `read_audit`, `create_city`, `publish_directives`, `manage_plans`, `review`, `answer_rectifications`,
    `propose_ideas`, `spot_check`, `review_attendance`, `run_campaigns`, `judge`, `working_group`, `committee`,
    `read_evaluations`, `manage_quizzes`, as in a 403's `needs`), each with the roots of the subtrees where the
    caller holds it: `[]` where they hold it nowhere, and no subtree inside another listed. A page shows a control
    when the capability reaches the node it acts on (the node's path starts with a scope's `org_path`), or anywhere
    for a page-wide one.
    The routes still decide every call, and some ask more than the capability: nobody reviews, judges or scores
    their own branch, and every member reads their own branch (`org_id`) without a role. `home_org_id` is the node
    of the caller's widest administrative role (city, organisation, auditor, branch, in that order), else of another
    role, and null for a caller without roles. `password_change_required`: the member's password was chosen by
    someone else, and every other route answers 403 PASSWORD_CHANGE_REQUIRED until they set their own."""
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
        "password_change_required": caller.password_change_required,
    }


@router.post("/me/password", response_model=PasswordChanged)
async def change_password(
    body: PasswordChange, caller: AnyCaller, request: Request, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """Change your own password, the current one required (403 PASSWORD_WRONG); the new one has at least 8
    characters and is not a common one (422 PASSWORD_TOO_SHORT, PASSWORD_TOO_COMMON, PASSWORD_UNCHANGED). Your
    other sessions end; this one goes on, and a required change is done."""
    if caller.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "this needs a member's account")
    changed = await rpc.call(
        "directory",
        "change_password",
        caller.member_id,
        caller.session_id,
        body.current_password,
        body.new_password,
        idempotency_key=idempotency_key,
    )
    request.app.state.auth_cache.forget_subject(caller.subject)
    return changed
