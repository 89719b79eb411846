"""我为主题党日打Call: a month's campaign over a subtree, its candidates, votes and live results.

The ballot is secret: a voter is stored only as a keyed hash of their account, and nothing
reads ballots back per voter except to refuse a second vote; results are counts per activity.
"""
import hashlib
import hmac
import uuid
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.orgtree import get_node
from partyday_common.settings import get_settings
from partyday_scoring.models import Ballot, Campaign, ScoredActivity, org_nodes


def voter_key(voter: str) -> str:
    """The voter as the ballots table knows them: a keyed hash, so the table names nobody."""
    return hmac.new(f"ballot:{get_settings().secret_key}".encode(), voter.encode(), hashlib.sha256).hexdigest()


def create(session: Session, org_id: str, month: str, title: str, votes_per_voter: int) -> dict:
    node = get_node(session, org_nodes, org_id)
    if node is None:
        raise not_found("org", org_id)
    if session.scalar(select(Campaign.id).where(Campaign.org_id == org_id, Campaign.month == month)):
        raise DomainError("CAMPAIGN_EXISTS", "this organisation already has a campaign for the month", 409,
                          {"org_id": org_id, "month": month})
    found = Campaign(id=uuid.uuid4().hex, org_id=org_id, org_path=node["path"], month=month, title=title,
                     votes_per_voter=votes_per_voter, created_at=utcnow())
    session.add(found)
    return view(found)


def get(session: Session, campaign_id: str) -> Campaign:
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise not_found("campaign", campaign_id)
    return found


def view(found: Campaign) -> dict:
    return {"campaign_id": found.id, "org_id": found.org_id, "month": found.month, "title": found.title,
            "votes_per_voter": found.votes_per_voter}


def _candidates(session: Session, found: Campaign):
    return (select(ScoredActivity.activity_id, ScoredActivity.branch_id, ScoredActivity.theme, org_nodes.c.name,
                   org_nodes.c.code)
            .join(org_nodes, org_nodes.c.org_id == ScoredActivity.branch_id)
            .where(ScoredActivity.month == found.month,
                   ScoredActivity.branch_path.startswith(found.org_path, autoescape=True)))


def vote(session: Session, campaign_id: str, voter: str, activity_id: str, now: datetime) -> dict:
    """One vote for an activity of the campaign; once per activity, at most `votes_per_voter` in all."""
    found = get(session, campaign_id)
    if session.execute(_candidates(session, found).where(ScoredActivity.activity_id == activity_id)).first() is None:
        raise DomainError("NOT_IN_CAMPAIGN", "this activity is not a candidate of the campaign", 422,
                          {"activity_id": activity_id})
    key = voter_key(voter)
    if session.get(Ballot, (campaign_id, key, activity_id)) is not None:
        raise DomainError("ALREADY_VOTED", "you have already voted for this activity", 409)
    used = session.scalar(select(func.count()).select_from(Ballot).where(Ballot.campaign_id == campaign_id,
                                                                         Ballot.voter_id == key))
    if used >= found.votes_per_voter:
        raise DomainError("VOTE_LIMIT_REACHED", "you have used every vote of this campaign", 422,
                          {"votes_per_voter": found.votes_per_voter})
    try:
        with session.begin_nested():
            session.execute(insert(Ballot).values(campaign_id=campaign_id, voter_id=key, activity_id=activity_id,
                                                  slot=used, cast_at=now))
    except IntegrityError:
        if session.scalar(select(Ballot.slot).where(Ballot.campaign_id == campaign_id, Ballot.voter_id == key,
                                                    Ballot.activity_id == activity_id)) is not None:
            raise DomainError("ALREADY_VOTED", "you have already voted for this activity", 409)
        raise DomainError("VOTE_CONFLICT", "another vote of yours was being counted at the same moment; "
                          "you may have voted already", 409)
    return {"campaign_id": campaign_id, "activity_id": activity_id, "votes_left": found.votes_per_voter - used - 1}


def results(session: Session, campaign_id: str) -> dict:
    """Live counts per candidate, most votes first (ties by organisation code), and the votes cast in all."""
    found = get(session, campaign_id)
    counts = dict(session.execute(select(Ballot.activity_id, func.count()).where(Ballot.campaign_id == campaign_id)
                                  .group_by(Ballot.activity_id)).all())
    rows = [{"activity_id": row.activity_id, "branch_id": row.branch_id, "name": row.name, "theme": row.theme,
             "code": row.code, "votes": counts.get(row.activity_id, 0)}
            for row in session.execute(_candidates(session, found))]
    rows.sort(key=lambda row: (-row["votes"], row["code"], row["activity_id"]))
    for row in rows:
        row.pop("code")
    return {**view(found), "total_votes": sum(counts.values()), "items": rows}
