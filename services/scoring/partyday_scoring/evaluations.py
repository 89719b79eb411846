"""Evaluations: candidates, judges' marks, the two reviews, publication."""

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    String,
    cast,
    exists,
    false,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import emit
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_scoring import evaluation_rules as rules
from partyday_scoring import formula, tree
from partyday_scoring.models import (
    Ballot,
    Campaign,
    Evaluation,
    GoldenIdea,
    Judgement,
    PlanProgress,
    ScoredActivity,
    org_nodes,
)
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
        min_sign_in_rate=request.eligibility.min_sign_in_rate,
        summary_required=request.eligibility.summary_required,
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
    audit.record(
        session,
        "evaluation.create",
        "evaluation",
        found.id,
        found.org_path,
        {"kind": found.kind, "period": found.period},
    )
    return summary(found)


def covering(session: Session, org_id: str, page: int, page_size: int) -> dict:
    """The evaluations a node takes part in (its own and its ancestors') and those of its subtree, newest first, a
    page at a time: what a branch may propose ideas to, and what an organisation runs."""
    offset, limit = page_bounds(page, page_size)
    path = tree.find_node(session, org_id)["path"]
    parts = path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[: length + 1]) + "/" for length in range(len(parts))]
    query = select(Evaluation).where(
        or_(Evaluation.org_path.in_(ancestors), Evaluation.org_path.startswith(path, autoescape=True))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.scalars(query.order_by(Evaluation.created_at.desc(), Evaluation.id).offset(offset).limit(limit))
    return {"items": [summary(e) for e in found], "total": total, "page": page, "page_size": page_size}


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
        "eligibility": {"min_sign_in_rate": found.min_sign_in_rate, "summary_required": found.summary_required},
        "shortlist": found.shortlist,
        "best": found.best,
        "excellent": found.excellent,
        "published_at": found.published_at.isoformat() if found.published_at else None,
    }


def _candidate_query(found: Evaluation, only: str | None = None):
    """The candidates: the closed activities of the period under the evaluation's organisation, with their branch,
    automatic score, votes, sign-in rate and whether their summary is on file; then the ideas branches proposed to
    it (their title as the theme, no score, no votes). Just candidate `only`, if given."""
    months = formula.period_months(found.period)
    votes = (
        select(Ballot.activity_id, func.count().label("votes"))
        .join(Campaign, Campaign.id == Ballot.campaign_id)
        .where(Campaign.org_id == found.org_id, Campaign.month.in_(months))
        .group_by(Ballot.activity_id)
        .subquery("votes")
    )
    summarized = exists().where(
        PlanProgress.activity_id == ScoredActivity.activity_id, PlanProgress.summarized.is_(True)
    )
    activities = (
        select(
            ScoredActivity.activity_id.label("candidate_id"),
            literal_column("'activity'").label("kind"),
            ScoredActivity.activity_id,
            ScoredActivity.branch_id,
            org_nodes.c.name,
            org_nodes.c.code,
            ScoredActivity.theme,
            ScoredActivity.total.label("score"),
            func.coalesce(votes.c.votes, 0).label("votes"),
            ScoredActivity.sign_in_rate,
            summarized.label("summarized"),
        )
        .join(org_nodes, org_nodes.c.org_id == ScoredActivity.branch_id)
        .outerjoin(votes, votes.c.activity_id == ScoredActivity.activity_id)
        .where(
            ScoredActivity.month.in_(months),
            ScoredActivity.closed.is_(True),
            ScoredActivity.branch_path.startswith(found.org_path, autoescape=True),
        )
    )
    ideas = (
        select(
            GoldenIdea.id.label("candidate_id"),
            literal_column("'idea'").label("kind"),
            cast(null(), String).label("activity_id"),
            GoldenIdea.branch_id,
            org_nodes.c.name,
            org_nodes.c.code,
            GoldenIdea.title.label("theme"),
            cast(null(), Float).label("score"),
            literal_column("0").label("votes"),
            cast(null(), Float).label("sign_in_rate"),
            cast(null(), Boolean).label("summarized"),
        )
        .join(org_nodes, org_nodes.c.org_id == GoldenIdea.branch_id)
        .where(GoldenIdea.evaluation_id == found.id)
    )
    if only is not None:
        activities = activities.where(ScoredActivity.activity_id == only)
        ideas = ideas.where(GoldenIdea.id == only)
    return union_all(activities, ideas)


def _ideas(session: Session, rows) -> dict[str, dict]:
    """The proposed ideas among the candidate rows, by id."""
    ids = [row["candidate_id"] for row in rows if row["kind"] == "idea"]
    found = session.scalars(select(GoldenIdea).where(GoldenIdea.id.in_(ids))) if ids else []
    return {idea.id: idea_view(idea) for idea in found}


