from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from partyday_common.correlation import current_client_ip
from partyday_gateway.auth import REFRESH_AUDIENCE, Caller
from partyday_gateway.deps import Rpc
from partyday_gateway.errors import ApiError

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


class LoginBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30, examples=["13800000000"])
    password: str = Field(min_length=1, max_length=128)


class RefreshBody(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class PublicCodeBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30)


class PublicLoginBody(BaseModel):
    phone: str = Field(min_length=1, max_length=30)
    code: str = Field(pattern=r"^\d{6}$")


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/login", response_model=TokenPair)
async def login(body: LoginBody, request: Request, rpc: Rpc):
    """Log in with phone and password; too many attempts answer 429 with Retry-After."""
    request.app.state.login_throttle.check(current_client_ip.get() or "unknown")
    opened = await rpc.call("directory", "authenticate", body.phone, body.password)
    return request.app.state.tokens.issue(opened["subject"], opened["session_id"], opened["refresh_id"], opened["kind"])


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
    return request.app.state.tokens.issue(
        rotated["subject"], rotated["session_id"], rotated["refresh_id"], rotated["kind"]
    )


@router.post("/logout", status_code=204)
async def logout(caller: Caller, request: Request, rpc: Rpc):
    """End this session: its access and refresh tokens stop working."""
    await rpc.call("directory", "logout", caller.session_id)
    request.app.state.auth_cache.forget_session(caller.session_id)
    request.app.state.ended_sessions.end(caller.session_id)


@router.post("/public-code", status_code=202)
async def public_code(body: PublicCodeBody, request: Request, rpc: Rpc) -> dict:
    """Send a one-time login code to a voter's phone (at most one a minute)."""
    request.app.state.login_throttle.check(current_client_ip.get() or "unknown")
    return await rpc.call("directory", "issue_public_code", body.phone)


@router.post("/public-login", response_model=TokenPair)
async def public_login(body: PublicLoginBody, request: Request, rpc: Rpc):
    """Log a public voter in with the one-time code sent to their phone."""
    request.app.state.login_throttle.check(current_client_ip.get() or "unknown")
    opened = await rpc.call("directory", "public_login", body.phone, body.code)
    return request.app.state.tokens.issue(opened["subject"], opened["session_id"], opened["refresh_id"], opened["kind"])
