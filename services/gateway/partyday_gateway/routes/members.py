from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from partyday_common.text import Identifier, VisibleText
from partyday_directory_contracts.imports import ImportView, template_csv
from partyday_directory_contracts.rpc import MemberCreate, MemberUpdate, MemberView
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Rpc, Settings
from partyday_gateway.errors import ApiError
from partyday_gateway.openapi import files
from partyday_gateway.permissions import GRANT_ROLES, MANAGE_MEMBERS, READ, forbidden
from partyday_gateway.stored_files import handed_over
from partyday_gateway.uploads import form_schema, receive

router = APIRouter(prefix="/api/v1/members", tags=["directory"])


class TransferBody(BaseModel):
    to_org_id: Identifier
    reason: VisibleText(500) | None = Field(None, description="why the member moves (kept in the audit log)")


class LeaveBody(BaseModel):
    reason: VisibleText(500) | None = Field(None, description="why the member leaves (kept in the audit log)")


class PasswordResetBody(BaseModel):
    password: str = Field(
        min_length=1, max_length=128, description="a temporary password the member must change at their next login"
    )


class PasswordReset(BaseModel):
    member_id: str
    password_change_required: bool


class Transfer(BaseModel):
    from_org_id: str | None
    to_org_id: str
    transferred_at: str
    actor_id: str | None


async def _member_in_reach(member_id: str, caller, rpc, authz, capability, name) -> dict:
    """The member, if the caller may act on them: reading needs reach over their branch; changing
    them also needs the right to grant every role they hold, so nobody takes over a superior."""
    member = await rpc.call("directory", "get_member", member_id)
    if member["member_id"] == caller.member_id and capability is READ:
        return member
    if member["branch_id"] is None:
        raise forbidden(name, None)
    await authz.require(caller, capability, member["branch_id"], name)
    if capability is not READ:
        for grant in member["grants"]:
            if not caller.covering(set(GRANT_ROLES), grant["org_path"]):
                raise ApiError(
                    403,
                    "FORBIDDEN",
                    "this member holds a role beyond your reach",
                    {"needs": "grant_roles", "role": grant["role"]},
                )
    return member


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MemberView)
async def create_member(
    body: MemberCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Add a member to a branch the caller administers, with an account when a password is given."""
    await authz.require(caller, MANAGE_MEMBERS, body.branch_id, "manage_members")
    return await rpc.call("directory", "create_member", body.model_dump(mode="json"), idempotency_key=idempotency_key)


@router.get("/import-template", response_class=Response, responses=files("text/csv; charset=utf-8"))
async def import_template(caller: Caller):
    """A roster template (CSV, Chinese headers) to fill in for an import."""
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="roster-template.csv"'},
    )


@router.post(
    "/import",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportView,
    openapi_extra=form_schema("CSV or XLSX roster", initial_password={"minLength": 8, "maxLength": 128}),
)
async def import_roster(
    request: Request,
    response: Response,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
):
    """Import a roster (multipart `file`, CSV or XLSX, and `initial_password` for the rows that give none): the
    file is streamed to storage and the directory imports it in the background. Answers 202 at once with the
    import, to follow at its Location (`GET /api/v1/imports/{id}`): progress, then each row accepted,
    unchanged (already there) or rejected with its reasons. Only branches within the caller's administration
    are accepted; importing the same file again changes nothing. A file over PARTYDAY_MAX_ROSTER_BYTES is
    413 ROSTER_TOO_LARGE."""
    authz.require_anywhere(caller, MANAGE_MEMBERS, "manage_members")
    try:
        received = await receive(request, {"initial_password"}, settings.max_roster_bytes)
    except ApiError as exc:
        if exc.code != "FILE_TOO_LARGE":
            raise
        raise ApiError(
            413, "ROSTER_TOO_LARGE", f"a roster file may hold at most {settings.max_roster_bytes} bytes", exc.details
        ) from None
    upload = received.upload
    payload = {
        "storage_key": upload["key"],
        "requested_by": caller.member_id,
        "filename": upload["filename"],
        "initial_password": received.fields.get("initial_password") or None,
    }
    started = await handed_over(
        rpc, upload["key"], "directory", "start_import", payload, idempotency_key=idempotency_key
    )
    response.headers["Location"] = f"/api/v1/imports/{started['import_id']}"
    return started


@router.get("/{member_id}", response_model=MemberView)
async def get_member(member_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One member: the caller themselves, or a member of a branch the caller may read."""
    return await _member_in_reach(member_id, caller, rpc, authz, READ, "read")


@router.patch("/{member_id}", response_model=MemberView)
async def update_member(
    member_id: str, body: MemberUpdate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Change a member's name, flags or password."""
    await _member_in_reach(member_id, caller, rpc, authz, MANAGE_MEMBERS, "manage_members")
    updated = await rpc.call(
        "directory",
        "update_member",
        member_id,
        body.model_dump(mode="json", exclude_unset=True),
        idempotency_key=idempotency_key,
    )
    authz.forget_member(member_id)
    return updated


@router.post("/{member_id}/transfer", response_model=MemberView)
async def transfer_member(
    member_id: str, body: TransferBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Move a member to another branch (组织关系转接) for a `reason` the audit log keeps; the caller administers
    both branches."""
    await _member_in_reach(member_id, caller, rpc, authz, MANAGE_MEMBERS, "manage_members")
    await authz.require(caller, MANAGE_MEMBERS, body.to_org_id, "manage_members")
    return await rpc.call(
        "directory", "transfer_member", member_id, body.to_org_id, reason=body.reason, idempotency_key=idempotency_key
    )


@router.post("/{member_id}/password-reset", response_model=PasswordReset)
async def reset_password(
    member_id: str,
    body: PasswordResetBody,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Reset the password of a member of a branch the caller administers (and whose roles the caller could
    grant): it becomes the temporary `password`, which the member must change at their next login, and their
    sessions end. Audited as `member.password_reset`. Your own password is changed with POST /api/v1/me/password."""
    if member_id == caller.member_id:
        raise ApiError(403, "OWN_PASSWORD", "change your own password with your current one (POST /api/v1/me/password)")
    await _member_in_reach(member_id, caller, rpc, authz, MANAGE_MEMBERS, "manage_members")
    reset = await rpc.call("directory", "reset_password", member_id, body.password, idempotency_key=idempotency_key)
    request.app.state.auth_cache.forget_subject(member_id)
    return reset


@router.post("/{member_id}/leave", response_model=MemberView)
async def leave(
    member_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    body: LeaveBody | None = None,
    idempotency_key: IdempotencyKey = None,
):
    """Record that a member left the organisation, with an optional `reason` the audit log keeps."""
    await _member_in_reach(member_id, caller, rpc, authz, MANAGE_MEMBERS, "manage_members")
    reason = body.reason if body else None
    left = await rpc.call("directory", "leave_member", member_id, reason=reason, idempotency_key=idempotency_key)
    authz.forget_member(member_id)
    return left


@router.get("/{member_id}/transfers", response_model=list[Transfer])
async def transfers(member_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """A member's moves between branches, oldest first."""
    await _member_in_reach(member_id, caller, rpc, authz, READ, "read")
    return await rpc.call("directory", "member_history", member_id)
