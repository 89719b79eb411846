"""我为主题党日打Call: monthly campaigns, votes of members and verified public voters, live results."""

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from partyday_common.correlation import current_client_ip
from partyday_common.pagination import MAX_PAGE_SIZE
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError, domain_error
from partyday_gateway.openapi import files
from partyday_gateway.permissions import READ, RUN_CAMPAIGNS
from partyday_gateway.rpc import RemoteError
from partyday_gateway.stored_files import file_response
from partyday_scoring_contracts.rpc import CampaignChange, CampaignCreate, VoteCreate

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


class Campaign(BaseModel):
    campaign_id: str
    org_id: str
    month: str
    title: str
    votes_per_voter: int
    opens_at: str
    closes_at: str


class CampaignPage(BaseModel):
    items: list[Campaign]
    total: int
    page: int
    page_size: int


class Voted(BaseModel):
    campaign_id: str
    activity_id: str
    votes_left: int


class Ballot(BaseModel):
    campaign_id: str
    votes_per_voter: int
    votes_used: int
    votes_left: int
    voted: list[str] = Field(description="the candidates (activity ids) I voted for")
    voting: Literal["not_open", "open", "closed"]


class Candidate(BaseModel):
    activity_id: str
    branch_id: str
    name: str
    theme: str | None
    votes: int


class Results(Campaign):
    total_votes: int
    total: int
    page: int
    page_size: int
    items: list[Candidate]


class Photo(BaseModel):
    media_id: str
    caption: str | None
    thumbnail_url: str
    web_url: str


class Showcase(Candidate):
    photos: list[Photo]


class Candidates(Results):
    items: list[Showcase]


