"""Evaluations: candidates, judges' marks, the two reviews, publication."""

import uuid
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.clock import aware
from partyday_common.db import emit
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_scoring import evaluation_rules as rules
from partyday_scoring import formula, tree
from partyday_scoring.models import Ballot, Campaign, Evaluation, Judgement, ScoredActivity, org_nodes
from partyday_scoring.shown import number, rounded
from partyday_scoring_contracts.events import EvaluationPublished


def create(session: Session, request, now: datetime) -> dict:
    """An evaluation, one per organisation, kind and period: the unique constraint refuses a second one (409
    EVALUATION_EXISTS), even when both are created at the same moment."""
    node = tree.find_node(session, request.org_id)
    found = Evaluation(
        id=uuid.uuid4().hex,
        org_id=request.org_id,
        org_path=node["path"],
        kind=request.kind,
        period=request.period,
        stage="judging",
        best_slots=request.best_slots,
        excellent_slots=request.excellent_slots,
        shortlist=[],
        best=[],
        excellent=[],
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(found)
    except IntegrityError:
        raise DomainError(
            "EVALUATION_EXISTS",
            "this organisation already has this evaluation for the period",
            409,
            {"org_id": request.org_id, "kind": request.kind, "period": request.period},
        )
    return summary(found)


def get(session: Session, evaluation_id: str, lock: bool | dict = False) -> Evaluation:
    """The evaluation; `lock` is `with_for_update` (`{"read": True}` shares the lock with other readers)."""
    found = session.get(Evaluation, evaluation_id, with_for_update=lock)
    if found is None:
        raise not_found("evaluation", evaluation_id)
    return found


def summary(found: Evaluation) -> dict:
    return {
        "evaluation_id": found.id,
        "org_id": found.org_id,
        "kind": found.kind,
        "period": found.period,
        "stage": found.stage,
        "best_slots": found.best_slots,
        "excellent_slots": found.excellent_slots,
        "shortlist": found.shortlist,
        "best": found.best,
        "excellent": found.excellent,
        "published_at": aware(found.published_at).isoformat() if found.published_at else None,
    }


def _candidate_query(found: Evaluation, only: str | None = None):
    """The candidates (the closed activities of the period under the evaluation's organisation) with their
    branch, automatic score and votes; just activity `only`, if given."""
    months = formula.period_months(found.period)
    votes = (
        select(Ballot.activity_id, func.count().label("votes"))
        .join(Campaign, Campaign.id == Ballot.campaign_id)
        .where(Campaign.org_id == found.org_id, Campaign.month.in_(months))
        .group_by(Ballot.activity_id)
        .subquery("votes")
    )
    query = (
        select(
            ScoredActivity.activity_id,
            ScoredActivity.branch_id,
            org_nodes.c.name,
            org_nodes.c.code,
            ScoredActivity.theme,
            ScoredActivity.total.label("score"),
            func.coalesce(votes.c.votes, 0).label("votes"),
        )
        .join(org_nodes, org_nodes.c.org_id == ScoredActivity.branch_id)
        .outerjoin(votes, votes.c.activity_id == ScoredActivity.activity_id)
        .where(
            ScoredActivity.month.in_(months),
            ScoredActivity.closed.is_(True),
            ScoredActivity.branch_path.startswith(found.org_path, autoescape=True),
        )
    )
    if only is not None:
        query = query.where(ScoredActivity.activity_id == only)
    return query


def _candidates(session: Session, found: Evaluation, only: str | None = None) -> dict[str, dict]:
    """The candidates by activity (see `_candidate_query`)."""
    return {row["activity_id"]: dict(row) for row in session.execute(_candidate_query(found, only)).mappings()}


def judge(session: Session, evaluation_id: str, judge_id: str, request, now: datetime) -> dict:
    """A judge's marks for a candidate; a judge may revise them while judging is open (a repeat replaces them,
    even one arriving at the same moment). The evaluation's row is share-locked: judges mark side by side, but
    the first review (which locks it for update) waits for them, and a mark arriving after it is refused."""
    found = get(session, evaluation_id, lock={"read": True})
    rules.expect_stage(found.stage, "judging")
    if not _candidates(session, found, only=request.activity_id):
        raise DomainError(
            "NOT_A_CANDIDATE",
            "this activity is not a candidate of the evaluation",
            422,
            {"activity_id": request.activity_id},
        )
    marks = {name: getattr(request, name) for name in rules.CRITERIA}
    key = {"evaluation_id": evaluation_id, "activity_id": request.activity_id, "judge_id": judge_id}
    try:
        with session.begin_nested():
            session.execute(insert(Judgement).values(**key, judged_at=now, **marks))
    except IntegrityError:
        session.execute(update(Judgement).filter_by(**key).values(judged_at=now, **marks))
    return {"evaluation_id": evaluation_id, "activity_id": request.activity_id, **marks, "total": sum(marks.values())}


def view(session: Session, evaluation_id: str, page: int, page_size: int) -> dict:
    """The evaluation and one page of its candidates, best first, with the judges' means and the votes beside
    them, and how many candidates there are in all. Best first: the judges' mean total as shown, then the
    votes, then the automatic score, then the code; the database orders and cuts the page."""
    offset, limit = page_bounds(page, page_size)
    found = get(session, evaluation_id)
    judged = (
        select(
            Judgement.activity_id,
            func.count().label("judges"),
            *(rounded(func.avg(getattr(Judgement, name)), 2).label(f"mean_{name}") for name in rules.CRITERIA),
            rounded(func.avg(sum(getattr(Judgement, name) for name in rules.CRITERIA)), 2).label("judged_total"),
        )
        .where(Judgement.evaluation_id == evaluation_id)
        .group_by(Judgement.activity_id)
        .subquery("judged")
    )
    candidates = _candidate_query(found).subquery("candidate")
    rows = (
        session.execute(
            select(candidates, *(column for column in judged.c if column.name != "activity_id"))
            .outerjoin(judged, judged.c.activity_id == candidates.c.activity_id)
            .order_by(
                func.coalesce(judged.c.judged_total, 0).desc(),
                candidates.c.votes.desc(),
                func.coalesce(candidates.c.score, 0).desc(),
                candidates.c.code,
                candidates.c.activity_id,
            )
            .offset(offset)
            .limit(limit)
        )
        .mappings()
        .all()
    )
    total = session.scalar(select(func.count()).select_from(candidates))
    awards = {**{a: "best" for a in found.best}, **{a: "excellent" for a in found.excellent}}
    shown = [_candidate_view(row, found.shortlist, awards) for row in rows]
    return {**summary(found), "candidates": shown, "total": total, "page": page, "page_size": page_size}


def _candidate_view(row, shortlist: list[str], awards: dict[str, str]) -> dict:
    return {
        **{key: row[key] for key in ("activity_id", "branch_id", "name", "theme", "score", "votes")},
        "judged": {
            "judges": row["judges"] or 0,
            "criteria": {name: number(row[f"mean_{name}"]) for name in rules.CRITERIA},
            "total": number(row["judged_total"]),
        },
        "shortlisted": row["activity_id"] in shortlist,
        "award": awards.get(row["activity_id"]),
    }


def first_review(session: Session, evaluation_id: str, shortlist: list[str]) -> dict:
    """The working group's shortlist closes the judging."""
    found = get(session, evaluation_id, lock=True)
    rules.expect_stage(found.stage, "judging")
    rules.check_shortlist(shortlist, set(_candidates(session, found)))
    found.shortlist, found.stage = shortlist, "second_review"
    return summary(found)


def second_review(session: Session, evaluation_id: str, best: list[str], excellent: list[str]) -> dict:
    """The committee picks the winners from the shortlist."""
    found = get(session, evaluation_id, lock=True)
    rules.expect_stage(found.stage, "second_review")
    rules.check_winners(found.kind, best, excellent, found.shortlist, found.best_slots, found.excellent_slots)
    found.best, found.excellent, found.stage = best, excellent, "decided"
    return summary(found)


def publish(session: Session, evaluation_id: str, now: datetime) -> dict:
    found = get(session, evaluation_id, lock=True)
    rules.expect_stage(found.stage, "decided")
    found.stage, found.published_at = "published", now
    emit(
        session,
        "evaluation_published",
        EvaluationPublished(
            evaluation_id=found.id,
            org_id=found.org_id,
            kind=found.kind,
            period=found.period,
            best=found.best,
            excellent=found.excellent,
        ).model_dump(mode="json"),
    )
    return summary(found)


def winners(session: Session, evaluation_id: str) -> dict:
    """The published winners with their branches; nothing before publication."""
    found = get(session, evaluation_id)
    if found.stage != "published":
        raise DomainError("NOT_PUBLISHED", "the winners are not published yet", 404)
    candidates = _candidates(session, found)
    listed = [
        {"award": award, **{k: v for k, v in candidates[a].items() if k != "code"}}
        for award, ids in (("best", found.best), ("excellent", found.excellent))
        for a in ids
        if a in candidates
    ]
    return {**summary(found), "winners": listed}
