"""Quizzes on directives and micro lessons: created for an organisation the directive reaches from its bank,
listed for an organisation (those it set and those set above that reach it), paged in SQL."""

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_common.rpc import UNREACHABLE, unreachable
from partyday_quizzes import bank, rules
from partyday_quizzes.models import Directive, Quiz


def ancestors(path: str) -> list[str]:
    """The paths of a node and of every node above it: "/a/b/" → ["/a/", "/a/b/"]."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]


def state(quiz: Quiz, now) -> str:
    if now < quiz.opens_at:
        return "upcoming"
    return "open" if now < quiz.closes_at else "closed"


def view(quiz: Quiz, now, theme: str | None = None) -> dict:
    return {
        "quiz_id": quiz.id,
        "directive_id": quiz.directive_id,
        "directive_theme": theme,
        "lesson_id": quiz.lesson_id,
        "lesson_title": quiz.lesson_title,
        "org_id": quiz.org_id,
        "org_path": quiz.org_path,
        "month": quiz.month,
        "title": quiz.title,
        "question_count": quiz.draw_count or len(quiz.question_ids),
        "pool_size": len(quiz.question_ids),
        "draw_count": quiz.draw_count,
        "opens_at": quiz.opens_at.isoformat(),
        "closes_at": quiz.closes_at.isoformat(),
        "max_attempts": quiz.max_attempts,
        "time_limit_minutes": quiz.time_limit_minutes,
        "state": state(quiz, now),
        "created_by": quiz.created_by,
        "created_at": quiz.created_at.isoformat(),
    }


def lesson_title(media, body) -> str | None:
    """The title of the quiz's micro lesson, a study material media keeps (404 STUDY_MATERIAL_NOT_FOUND when it
    keeps none) of the quiz's directive (422 LESSON_NOT_OF_DIRECTIVE); None for a quiz on the directive alone. 503
    SERVICE_UNAVAILABLE when media cannot be reached."""
    if body.lesson_id is None:
        return None
    try:
        material = media.material(body.lesson_id)
    except UNREACHABLE as exc:
        raise unreachable("media", exc) from exc
    return rules.lesson_title(material, body.directive_id)


def create(session: Session, body, lesson_title: str | None, created_by: str | None, now) -> dict:
    """A quiz for the members under `org_id`, which the directive must reach, from that organisation's bank;
    `lesson_title` is its micro lesson's, as `lesson_title()` found it."""
    directive = session.get(Directive, body.directive_id)
    if directive is None:
        raise not_found("directive", body.directive_id)
    path = bank.org_path(session, body.org_id)
    if not path.startswith(directive.org_path):
        raise DomainError(
            "ORG_NOT_REACHED", "the directive does not reach this organisation", 422, {"org_id": body.org_id}
        )
    rules.check_window(body.opens_at, body.closes_at)
    pool = bank.active_ids(session, body.org_id, body.question_ids or None)
    if not pool:
        raise DomainError("BANK_EMPTY", "the organisation's bank has no question to draw", 422)
    if body.draw_count is not None and body.draw_count > len(pool):
        raise DomainError(
            "DRAW_COUNT_TOO_LARGE",
            "a quiz draws at most the questions it may draw from",
            422,
            {"draw_count": body.draw_count, "pool": len(pool)},
        )
    quiz = Quiz(
        id=uuid.uuid4().hex,
        directive_id=directive.directive_id,
        lesson_id=body.lesson_id,
        lesson_title=lesson_title,
        org_id=body.org_id,
        org_path=path,
        month=directive.month,
        title=body.title,
        question_ids=pool,
        draw_count=body.draw_count,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        max_attempts=body.max_attempts,
        time_limit_minutes=body.time_limit_minutes,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(quiz)
    session.flush()
    audit.record(
        session,
        "quiz_created",
        "quiz",
        quiz.id,
        path,
        {"directive_id": quiz.directive_id, "lesson_id": quiz.lesson_id, "title": quiz.title},
    )
    return view(quiz, now, directive.theme)


def get(session: Session, quiz_id: str) -> Quiz:
    found = session.get(Quiz, quiz_id)
    if found is None:
        raise not_found("quiz", quiz_id)
    return found


def details(session: Session, quiz_id: str, now) -> dict:
    quiz = get(session, quiz_id)
    directive = session.get(Directive, quiz.directive_id)
    return view(quiz, now, directive.theme if directive else None)


def reaching_filter(path: str):
    """Quizzes set within the subtree at `path`, or set above it and reaching it."""
    return or_(Quiz.org_path.startswith(path, autoescape=True), Quiz.org_path.in_(ancestors(path)))


def page(session: Session, path: str, page_number: int, page_size: int, now, directive_id: str | None = None) -> dict:
    """The quizzes an organisation set or that reach it, newest first."""
    offset, limit = page_bounds(page_number, page_size)
    conditions = [reaching_filter(path)]
    if directive_id:
        conditions.append(Quiz.directive_id == directive_id)
    total = session.scalar(select(func.count()).select_from(Quiz).where(*conditions))
    rows = session.execute(
        select(Quiz, Directive.theme)
        .outerjoin(Directive, Directive.directive_id == Quiz.directive_id)
        .where(*conditions)
        .order_by(Quiz.created_at.desc(), Quiz.id)
        .offset(offset)
        .limit(limit)
    )
    return {
        "items": [view(quiz, now, theme) for quiz, theme in rows],
        "total": total,
        "page": page_number,
        "page_size": page_size,
    }
