"""Live rankings as JSON for the console, and as bar charts (SVG, PNG) with Chinese labels."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from partyday_common.vocabulary import Domain, Kind
from partyday_gateway import charts
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Page, PageSize, Rpc, Settings
from partyday_gateway.openapi import files
from partyday_gateway.permissions import READ

router = APIRouter(prefix="/api/v1/rankings", tags=["scoring"])

Period = Annotated[
    str,
    Query(
        pattern=r"^[1-9]\d{3}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
        description="a month (2026-12), a quarter (2026-Q4) or a year (2026)",
    ),
]
Group = Annotated[
    Literal["branches", "children"],
    Query(description="rank the subtree's branches, or the node's children by the mean of their branches"),
]


class Ranked(BaseModel):
    rank: int
    org_id: str
    name: str
    code: str
    domain: str
    score: float
    sign_in_rate: float | None
    activities: int
    branches: int | None = None


class Ranking(BaseModel):
    org_id: str
    name: str
    period: str
    domain: Domain | None
    kind: Kind | None
    group: str
    items: list[Ranked]
    unscored: int
    total: int
    page: int
    page_size: int


async def _ranking(caller, rpc, authz, org_id, period, domain, group, kind, page, page_size) -> dict:
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call(
        "scoring", "ranking", org_id, period, domain=domain, group=group, kind=kind, page=page, page_size=page_size
    )


@router.get("", response_model=Ranking)
async def ranking(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    period: Period,
    org_id: str = Query(min_length=1),
    domain: Domain | None = None,
    kind: Kind | None = None,
    group: Group = "branches",
    page: Page = 1,
    page_size: PageSize = 100,
):
    """Ordered by score, best first; ties by sign-in rate, then code, then id. Of one domain, or one kind
    (category: regular, joint or mobile branches), if given. Branches without a score are counted in
    `unscored`. One page of the ranking (100 by default, at most 500; a citywide one has thousands), `total`
    ranked in all; `rank` is the place in the whole ranking."""
    return await _ranking(caller, rpc, authz, org_id, period, domain, group, kind, page, page_size)


@router.get("/chart", response_class=Response, responses=files("image/svg+xml", "image/png"))
async def chart(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    period: Period,
    org_id: str = Query(min_length=1),
    domain: Domain | None = None,
    kind: Kind | None = None,
    group: Group = "branches",
    format: Literal["svg", "png"] = "svg",
    top: int = Query(20, ge=1, le=200, description="how many bars"),
):
    """The top `top` (20 by default) of the ranking as a horizontal bar chart, Chinese names drawn in a CJK font."""
    found = await _ranking(caller, rpc, authz, org_id, period, domain, group, kind, 1, top)
    title = f"{found['name']} {period} 主题党日综合得分排名"
    items = found["items"]
    if format == "svg":
        return Response(charts.svg(title, items), media_type="image/svg+xml")
    image = await run_in_threadpool(charts.png, title, items, str(settings.cjk_font_path))
    return Response(image, media_type="image/png")
