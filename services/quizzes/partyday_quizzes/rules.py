"""The quiz rules as plain functions, testable without a bus: what a question is, which micro lesson a quiz may be
on, how an attempt is scored, when a member may start one and when their answers are still taken, which attempt
counts."""

import random
from datetime import datetime, timedelta

from partyday_common.errors import DomainError, invalid

TRUE_FALSE_OPTIONS = ["对", "错"]


def check_question(kind: str, options: list[str], answer: list[int]) -> tuple[list[str], list[int]]:
    """The question's options and sorted answer indexes, or the reason it is malformed: single and multiple
    choice need two to six options, a true/false question takes none (its options are 对 and 错); single choice
    and true/false have one right option, multiple choice at least one; every answer names an option."""
    if kind == "true_false":
        if options and options != TRUE_FALSE_OPTIONS:
            raise invalid("OPTIONS_NOT_ALLOWED", "a true/false question has no options of its own")
        options = list(TRUE_FALSE_OPTIONS)
    elif not 2 <= len(options) <= 6:
        raise invalid("OPTIONS_COUNT", "a choice question has two to six options", options=len(options))
    chosen = sorted(set(answer))
    if len(chosen) != len(answer):
        raise invalid("ANSWER_REPEATED", "an answer names each option once")
    if not chosen or any(not 0 <= index < len(options) for index in chosen):
        raise invalid("ANSWER_NOT_AN_OPTION", "every answer names one of the options", options=len(options))
    if kind in ("single", "true_false") and len(chosen) != 1:
        raise invalid("ONE_ANSWER_ONLY", "a single-choice or true/false question has exactly one right answer")
    return options, chosen


def score_attempt(questions: list[dict], answers: dict[str, list[int]]) -> dict:
    """The attempt's score out of 100: each question counts alike, and is right only when the options chosen
    are exactly the right ones (multiple choice is all-or-nothing); an unanswered question is wrong."""
    total = len(questions)
    correct = sum(1 for question in questions if sorted(set(answers.get(question["id"]) or [])) == question["answer"])
    return {"correct": correct, "total": total, "score": round(100.0 * correct / total, 2) if total else 0.0}


def check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise invalid("WINDOW_INVALID", "a quiz closes after it opens")


def lesson_title(material: dict, directive_id: str) -> str:
    """The title a quiz keeps of its micro lesson, which must be a study material of the quiz's directive."""
    if material["directive_id"] != directive_id:
        raise DomainError(
            "LESSON_NOT_OF_DIRECTIVE",
            "the lesson is not a study material of this directive",
            422,
            {"lesson_id": material["material_id"]},
        )
    return material["title"]


def check_can_start(opens_at: datetime, closes_at: datetime, max_attempts: int, used: int, now: datetime) -> None:
    """A member starts an attempt only inside the quiz's window and while attempts remain."""
    if now < opens_at:
        raise DomainError("QUIZ_NOT_OPEN", "the quiz is not open yet", 422, {"opens_at": opens_at.isoformat()})
    if now >= closes_at:
        raise DomainError("QUIZ_CLOSED", "the quiz is closed", 422, {"closes_at": closes_at.isoformat()})
    if used >= max_attempts:
        raise DomainError(
            "ATTEMPTS_EXHAUSTED", "no attempt left at this quiz", 422, {"max_attempts": max_attempts, "used": used}
        )


def deadline(started_at: datetime, time_limit_minutes: int, closes_at: datetime) -> datetime:
    """An attempt's deadline: its time limit from the start, and never after the quiz closes."""
    return min(started_at + timedelta(minutes=time_limit_minutes), closes_at)


def check_in_time(deadline_at: datetime, grace_s: float, now: datetime) -> None:
    """Answers are taken until the deadline plus a grace for the network's delay; later ones are refused."""
    if now > deadline_at + timedelta(seconds=grace_s):
        raise DomainError(
            "TIME_LIMIT_EXCEEDED",
            "the answers came after the attempt's time limit",
            422,
            {"deadline_at": deadline_at.isoformat()},
        )


def is_running(submitted_at: datetime | None, deadline_at: datetime, grace_s: float, now: datetime) -> bool:
    return submitted_at is None and now <= deadline_at + timedelta(seconds=grace_s)


def draw(pool: list[str], draw_count: int | None, rng: random.Random | None = None) -> list[str]:
    """The questions of one attempt: the whole pool in its order, or `draw_count` of it at random."""
    if draw_count is None or draw_count >= len(pool):
        return list(pool)
    return (rng or random.SystemRandom()).sample(pool, draw_count)


def best(attempts: list[dict]) -> dict | None:
    """The attempt that counts: the highest score, the earliest of equal ones; unsubmitted attempts do not."""
    submitted = [attempt for attempt in attempts if attempt.get("score") is not None]
    if not submitted:
        return None
    return sorted(submitted, key=lambda attempt: (-attempt["score"], attempt["number"]))[0]


def in_reach(branch_path: str, quiz_org_path: str) -> bool:
    """A quiz reaches the members of the branches under its organisation."""
    return branch_path.startswith(quiz_org_path)