PHOTOS_PER_CANDIDATE = 6
MEDIA_PAGE = 50
CandidatePageSize = Annotated[
    int, Query(ge=1, le=50, description="candidates per page (at most 50: each one's photos are asked of media)")
]
ResultsPageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="candidates per page")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Campaign)
async def create_campaign(
    body: CampaignCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Open the month's campaign over an organisation's subtree: its activities of the month are the candidates.
    Votes are taken from `opens_at` to `closes_at`: by default from the month's first day until its scores stop
    changing (the next month's start plus the grace days, in the city's time zone); 422 VOTING_WINDOW_INVALID
    unless it opens before it closes."""
    await authz.require(caller, RUN_CAMPAIGNS, body.org_id, "run_campaigns")
    return await rpc.call(
        "scoring", "create_campaign", body.model_dump(mode="json", exclude_none=True), idempotency_key=idempotency_key
    )


@router.get("", response_model=CampaignPage)
async def campaigns(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1),
    month: str | None = Query(
        None, pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="only the campaigns of this month (2026-12)"
    ),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The campaigns a node's branches are candidates in (its own and its ancestors') and those of its subtree,
    newest month first, one page at a time; for the node's readers."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call("scoring", "campaigns", org_id, page=page, page_size=page_size, month=month)


@router.get("/{campaign_id}", response_model=Campaign)
async def campaign(campaign_id: str, caller: Caller, rpc: Rpc):
    """A campaign, for every member and public voter."""
    return await rpc.call("scoring", "campaign", campaign_id)


async def _run_over(campaign_id: str, caller, rpc, authz) -> None:
    """403 unless the caller may run campaigns over the campaign's organisation (404 for an unknown campaign)."""
    found = await rpc.call("scoring", "campaign", campaign_id)
    await authz.require(caller, RUN_CAMPAIGNS, found["org_id"], "run_campaigns")


@router.patch("/{campaign_id}", response_model=Campaign)
async def change_campaign(
    campaign_id: str,
    body: CampaignChange,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """Change a campaign's title and either end of its voting window, for who may run campaigns over its
    organisation. 409 CAMPAIGN_CLOSED for a window of a closed campaign (never reopened); 422 VOTING_ALREADY_OPEN
    for a start moved once voting opened, VOTING_WINDOW_PAST for an end moved into the past, VOTING_WINDOW_INVALID
    unless it opens before it closes: so every vote cast stays inside the window."""
    await _run_over(campaign_id, caller, rpc, authz)
    return await rpc.call(
        "scoring",
        "change_campaign",
        campaign_id,
        body.model_dump(mode="json", exclude_none=True),
        idempotency_key=idempotency_key,
    )


@router.post("/{campaign_id}/close", response_model=Campaign)
async def close_campaign(
    campaign_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Close a campaign's voting now, for who may run campaigns over its organisation (409 CAMPAIGN_NOT_OPEN
    before voting opened: move its window instead; CAMPAIGN_CLOSED once closed). Its results stay."""
    await _run_over(campaign_id, caller, rpc, authz)
    return await rpc.call("scoring", "close_campaign", campaign_id, idempotency_key=idempotency_key)


def _voter(caller) -> str:
    """The voter as scoring knows them: a public voter's account or a member's."""
    if caller.kind == "public":
        return f"public:{caller.subject}"
    if caller.member_id is not None:
        return f"member:{caller.member_id}"
    raise ApiError(403, "VOTERS_ONLY", "voting needs a member's or a verified public voter's account")


@router.get("/{campaign_id}/my-ballot", response_model=Ballot)
async def my_ballot(campaign_id: str, caller: Caller, rpc: Rpc):
    """My own ballot in the campaign, for me alone: the candidates I voted for, my votes used and left, and
    whether voting is open (`not_open`, `open`, `closed`)."""
    return await rpc.call("scoring", "ballot", campaign_id, _voter(caller))


@router.post("/{campaign_id}/votes", status_code=status.HTTP_201_CREATED, response_model=Voted)
async def vote(campaign_id: str, body: VoteCreate, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """A member's or verified public voter's vote while the campaign's voting is open (422 VOTING_NOT_OPEN,
    VOTING_CLOSED): once per activity (a repeated Idempotency-Key gets the first answer, any other repeat 409
    ALREADY_VOTED), `votes_per_voter` in all, rate limited per account and per client address by scoring for every
    gateway at once (429 VOTE_RATE_LIMITED with Retry-After; every attempt counts). The ballot is secret."""
    return await rpc.call(
        "scoring",
        "vote",
        campaign_id,
        _voter(caller),
        body.model_dump(),
        current_client_ip.get() or "unknown",
        idempotency_key=idempotency_key,
    )


async def _photos(rpc, activity_id: str) -> list[dict]:
    """The activity's approved photos (among its first `MEDIA_PAGE` approved uploads); none while media does not
    know the activity."""
    try:
        uploads = await rpc.call(
            "media", "activity_media_page", activity_id, page=1, page_size=MEDIA_PAGE, approved_only=True
        )
    except RemoteError as exc:
        error = domain_error(exc)
        if error is not None and error.code == "ACTIVITY_NOT_FOUND":
            return []
        raise
    return [upload for upload in uploads["items"] if upload["kind"] == "image"]


@router.get("/{campaign_id}/candidates", response_model=Candidates)
async def candidates(campaign_id: str, caller: Caller, rpc: Rpc, page: Page = 1, page_size: CandidatePageSize = 20):
    """One page of the subtree's activities of the month (20 by default, at most 50), most votes first, with their
    approved photos (up to 6 each) and live votes; an activity media does not know yet has no photos."""
    found = await rpc.call("scoring", "campaign_results", campaign_id, page=page, page_size=page_size)
    photos = await asyncio.gather(*(_photos(rpc, item["activity_id"]) for item in found["items"]))
    base = f"/api/v1/campaigns/{campaign_id}/photos"
    for item, shown in zip(found["items"], photos):
        item["photos"] = [
            {
                "media_id": photo["media_id"],
                "caption": photo["caption"],
                "thumbnail_url": f"{base}/{photo['media_id']}?variant=thumbnail",
                "web_url": f"{base}/{photo['media_id']}?variant=web",
            }
            for photo in shown[:PHOTOS_PER_CANDIDATE]
        ]
    return found


@router.get("/{campaign_id}/photos/{media_id}", response_class=StreamingResponse, responses=files("image/jpeg"))
async def photo(
    campaign_id: str, media_id: str, caller: Caller, rpc: Rpc, variant: Literal["thumbnail", "web"] = "thumbnail"
):
    """An approved photo of a candidate, for every voter (404 for any other upload)."""
    upload = await rpc.call("media", "get_media", media_id)
    if (
        upload["kind"] != "image"
        or upload["status"] != "approved"
        or not await rpc.call("scoring", "is_candidate", campaign_id, upload["activity_id"])
    ):
        raise ApiError(404, "MEDIA_NOT_FOUND", f"media {media_id} is not a photo of this campaign", {"id": media_id})
    return await file_response(await rpc.call("media", "media_file", media_id, variant))


@router.get("/{campaign_id}/results", response_model=Results)
async def results(campaign_id: str, caller: Caller, rpc: Rpc, page: Page = 1, page_size: ResultsPageSize = 100):
    """Live results: votes per candidate, most first, one page of candidates (100 by default, `total` in all);
    nobody can see who voted for what."""
    return await rpc.call("scoring", "campaign_results", campaign_id, page=page, page_size=page_size)
