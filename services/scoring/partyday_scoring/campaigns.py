"""我为主题党日打Call: a month's campaign over a subtree, its candidates, votes and live results.

The ballot is secret: a voter is stored only as a keyed hash of their account, and nothing
reads ballots back per voter except to refuse a second vote; results are counts per activity.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_scoring import campaign_rules as rules
from partyday_scoring import tree
from partyday_scoring.models import Ballot, Campaign, ScoredActivity, org_nodes
from partyday_scoring.settings import get_settings
from partyday_scoring_contracts.events import CampaignCreated, CampaignOpened

VOTE_ATTEMPTS = 3


def voter_key(voter: str) -> str:
    """The voter as the ballots table knows them: a keyed hash, so the table names nobody."""
    return hmac.new(f"ballot:{get_settings().secret_key}".encode(), voter.encode(), hashlib.sha256).hexdigest()


def create(session: Session, request) -> dict:
    """A campaign, one per organisation and month: the unique constraint refuses a second one (409
    CAMPAIGN_EXISTS), even when both are created at the same moment. Votes are taken in its voting window."""
    org_id, month = request.org_id, request.month
    node = tree.find_node(session, org_id)
    settings = get_settings()
    opens, closes = rules.voting_window(
        month, request.opens_at, request.closes_at, settings.scoring_time_zone, settings.scoring_grace_days
    )
    found = Campaign(
        id=uuid.uuid4().hex,
        org_id=org_id,
        org_path=node["path"],
        month=month,
        title=request.title,
        votes_per_voter=request.votes_per_voter,
        opens_at=opens.astimezone(timezone.utc),
        closes_at=closes.astimezone(timezone.utc),
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(found)
    except IntegrityError:
        raise DomainError(
            "CAMPAIGN_EXISTS",
            "this organisation already has a campaign for the month",
            409,
            {"org_id": org_id, "month": month},
        )
    created = view(found)
    emit(session, "campaign_created", CampaignCreated(**created, org_path=found.org_path).model_dump(mode="json"))
    audit.record(
        session, "campaign.create", "campaign", found.id, found.org_path, {"month": month, "title": found.title}
    )
    return created


def _locked(session: Session, campaign_id: str) -> Campaign:
    found = session.scalar(select(Campaign).where(Campaign.id == campaign_id).with_for_update())
    if found is None:
        raise not_found("campaign", campaign_id)
    return found


def change(session: Session, campaign_id: str, request, now: datetime) -> dict:
    """Change a campaign's title and either end of its voting window (`campaign_rules.changed_window`). Its row is
    locked, so two changes apply in turn. A start moved later before voting opened is announced by the first
    opening round after it, once, as any other."""
    found = _locked(session, campaign_id)
    changed = {}
    if request.opens_at is not None or request.closes_at is not None:
        opens, closes = rules.changed_window(now, found.opens_at, found.closes_at, request.opens_at, request.closes_at)
        found.opens_at, found.closes_at = opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)
        changed.update(opens_at=found.opens_at.isoformat(), closes_at=found.closes_at.isoformat())
    if request.title is not None:
        found.title = changed["title"] = request.title
    audit.record(session, "campaign.change", "campaign", found.id, found.org_path, changed)
    return view(found)


def close(session: Session, campaign_id: str, now: datetime) -> dict:
    """Close a campaign's voting now (`campaign_rules.closed_now`): no vote is taken after it, results stay."""
    found = _locked(session, campaign_id)
    found.closes_at = rules.closed_now(now, found.opens_at, found.closes_at)
    audit.record(session, "campaign.close", "campaign", found.id, found.org_path, {"closes_at": now.isoformat()})
    return view(found)


def announce_opened(session: Session, now: datetime) -> int:
    """Announce each campaign whose voting window has opened by `now`, once (`opened_announced_at`); how many. The
    campaigns are locked past another replica's round; one that closed before any round saw it open is marked and
    not announced (nobody can vote any more)."""
    due = session.scalars(
        select(Campaign)
        .where(Campaign.opened_announced_at.is_(None), Campaign.opens_at <= now)
        .order_by(Campaign.opens_at, Campaign.id)
        .with_for_update(skip_locked=True)
    )
    announced = 0
    for found in due:
        found.opened_announced_at = now
        if rules.voting_state(now, found.opens_at, found.closes_at) != "open":
            continue
        opened = CampaignOpened(**view(found), org_path=found.org_path)
        emit(session, "campaign_opened", opened.model_dump(mode="json"))
        announced += 1
    return announced


def listing(session: Session, org_id: str, month: str | None, page: int, page_size: int) -> dict:
    """The campaigns a node's branches are candidates in (its own and its ancestors') and those of its subtree,
    of one month if given, newest month first, a page at a time."""
    offset, limit = page_bounds(page, page_size)
    path = tree.find_node(session, org_id)["path"]
    parts = path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[: length + 1]) + "/" for length in range(len(parts))]
    query = select(Campaign).where(
        or_(Campaign.org_path.in_(ancestors), Campaign.org_path.startswith(path, autoescape=True))
    )
    if month is not None:
        query = query.where(Campaign.month == month)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.scalars(
        query.order_by(Campaign.month.desc(), Campaign.created_at.desc(), Campaign.id).offset(offset).limit(limit)
    )
    return {"items": [view(c) for c in found], "total": total, "page": page, "page_size": page_size}


def get(session: Session, campaign_id: str) -> Campaign:
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise not_found("campaign", campaign_id)
    return found


def view(found: Campaign) -> dict:
    return {
        "campaign_id": found.id,
        "org_id": found.org_id,
        "month": found.month,
        "title": found.title,
        "votes_per_voter": found.votes_per_voter,
        "opens_at": found.opens_at.isoformat(),
        "closes_at": found.closes_at.isoformat(),
    }