def _facts(found: Evaluation, row, ideas: dict[str, dict]) -> dict:
    """A candidate as every answer shows it: an activity with the eligibility conditions it fails, or an idea (to
    which the rule, about party days, does not apply)."""
    activity = row["kind"] == "activity"
    return {
        **{key: row[key] for key in ("candidate_id", "kind", "activity_id", "branch_id", "name", "theme", "score")},
        "votes": int(row["votes"]),
        "sign_in_rate": row["sign_in_rate"],
        "summarized": bool(row["summarized"]) if activity else None,
        "ineligible_because": rules.ineligible_because(
            found.min_sign_in_rate, found.summary_required, row["sign_in_rate"], bool(row["summarized"])
        )
        if activity
        else [],
        "idea": ideas.get(row["candidate_id"]),
    }


def _candidates(session: Session, found: Evaluation, only: str | None = None) -> dict[str, dict]:
    """The candidates by id (see `_candidate_query`)."""
    rows = session.execute(_candidate_query(found, only)).mappings().all()
    ideas = _ideas(session, rows)
    return {row["candidate_id"]: _facts(found, row, ideas) for row in rows}


def idea_view(idea: GoldenIdea) -> dict:
    return {
        "idea_id": idea.id,
        "evaluation_id": idea.evaluation_id,
        "branch_id": idea.branch_id,
        "title": idea.title,
        "text": idea.text,
        "media_ids": idea.media_ids,
        "proposed_by": idea.proposed_by,
        "proposed_at": idea.proposed_at.isoformat(),
    }


def propose_idea(session: Session, evaluation_id: str, request, proposer: str | None, now: datetime) -> dict:
    """A branch of the evaluation's subtree proposes a golden idea (金点子) while judging is open: it becomes a
    candidate beside the activities. Only a quarter's golden ideas take proposals (422 NOT_GOLDEN_IDEAS); the
    evaluation is share-locked as a judgement locks it, so the first review waits for a proposal being made."""
    found = get(session, evaluation_id, lock={"read": True})
    if found.kind != "golden_ideas":
        raise DomainError(
            "NOT_GOLDEN_IDEAS", "only a quarter's golden ideas take proposed ideas", 422, {"kind": found.kind}
        )
    rules.expect_stage(found.stage, "judging")
    home = tree.find_node(session, request.branch_id)
    if home["level"] != "branch" or not home["path"].startswith(found.org_path):
        raise DomainError(
            "NOT_IN_EVALUATION",
            "an idea is proposed by a branch of the evaluation's organisation",
            422,
            {"branch_id": request.branch_id, "org_id": found.org_id},
        )
    idea = GoldenIdea(
        id=f"idea-{uuid.uuid4().hex}",
        evaluation_id=found.id,
        branch_id=request.branch_id,
        branch_path=home["path"],
        title=request.title,
        text=request.text,
        media_ids=request.media_ids,
        proposed_by=proposer,
        proposed_at=now,
    )
    session.add(idea)
    audit.record(
        session, "evaluation.propose_idea", "golden_idea", idea.id, idea.branch_path, {"evaluation_id": found.id}
    )
    return idea_view(idea)


def candidate(session: Session, evaluation_id: str, candidate_id: str) -> dict:
    """One candidate of the evaluation (422 NOT_A_CANDIDATE otherwise): the gateway's check of whose it is."""
    found = _candidates(session, get(session, evaluation_id), only=candidate_id)
    if not found:
        raise DomainError(
            "NOT_A_CANDIDATE", "this is not a candidate of the evaluation", 422, {"candidate_id": candidate_id}
        )
    return found[candidate_id]


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
    audit.record(
        session,
        "evaluation.judge",
        "evaluation",
        evaluation_id,
        found.org_path,
        {"activity_id": request.activity_id, **marks},
    )
    return {"evaluation_id": evaluation_id, "activity_id": request.activity_id, **marks, "total": sum(marks.values())}


def view(session: Session, evaluation_id: str, page: int, page_size: int, judge_id: str | None = None) -> dict:
    """The evaluation and one page of its candidates, best first, with the judges' means and the votes beside
    them, and how many candidates there are in all. Best first: the judges' mean total as shown, then the
    votes, then the automatic score, then the code; the database orders and cuts the page. For `judge_id`
    (the caller, named by the gateway) each candidate also shows that judge's own marks (`mine`, null where
    they gave none) and `marked_by_me` counts the candidates they marked: never another judge's marks."""
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
    mine = _own_marks(evaluation_id, judge_id).subquery("mine")
    candidates = _candidate_query(found).subquery("candidate")
    rows = (
        session.execute(
            select(
                candidates,
                *(column for column in judged.c if column.name != "activity_id"),
                *(column for column in mine.c if column.name != "activity_id"),
            )
            .outerjoin(judged, judged.c.activity_id == candidates.c.candidate_id)
            .outerjoin(mine, mine.c.activity_id == candidates.c.candidate_id)
            .order_by(
                func.coalesce(judged.c.judged_total, 0).desc(),
                candidates.c.votes.desc(),
                func.coalesce(candidates.c.score, 0).desc(),
                candidates.c.code,
                candidates.c.candidate_id,
            )
            .offset(offset)
            .limit(limit)
        )
        .mappings()
        .all()
    )
    total = session.scalar(select(func.count()).select_from(candidates))
    awards = {**{a: "best" for a in found.best}, **{a: "excellent" for a in found.excellent}}
    ideas = _ideas(session, rows)
    shown = [_candidate_view(found, row, ideas, awards) for row in rows]
    marked = (
        session.scalar(
            select(func.count()).select_from(
                select(candidates.c.candidate_id)
                .join(mine, mine.c.activity_id == candidates.c.candidate_id)
                .subquery("marked")
            )
        )
        if judge_id
        else 0
    )
    return {
        **summary(found),
        "candidates": shown,
        "total": total,
        "page": page,
        "page_size": page_size,
        "marked_by_me": marked,
    }


