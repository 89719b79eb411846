"""Results and participation, counted in SQL: each member's best score at a quiz within a subtree, each branch's
members who took it against those expected, and a branch's participation over a month's quizzes (announced to
scoring)."""

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from partyday_common.orgtree import subtree_filter
from partyday_common.pagination import page_bounds
from partyday_quizzes import quizzes
from partyday_quizzes.models import Attempt, Member, Quiz, org_nodes


def results(session: Session, quiz_id: str, path: str, page_number: int, page_size: int) -> dict:
    """Each member under `path` who submitted an attempt, with the best score (which counts), best first."""
    quizzes.get(session, quiz_id)
    offset, limit = page_bounds(page_number, page_size)
    conditions = [
        Attempt.quiz_id == quiz_id,
        Attempt.submitted_at.is_not(None),
        Attempt.branch_path.startswith(path, autoescape=True),
    ]
    total = session.scalar(select(func.count(distinct(Attempt.member_id))).where(*conditions))
    best = func.max(Attempt.score).label("best_score")
    rows = session.execute(
        select(
            Attempt.member_id,
            func.max(Member.name).label("name"),
            func.max(Attempt.branch_id).label("branch_id"),
            best,
            func.count(Attempt.id).label("attempts"),
            func.max(Attempt.submitted_at).label("last_submitted_at"),
        )
        .outerjoin(Member, Member.member_id == Attempt.member_id)
        .where(*conditions)
        .group_by(Attempt.member_id)
        .order_by(best.desc(), Attempt.member_id)
        .offset(offset)
        .limit(limit)
    )
    names = _branch_names(session)
    items = [
        {
            "member_id": row.member_id,
            "name": row.name,
            "branch_id": row.branch_id,
            "branch_name": names(row.branch_id),
            "best_score": row.best_score,
            "attempts": row.attempts,
            "last_submitted_at": row.last_submitted_at.isoformat() if row.last_submitted_at else None,
        }
        for row in rows
    ]
    return {"items": items, "total": total, "page": page_number, "page_size": page_size}


def _branch_names(session: Session):
    cache: dict[str, str | None] = {}

    def name(org_id: str) -> str | None:
        if org_id not in cache:
            cache[org_id] = session.scalar(select(org_nodes.c.name).where(org_nodes.c.org_id == org_id))
        return cache[org_id]

    return name


def by_branch(session: Session, quiz_id: str, path: str, page_number: int, page_size: int) -> dict:
    """Each branch the quiz reaches under `path`: its members who submitted an attempt against its active
    members, with the subtree's totals."""
    quiz = quizzes.get(session, quiz_id)
    offset, limit = page_bounds(page_number, page_size)
    if path.startswith(quiz.org_path):
        scope = path
    elif quiz.org_path.startswith(path):
        scope = quiz.org_path
    else:
        return {"items": [], "total": 0, "page": page_number, "page_size": page_size, "took": 0, "expected": 0}
    branches = and_(subtree_filter(org_nodes, scope), org_nodes.c.level == "branch")
    expected = (
        select(Member.branch_id, func.count().label("expected"))
        .where(Member.active.is_(True), Member.branch_path.startswith(scope, autoescape=True))
        .group_by(Member.branch_id)
        .subquery()
    )
    took = (
        select(Attempt.branch_id, func.count(distinct(Attempt.member_id)).label("took"))
        .where(
            Attempt.quiz_id == quiz_id,
            Attempt.submitted_at.is_not(None),
            Attempt.branch_path.startswith(scope, autoescape=True),
        )
        .group_by(Attempt.branch_id)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(org_nodes).where(branches))
    rows = session.execute(
        select(
            org_nodes.c.org_id,
            org_nodes.c.name,
            func.coalesce(took.c.took, 0).label("took"),
            func.coalesce(expected.c.expected, 0).label("expected"),
        )
        .outerjoin(took, took.c.branch_id == org_nodes.c.org_id)
        .outerjoin(expected, expected.c.branch_id == org_nodes.c.org_id)
        .where(branches)
        .order_by(org_nodes.c.path)
        .offset(offset)
        .limit(limit)
    )
    items = [
        {
            "branch_id": row.org_id,
            "name": row.name,
            "took": row.took,
            "expected": row.expected,
            "rate": round(row.took / row.expected, 4) if row.expected else None,
        }
        for row in rows
    ]
    sums = session.execute(
        select(func.coalesce(func.sum(took.c.took), 0), func.coalesce(func.sum(expected.c.expected), 0))
        .select_from(
            org_nodes.outerjoin(took, took.c.branch_id == org_nodes.c.org_id).outerjoin(
                expected, expected.c.branch_id == org_nodes.c.org_id
            )
        )
        .where(branches)
    ).one()
    return {
        "items": items,
        "total": total,
        "page": page_number,
        "page_size": page_size,
        "took": int(sums[0]),
        "expected": int(sums[1]),
    }


def branch_month(session: Session, branch_id: str, branch_path: str, month: str) -> dict:
    """A branch's participation over the month's quizzes that reach it: the members' first submissions (one per
    member and quiz) against its active members once per quiz."""
    reaching = select(Quiz.id).where(Quiz.month == month, Quiz.org_path.in_(quizzes.ancestors(branch_path)))
    quiz_count = session.scalar(select(func.count()).select_from(reaching.subquery()))
    members = session.scalar(
        select(func.count()).select_from(Member).where(Member.branch_id == branch_id, Member.active.is_(True))
    )
    took = session.scalar(
        select(func.count()).select_from(
            select(Attempt.quiz_id, Attempt.member_id)
            .where(
                Attempt.branch_id == branch_id,
                Attempt.submitted_at.is_not(None),
                Attempt.quiz_id.in_(reaching),
            )
            .distinct()
            .subquery()
        )
    )
    return {
        "branch_id": branch_id,
        "branch_path": branch_path,
        "month": month,
        "took": took,
        "expected": max(quiz_count * members, took),
    }
