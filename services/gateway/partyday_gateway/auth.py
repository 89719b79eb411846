"""Tokens and the caller behind them.

Access tokens are HS256 JWTs for at most 15 minutes, with `aud`, `iss`, `exp`, the
subject and its session. Refresh tokens carry the session and the refresh id the
directory expects next; each use rotates it, and a reused one revokes the session.
Roles are not trusted from a token: the caller's session state and role grants come
from the directory, cached for PARTYDAY_AUTH_CACHE_TTL_S (10 s by default), which
bounds how long a revoked role takes to reach another gateway replica; an ended
session is dropped from the cache as soon as its `session_ended` event arrives.
Routes where a member acts only as themselves take the member from the token while
this process follows ended sessions (see sessions.py), without asking the directory.
"""

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated

import jwt
from fastapi import Depends, Request

from partyday_common.correlation import current_actor_id
from partyday_gateway.errors import ApiError
from partyday_gateway.sessions import EndedSessions

ISSUER = "partyday"
ACCESS_AUDIENCE = "partyday-api"
REFRESH_AUDIENCE = "partyday-refresh"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: str
    org_path: str
    grant_id: str | None = None


@dataclass(frozen=True)
class Principal:
    subject: str
    session_id: str
    kind: str
    member_id: str | None = None
    name: str | None = None
    org_id: str | None = None
    org_path: str | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    password_change_required: bool = False

    def covering(self, roles: set[str], path: str) -> list[Grant]:
        return [grant for grant in self.grants if grant.role in roles and path.startswith(grant.org_path)]

    def paths(self, roles: set[str]) -> list[str]:
        return [grant.org_path for grant in self.grants if grant.role in roles]


class IssuedSessions:
    """Sessions this process knows the directory opened: those it issued tokens for, and those the directory
    confirmed live when asked. Only these are taken at a token's word (see `current_member_id`); a token naming
    any other session, one never issued included, is checked with the directory first."""

    def __init__(self, size: int = 100_000):
        self.size = size
        self._known: OrderedDict[str, None] = OrderedDict()

    def add(self, session_id: str) -> None:
        self._known[session_id] = None
        self._known.move_to_end(session_id)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._known


class Tokens:
    def __init__(self, secret: str, access_ttl: int, refresh_ttl: int):
        self.secret = secret
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.issued = IssuedSessions()

    def issue(
        self, subject: str, session_id: str, refresh_id: str, kind: str, password_change_required: bool = False
    ) -> dict:
        """An access and a refresh token for a session the directory opened; `pcr` marks a member who must set
        their own password first, so that no route takes their token at its word until they have."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": ACCESS_AUDIENCE,
            "sub": subject,
            "sid": session_id,
            "kind": kind,
            "iat": now,
            "exp": now + self.access_ttl,
            "jti": uuid.uuid4().hex,
        }
        if password_change_required:
            claims["pcr"] = True
        access = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        self.issued.add(session_id)
        refresh = jwt.encode(
            {
                "iss": ISSUER,
                "aud": REFRESH_AUDIENCE,
                "sub": subject,
                "sid": session_id,
                "rid": refresh_id,
                "iat": now,
                "exp": now + self.refresh_ttl,
            },
            self.secret,
            algorithm=ALGORITHM,
        )
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": self.access_ttl,
            "password_change_required": password_change_required,
        }

    def read(self, token: str, audience: str) -> dict:
        try:
            return jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "TOKEN_EXPIRED", "the token has expired", headers={"WWW-Authenticate": "Bearer"})
        except jwt.InvalidTokenError:
            raise ApiError(401, "TOKEN_INVALID", "the token is not valid", headers={"WWW-Authenticate": "Bearer"})


class AuthContextCache:
    """Session state and grants per (subject, session), reused for a few seconds."""

    def __init__(self, ttl: float, size: int = 10_000):
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key, value) -> None:
        self._entries[key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget_subject(self, subject: str) -> None:
        for key in [key for key in self._entries if key[0] == subject]:
            del self._entries[key]

    def forget_session(self, session_id: str) -> None:
        for key in [key for key in self._entries if key[1] == session_id]:
            del self._entries[key]


def make_tokens(settings) -> Tokens:
    return Tokens(settings.secret_key, settings.access_token_ttl_s, settings.refresh_token_ttl_s)


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401,
            "NOT_AUTHENTICATED",
            "log in first: send Authorization: Bearer <access token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def _revoked() -> ApiError:
    return ApiError(
        401, "SESSION_REVOKED", "this session has ended; log in again", headers={"WWW-Authenticate": "Bearer"}
    )


def _must_change_password() -> ApiError:
    return ApiError(
        403,
        "PASSWORD_CHANGE_REQUIRED",
        "set a password of your own first (POST /api/v1/me/password)",
        {"change_at": "/api/v1/me/password"},
    )


async def current_principal(request: Request) -> Principal:
    """The caller, from a valid access token whose session is still alive; 403 PASSWORD_CHANGE_REQUIRED for a
    member who must set their own password first."""
    principal = await any_principal(request)
    if principal.password_change_required:
        raise _must_change_password()
    return principal


async def any_principal(request: Request) -> Principal:
    """The caller, from a valid access token whose session is still alive, even one who must set their own
    password first: for what they need to do so (`/me`, changing the password, logging out)."""
    return await _principal(request, request.app.state.tokens.read(bearer_token(request), ACCESS_AUDIENCE))


async def current_member_id(request: Request) -> str:
    """The member acting as themselves (signing in or out), from a valid access token of a live session.

    While this process follows ended sessions, a member's token is taken at its word for who it names if its
    session is one this process knows was issued; otherwise the directory is asked, as for any caller."""
    tokens = request.app.state.tokens
    claims = tokens.read(bearer_token(request), ACCESS_AUDIENCE)
    ended: EndedSessions = request.app.state.ended_sessions
    if claims.get("kind") == "member" and ended.synced and claims["sid"] in tokens.issued and not claims.get("pcr"):
        if ended.ended(claims["sid"]):
            raise _revoked()
        current_actor_id.set(claims["sub"])
        return claims["sub"]
    principal = await _principal(request, claims)
    if principal.password_change_required:
        raise _must_change_password()
    if principal.member_id is None:
        raise ApiError(403, "MEMBERS_ONLY", "this needs a member's account")
    return principal.member_id


async def _principal(request: Request, claims: dict) -> Principal:
    key = (claims["sub"], claims["sid"])
    cache: AuthContextCache = request.app.state.auth_cache
    context = cache.get(key)
    if context is None:
        context = await request.app.state.rpc.call("directory", "auth_context", claims["sub"], claims["sid"])
        cache.put(key, context)
    if not context.get("session_active"):
        raise _revoked()
    request.app.state.tokens.issued.add(claims["sid"])
    principal = Principal(
        subject=claims["sub"],
        session_id=claims["sid"],
        kind=context["kind"],
        member_id=context.get("member_id"),
        name=context.get("name"),
        org_id=context.get("org_id"),
        org_path=context.get("org_path"),
        grants=tuple(Grant(g["role"], g["org_id"], g["org_path"], g.get("grant_id")) for g in context["roles"]),
        password_change_required=bool(context.get("password_change_required")),
    )
    current_actor_id.set(principal.member_id or principal.subject)
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
AnyCaller = Annotated[Principal, Depends(any_principal)]
MemberId = Annotated[str, Depends(current_member_id)]
