from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from partyday_gateway.auth import REFRESH_AUDIENCE, AnyCaller
from partyday_gateway.deps import Rpc
from partyday_gateway.errors import ApiError

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])

PASSWORD = Field(min_length=1, max_length=128)
CODE = Field(pattern=r"^\d{6}$", description="the one-time code sent to the phone")


class LoginBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30, examples=["13800000000"])
    password: str = PASSWORD
    code: str | None = Field(
        None,
        pattern=r"^\d{6}$",
        description="the code sent to the phone, when a login answered 401 SECOND_FACTOR_REQUIRED",
    )


class RefreshBody(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class PublicCodeBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30)


class PublicLoginBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30)
    code: str = CODE


class PasswordResetBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30)
    code: str = CODE
    new_password: str = PASSWORD


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    password_change_required: bool = Field(
        False,
        description="the password was chosen by someone else (an import, an admin's reset): every route but /me, "
        "POST /api/v1/me/password and logout answers 403 PASSWORD_CHANGE_REQUIRED until the member sets their own",
    )


class CodeSent(BaseModel):
    expires_in: int


def _tokens(request: Request, opened: dict) -> dict:
    return request.app.state.tokens.issue(
        opened["subject"],
        opened["session_id"],
        opened["refresh_id"],
        opened["kind"],
        bool(opened.get("password_change_required")),
    )


@router.post("/login", response_model=TokenPair)
async def login(body: LoginBody, request: Request, rpc: Rpc):
    """Log in with phone and password. Failures slow down further attempts for that phone from the same address
    (429 LOGIN_THROTTLED with Retry-After), and an address failing too often waits (429 LOGIN_RATE_LIMITED); a
    phone tried from many addresses asks its owner for the code then sent to it (401 SECOND_FACTOR_REQUIRED:
    log in again with `code`). The limits live in the directory, shared by every gateway."""
    opened = await rpc.call("directory", "authenticate", body.phone, body.password, body.code)
    return _tokens(request, opened)


@router.post("/refresh", response_model=TokenPair)
async def refresh(body: RefreshBody, request: Request, rpc: Rpc):
    """A new token pair for a refresh token; each refresh token works once."""
    claims = request.app.state.tokens.read(body.refresh_token, REFRESH_AUDIENCE)
    if "rid" not in claims:
        raise ApiError(401, "TOKEN_INVALID", "not a refresh token")
    try:
        rotated = await rpc.call("directory", "rotate_refresh", claims["sid"], claims["rid"])
    finally:
        request.app.state.auth_cache.forget_session(claims["sid"])
    return _tokens(request, rotated)


@router.post("/logout", status_code=204)
async def logout(caller: AnyCaller, request: Request, rpc: Rpc):
    """End this session: its access and refresh tokens stop working."""
    await rpc.call("directory", "logout", caller.session_id)
    request.app.state.auth_cache.forget_session(caller.session_id)
    request.app.state.ended_sessions.end(caller.session_id)


@router.post("/public-code", status_code=202, response_model=CodeSent)
async def public_code(body: PublicCodeBody, rpc: Rpc):
    """Send a one-time login code to a voter's phone (at most one a minute)."""
    return await rpc.call("directory", "issue_public_code", body.phone)


@router.post("/public-login", response_model=TokenPair)
async def public_login(body: PublicLoginBody, request: Request, rpc: Rpc):
    """Log a public voter in with the one-time code sent to their phone."""
    opened = await rpc.call("directory", "public_login", body.phone, body.code)
    return _tokens(request, opened)


@router.post("/password-reset-code", status_code=202, response_model=CodeSent)
async def password_reset_code(body: PublicCodeBody, rpc: Rpc):
    """Forgotten password: send a code to the phone, if it has an account (the same answer if not; at most one
    a minute). Like the login routes it takes no Idempotency-Key: codes are rate-limited per phone."""
    return await rpc.call("directory", "issue_reset_code", body.phone)


@router.post("/password-reset", status_code=204)
async def password_reset(body: PasswordResetBody, rpc: Rpc):
    """Forgotten password: set a new one with the code sent to the phone (401 CODE_INVALID, 422 for a password
    too short or too common); every session of the member ends. A code works once."""
    await rpc.call("directory", "reset_forgotten_password", body.phone, body.code, body.new_password)
