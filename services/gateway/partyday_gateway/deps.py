"""Typed dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from partyday_common.pagination import MAX_PAGE, MAX_PAGE_SIZE
from partyday_gateway.permissions import Authorizer
from partyday_gateway.rpc import NamekoRpcClient
from partyday_gateway.settings import GatewaySettings


async def get_rpc(request: Request) -> NamekoRpcClient:
    return request.app.state.rpc


async def get_authorizer(request: Request) -> Authorizer:
    return request.app.state.authz


async def get_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


Rpc = Annotated[NamekoRpcClient, Depends(get_rpc)]
Authz = Annotated[Authorizer, Depends(get_authorizer)]
Settings = Annotated[GatewaySettings, Depends(get_settings)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page")]
Month = Annotated[str, Query(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="like 2026-12", examples=["2026-12"])]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="repeat a mutating call safely: the same key gets the first answer",
    ),
]