def _candidates(session: Session, found: Campaign):
    return (
        select(
            ScoredActivity.activity_id,
            ScoredActivity.branch_id,
            ScoredActivity.theme,
            org_nodes.c.name,
            org_nodes.c.code,
        )
        .join(org_nodes, org_nodes.c.org_id == ScoredActivity.branch_id)
        .where(
            ScoredActivity.month == found.month, ScoredActivity.branch_path.startswith(found.org_path, autoescape=True)
        )
    )


def is_candidate(session: Session, found: Campaign, activity_id: str) -> bool:
    return (
        session.execute(_candidates(session, found).where(ScoredActivity.activity_id == activity_id)).first()
        is not None
    )


def has_candidate(session: Session, campaign_id: str, activity_id: str) -> bool:
    """Whether the activity is a candidate of the campaign (404 CAMPAIGN_NOT_FOUND for an unknown campaign)."""
    return is_candidate(session, get(session, campaign_id), activity_id)


def vote(session: Session, campaign_id: str, voter: str, activity_id: str, now: datetime) -> dict:
    """One vote for an activity of the campaign, in its voting window; once per activity, at most
    `votes_per_voter` in all."""
    found = get(session, campaign_id)
    rules.check_voting_open(now, found.opens_at, found.closes_at)
    if not is_candidate(session, found, activity_id):
        raise DomainError(
            "NOT_IN_CAMPAIGN", "this activity is not a candidate of the campaign", 422, {"activity_id": activity_id}
        )
    key = voter_key(voter)
    # One read of the voter's ballots, so that a duplicate committed meanwhile is ALREADY_VOTED, not a used-up limit.
    mine = set(
        session.scalars(select(Ballot.activity_id).where(Ballot.campaign_id == campaign_id, Ballot.voter_id == key))
    )
    if activity_id in mine:
        raise DomainError("ALREADY_VOTED", "you have already voted for this activity", 409)
    used = len(mine)
    if used >= found.votes_per_voter:
        raise DomainError(
            "VOTE_LIMIT_REACHED",
            "you have used every vote of this campaign",
            422,
            {"votes_per_voter": found.votes_per_voter},
        )
    try:
        with session.begin_nested():
            session.execute(
                insert(Ballot).values(
                    campaign_id=campaign_id, voter_id=key, activity_id=activity_id, slot=used, cast_at=now
                )
            )
    except IntegrityError:
        if (
            session.scalar(
                select(Ballot.slot).where(
                    Ballot.campaign_id == campaign_id, Ballot.voter_id == key, Ballot.activity_id == activity_id
                )
            )
            is not None
        ):
            raise DomainError("ALREADY_VOTED", "you have already voted for this activity", 409)
        raise DomainError(
            "VOTE_CONFLICT",
            "another vote of yours was being counted at the same moment; you may have voted already",
            409,
        )
    return {"campaign_id": campaign_id, "activity_id": activity_id, "votes_left": found.votes_per_voter - used - 1}


def ballot_of(session: Session, campaign_id: str, voter: str, now: datetime) -> dict:
    """What a voter may still do in a campaign, for that voter alone: the candidates they voted for, the votes
    used and left, and whether voting is open now."""
    found = get(session, campaign_id)
    voted = sorted(
        session.scalars(
            select(Ballot.activity_id).where(Ballot.campaign_id == campaign_id, Ballot.voter_id == voter_key(voter))
        )
    )
    return {
        "campaign_id": campaign_id,
        "votes_per_voter": found.votes_per_voter,
        "votes_used": len(voted),
        "votes_left": max(0, found.votes_per_voter - len(voted)),
        "voted": voted,
        "voting": rules.voting_state(now, found.opens_at, found.closes_at),
    }


def retrying_conflicts(cast: Callable[[], dict]) -> dict:
    """`cast()`, a vote in a transaction of its own, cast again when it lost a race for the voter's next slot
    with another of their votes (VOTE_CONFLICT), up to `VOTE_ATTEMPTS` times in all."""
    for attempt in range(1, VOTE_ATTEMPTS + 1):
        try:
            return cast()
        except DomainError as exc:
            if exc.code != "VOTE_CONFLICT" or attempt == VOTE_ATTEMPTS:
                raise


def results(session: Session, campaign_id: str, page: int, page_size: int) -> dict:
    """Live counts per candidate, most votes first (ties by organisation code), one page of them, with the
    number of candidates and of votes cast in all."""
    offset, limit = page_bounds(page, page_size)
    found = get(session, campaign_id)
    counts = (
        select(Ballot.activity_id, func.count().label("votes"))
        .where(Ballot.campaign_id == campaign_id)
        .group_by(Ballot.activity_id)
        .subquery()
    )
    votes = func.coalesce(counts.c.votes, 0)
    listed = (
        _candidates(session, found)
        .add_columns(votes.label("votes"))
        .outerjoin(counts, counts.c.activity_id == ScoredActivity.activity_id)
        .order_by(votes.desc(), org_nodes.c.code, ScoredActivity.activity_id)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        {
            "activity_id": row.activity_id,
            "branch_id": row.branch_id,
            "name": row.name,
            "theme": row.theme,
            "votes": row.votes,
        }
        for row in session.execute(listed)
    ]
    total = session.scalar(select(func.count()).select_from(_candidates(session, found).subquery()))
    total_votes = session.scalar(select(func.count()).select_from(Ballot).where(Ballot.campaign_id == campaign_id))
    return {
        **view(found),
        "total_votes": total_votes,
        "total": total,
        "items": rows,
        "page": page,
        "page_size": page_size,
    }
