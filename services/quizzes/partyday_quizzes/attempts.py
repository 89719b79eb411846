"""Members' attempts: started inside the window while attempts remain (a running one is resumed), with the
deadline recorded on the server; answers taken until the deadline plus the grace, scored at once; the member's
own quizzes with their state and best score."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import emit
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.idempotency import once
from partyday_common.pagination import page_bounds
from partyday_quizzes import bank, participation, quizzes, rules
from partyday_quizzes.models import Attempt, Directive, Quiz


def view(attempt: Attempt, now, grace_s: float) -> dict:
    """An attempt as its member sees it: the questions without their answers while it runs, the score after."""
    found = {
        "attempt_id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "number": attempt.number,
        "started_at": attempt.started_at.isoformat(),
        "deadline_at": attempt.deadline_at.isoformat(),
        "seconds_left": max(0, int((attempt.deadline_at - now).total_seconds())),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "running": rules.is_running(attempt.submitted_at, attempt.deadline_at, grace_s, now),
        "total": attempt.total,
        "correct": attempt.correct,
        "score": attempt.score,
        "questions": [
            {"id": question["id"], "kind": question["kind"], "text": question["text"], "options": question["options"]}
            for question in attempt.questions
        ],
    }
    return found


def _attempts(session: Session, quiz_id: str, member_id: str, lock: bool = False) -> list[Attempt]:
    query = select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.member_id == member_id).order_by(Attempt.number)
    return list(session.scalars(query.with_for_update() if lock else query))


def _reached(quiz: Quiz, taker) -> None:
    if not rules.in_reach(taker.branch_path, quiz.org_path):
        raise DomainError("QUIZ_NOT_FOR_YOU", "this quiz is not set for your branch", 403, {"quiz_id": quiz.id})


def start(session: Session, quiz_id: str, taker, now, grace_s: float) -> dict:
    """A new attempt with the questions drawn for it and its deadline; the running attempt when there is one."""
    quiz = quizzes.get(session, quiz_id)
    _reached(quiz, taker)
    existing = _attempts(session, quiz_id, taker.member_id, lock=True)
    running = [a for a in existing if rules.is_running(a.submitted_at, a.deadline_at, grace_s, now)]
    if running:
        return view(running[0], now, grace_s)
    rules.check_can_start(quiz.opens_at, quiz.closes_at, quiz.max_attempts, len(existing), now)
    pool = bank.still_active(session, quiz.question_ids)
    if not pool:
        raise DomainError("QUIZ_HAS_NO_QUESTIONS", "every question of this quiz was removed from the bank", 422)
    questions = bank.snapshots(session, rules.draw(pool, quiz.draw_count))
    attempt = Attempt(
        id=uuid.uuid4().hex,
        quiz_id=quiz.id,
        member_id=taker.member_id,
        branch_id=taker.branch_id,
        branch_path=taker.branch_path,
        number=len(existing) + 1,
        questions=questions,
        started_at=now,
        deadline_at=rules.deadline(now, quiz.time_limit_minutes, quiz.closes_at),
        total=len(questions),
    )
    session.add(attempt)
    session.flush()
    return view(attempt, now, grace_s)


def start_once(transaction, quiz_id: str, taker, now, grace_s: float, idempotency_key: str | None) -> dict:
    """`start` in a transaction of its own, honouring the Idempotency-Key. Two starts of one member at once both
    find no attempt and both number theirs 1; the one that commits second breaks the unique attempt number and is
    tried once more, when it finds the other's attempt running and resumes it."""
    request = {"quiz_id": quiz_id, "taker": taker.model_dump()}

    def run() -> dict:
        with transaction() as session:
            return once(
                session, "start_attempt", idempotency_key, request, lambda: start(session, quiz_id, taker, now, grace_s)
            )

    try:
        return run()
    except IntegrityError:
        return run()


def get_own(session: Session, attempt_id: str, member_id: str, lock: bool = False) -> Attempt:
    found = session.get(Attempt, attempt_id, with_for_update=lock)
    if found is None or found.member_id != member_id:
        raise not_found("attempt", attempt_id)
    return found


def submit(session: Session, attempt_id: str, member_id: str, answers: dict, now, grace_s: float) -> dict:
    """Score the member's answers if they came in time; a member's first submission at a quiz changes their
    branch's participation, which is announced."""
    attempt = get_own(session, attempt_id, member_id, lock=True)
    if attempt.submitted_at is not None:
        raise DomainError("ATTEMPT_SUBMITTED", "this attempt was already submitted", 409, {"attempt_id": attempt.id})
    rules.check_in_time(attempt.deadline_at, grace_s, now)
    _check_answers(attempt.questions, answers)
    first = not any(other.submitted_at for other in _attempts(session, attempt.quiz_id, member_id))
    scored = rules.score_attempt(attempt.questions, answers)
    attempt.answers, attempt.submitted_at = answers, now
    attempt.correct, attempt.score = scored["correct"], scored["score"]
    session.flush()
    if first:
        quiz = quizzes.get(session, attempt.quiz_id)
        emit(
            session,
            "quiz_participation_changed",
            participation.branch_month(session, attempt.branch_id, attempt.branch_path, quiz.month),
        )
    return view(attempt, now, grace_s)


def _check_answers(questions: list[dict], answers: dict) -> None:
    by_id = {question["id"]: question for question in questions}
    for question_id, chosen in answers.items():
        question = by_id.get(question_id)
        if question is None:
            raise invalid("ANSWER_UNKNOWN_QUESTION", "an answer names a question of this attempt", id=question_id)
        if any(not 0 <= index < len(question["options"]) for index in chosen) or len(set(chosen)) != len(chosen):
            raise invalid("ANSWER_NOT_AN_OPTION", "an answer names each chosen option once", id=question_id)
        if question["kind"] != "multiple" and len(chosen) > 1:
            raise invalid("ONE_ANSWER_ONLY", "this question takes one answer", id=question_id)


def mine(session: Session, taker, page_number: int, page_size: int, now, grace_s: float) -> dict:
    """The quizzes that reach the member's branch, newest first, each with the attempts used, the running one and
    the best score."""
    offset, limit = page_bounds(page_number, page_size)
    condition = Quiz.org_path.in_(quizzes.ancestors(taker.branch_path))
    total = session.scalar(select(func.count()).select_from(Quiz).where(condition))
    rows = list(
        session.execute(
            select(Quiz, Directive.theme)
            .outerjoin(Directive, Directive.directive_id == Quiz.directive_id)
            .where(condition)
            .order_by(Quiz.closes_at.desc(), Quiz.id)
            .offset(offset)
            .limit(limit)
        )
    )
    ids = [quiz.id for quiz, _ in rows]
    taken: dict[str, list[Attempt]] = {}
    for attempt in session.scalars(
        select(Attempt).where(Attempt.quiz_id.in_(ids), Attempt.member_id == taker.member_id).order_by(Attempt.number)
    ):
        taken.setdefault(attempt.quiz_id, []).append(attempt)
    items = []
    for quiz, theme in rows:
        own = taken.get(quiz.id, [])
        best = rules.best([{"score": a.score, "number": a.number} for a in own])
        running = next((a for a in own if rules.is_running(a.submitted_at, a.deadline_at, grace_s, now)), None)
        items.append(
            {
                **quizzes.view(quiz, now, theme),
                "attempts_used": len(own),
                "attempts_left": max(0, quiz.max_attempts - len(own)),
                "running_attempt_id": running.id if running else None,
                "best_score": best["score"] if best else None,
            }
        )
    return {"items": items, "total": total, "page": page_number, "page_size": page_size}