def _own_marks(evaluation_id: str, judge_id: str | None):
    """One judge's marks in the evaluation, per candidate; none without a judge."""
    return select(
        Judgement.activity_id,
        *(getattr(Judgement, name).label(f"my_{name}") for name in rules.CRITERIA),
        Judgement.judged_at.label("my_judged_at"),
    ).where(
        Judgement.evaluation_id == evaluation_id,
        Judgement.judge_id == judge_id if judge_id else false(),
    )


def _candidate_view(found: Evaluation, row, ideas: dict[str, dict], awards: dict[str, str]) -> dict:
    return {
        **_facts(found, row, ideas),
        "judged": {
            "judges": row["judges"] or 0,
            "criteria": {name: number(row[f"mean_{name}"]) for name in rules.CRITERIA},
            "total": number(row["judged_total"]),
        },
        "mine": _mine(row),
        "shortlisted": row["candidate_id"] in found.shortlist,
        "award": awards.get(row["candidate_id"]),
    }


def _mine(row) -> dict | None:
    if row["my_judged_at"] is None:
        return None
    marks = {name: row[f"my_{name}"] for name in rules.CRITERIA}
    return {**marks, "total": sum(marks.values()), "judged_at": row["my_judged_at"].isoformat()}


def _judges(session: Session, evaluation_id: str) -> set[str]:
    return set(session.scalars(select(Judgement.judge_id).where(Judgement.evaluation_id == evaluation_id)))


def first_review(session: Session, evaluation_id: str, shortlist: list[str], reviewer_id: str | None = None) -> dict:
    """The working group's shortlist closes the judging; its reviewer (None: an operator) judged no candidate."""
    found = get(session, evaluation_id, lock=True)
    rules.expect_stage(found.stage, "judging")
    if reviewer_id is not None:
        rules.check_reviewer("first_review", reviewer_id, _judges(session, evaluation_id), None)
    candidates = _candidates(session, found)
    rules.check_shortlist(shortlist, set(candidates))
    rules.check_eligible(shortlist, candidates)
    found.shortlist, found.stage, found.first_reviewed_by = shortlist, "second_review", reviewer_id
    audit.record(session, "evaluation.first_review", "evaluation", found.id, found.org_path, {"shortlist": shortlist})
    return summary(found)


def second_review(
    session: Session, evaluation_id: str, best: list[str], excellent: list[str], reviewer_id: str | None = None
) -> dict:
    """The committee picks the winners from the shortlist; its reviewer (None: an operator) neither judged nor
    made the first review."""
    found = get(session, evaluation_id, lock=True)
    rules.expect_stage(found.stage, "second_review")
    if reviewer_id is not None:
        rules.check_reviewer("second_review", reviewer_id, _judges(session, evaluation_id), found.first_reviewed_by)
    rules.check_winners(found.kind, best, excellent, found.shortlist, found.best_slots, found.excellent_slots)
    rules.check_eligible(best + excellent, _candidates(session, found))
    found.best, found.excellent, found.stage, found.second_reviewed_by = best, excellent, "decided", reviewer_id
    audit.record(
        session,
        "evaluation.second_review",
        "evaluation",
        found.id,
        found.org_path,
        {"best": best, "excellent": excellent},
    )
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
    audit.record(session, "evaluation.publish", "evaluation", found.id, found.org_path)
    return summary(found)


def winners(session: Session, evaluation_id: str) -> dict:
    """The published winners with their branches; nothing before publication."""
    found = get(session, evaluation_id)
    if found.stage != "published":
        raise DomainError("NOT_PUBLISHED", "the winners are not published yet", 404)
    candidates = _candidates(session, found)
    listed = [
        {"award": award, **candidates[a]}
        for award, ids in (("best", found.best), ("excellent", found.excellent))
        for a in ids
        if a in candidates
    ]
    return {**summary(found), "winners": listed}
