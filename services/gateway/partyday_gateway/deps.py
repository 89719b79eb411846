"""Typed dependencies shared by the routes."""
from typing import Annotated

from fastapi import Depends, Query, Request

from partyday_gateway.rpc import NamekoRpcClient
from partyday_gateway.settings import GatewaySettings


def get_rpc(request: Request) -> NamekoRpcClient:
    return request.app.state.rpc


def get_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


Rpc = Annotated[NamekoRpcClient, Depends(get_rpc)]
Settings = Annotated[GatewaySettings, Depends(get_settings)]
Page = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=500, description="items per page")]
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="like 2026-12",
                             examples=["2026-12"])]
