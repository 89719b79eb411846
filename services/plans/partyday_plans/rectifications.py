"""Rectification notices (整改): a superior tells a branch to fix something by a date; the branch answers with
what it did, and a superior closes the notice or reopens it. Every answer, close and reopening is kept as an
entry of the notice's history (`rectification_entries`), never overwritten. A notice still open or answered the
day after it was due is announced overdue once (`announce_overdue`, from the deadline round)."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.pagination import page_bounds
from partyday_plans.announcements import announce
from partyday_plans.models import Rectification, RectificationEntry
from partyday_plans.nodes import branch, node
from partyday_plans.paging import counted_page
from partyday_plans.schedules import ScheduleBook
from partyday_plans_contracts.events import (
    RectificationAnswered,
    RectificationIssued,
    RectificationOverdue,
    RectificationReopened,
)
from partyday_plans_contracts.rpc import RectificationAnswer, RectificationCreate, RectificationReview

# action: (states it may start from, state it leads to, the act its history entry records)
MOVES = {
    "answer": ({"open"}, "answered", "answered"),
    "close": ({"answered"}, "closed", "closed"),
    "reopen": ({"answered", "closed"}, "open", "reopened"),
}
# The moves someone is told of: the issuer of an answer, the branch of a reopening.
STATUSES = ("open", "answered", "closed")
ANNOUNCED = {"answer": RectificationAnswered, "reopen": RectificationReopened}


def check_move(
    status: str, action: str, actor_id: str | None, issued_by: str | None, last_answer_by: str | None
) -> str:
    """The state `action` leads a notice to, if it may be taken: 409 from a state that does not allow it; 403
    `ISSUER_CANNOT_ANSWER` when the one who issued the notice answers it, and 403 `OWN_ANSWER` when the one who
    wrote its latest answer closes or reopens it (those who judge an answer are not those who gave it)."""
    allowed, target, _ = MOVES[action]
    if status not in allowed:
        raise DomainError(
            "RECTIFICATION_STATE_CONFLICT",
            f"a {status} notice cannot be {action}ed",
            409,
            {"status": status, "action": action, "allowed_from": sorted(allowed)},
        )
    if actor_id is None:
        return target
    if action == "answer" and actor_id == issued_by:
        raise DomainError(
            "ISSUER_CANNOT_ANSWER", "the branch answers a notice, not the one who issued it", 403, {"action": action}
        )
    if action != "answer" and actor_id == last_answer_by:
        raise DomainError(
            "OWN_ANSWER", "nobody closes or reopens a notice after answering it themselves", 403, {"action": action}
        )
    return target


def announced_fields(notice: Rectification) -> dict:
    """What every event of a notice says of it."""
    return {
        "rectification_id": notice.id,
        "branch_id": notice.branch_id,
        "branch_path": notice.branch_path,
        "issue": notice.issue,
        "due_on": notice.due_on,
    }


def entry_view(entry: RectificationEntry) -> dict:
    return {
        "act": entry.act,
        "text": entry.text,
        "media_ids": entry.media_ids or [],
        "actor_id": entry.actor_id,
        "at": entry.at.isoformat(),
    }


def rectification_view(notice: Rectification, history: list[RectificationEntry]) -> dict:
    """The notice with its whole history, oldest first; `answer` and `answer_media_ids` repeat the latest answer."""
    answers = [entry for entry in history if entry.act == "answered"]
    return {
        "rectification_id": notice.id,
        "branch_id": notice.branch_id,
        "branch_path": notice.branch_path,
        "issue": notice.issue,
        "due_on": notice.due_on.isoformat(),
        "status": notice.status,
        "issued_by": notice.issued_by,
        "issued_at": notice.issued_at.isoformat(),
        "answer": answers[-1].text if answers else None,
        "answer_media_ids": (answers[-1].media_ids or []) if answers else [],
        "reopened_count": notice.reopened_count,
        "history": [entry_view(entry) for entry in history],
    }


def histories(session: Session, rectification_ids: list[str]) -> dict[str, list[RectificationEntry]]:
    """The history of each notice, oldest first, read in one query."""
    found: dict[str, list[RectificationEntry]] = {rectification_id: [] for rectification_id in rectification_ids}
    query = (
        select(RectificationEntry)
        .where(RectificationEntry.rectification_id.in_(rectification_ids))
        .order_by(RectificationEntry.id)
    )
    for entry in session.scalars(query):
        found[entry.rectification_id].append(entry)
    return found


def issue_rectification(session: Session, request: RectificationCreate, today: date) -> dict:
    """A notice to a branch, due today or later."""
    home = branch(session, request.branch_id)
    if request.due_on < today:
        raise DomainError("DUE_DATE_PASSED", "a rectification is due today or later", 422)
    notice = Rectification(
        id=uuid.uuid4().hex,
        branch_id=home["org_id"],
        branch_path=home["path"],
        issue=request.issue,
        due_on=request.due_on,
        status="open",
        issued_by=session.info.get("actor_id"),
        issued_at=utcnow(),
        reopened_count=0,
    )
    session.add(notice)
    announce(
        session,
        RectificationIssued(**announced_fields(notice)),
    )
    audit.record(
        session, "rectification.issue", "rectification", notice.id, notice.branch_path, {"due_on": str(notice.due_on)}
    )
    return rectification_view(notice, [])


def get_rectification(session: Session, rectification_id: str, lock: bool = False) -> Rectification:
    notice = session.get(Rectification, rectification_id, with_for_update=lock)
    if notice is None:
        raise not_found("rectification", rectification_id)
    return notice


def read_rectification(session: Session, rectification_id: str) -> dict:
    """The notice with its whole history and the path of its branch (for the gateway's scope checks)."""
    notice = get_rectification(session, rectification_id)
    return rectification_view(notice, histories(session, [notice.id])[notice.id])


def _move(session: Session, rectification_id: str, action: str, text: str | None, media_ids: list[str]) -> dict:
    """Take `action` on the notice (locked, so two moves at once take turns) and add it to its history."""
    notice = get_rectification(session, rectification_id, lock=True)
    history = histories(session, [notice.id])[notice.id]
    answers = [entry for entry in history if entry.act == "answered"]
    actor_id = session.info.get("actor_id")
    notice.status = check_move(
        notice.status, action, actor_id, notice.issued_by, answers[-1].actor_id if answers else None
    )
    now = utcnow()
    if action == "close":
        notice.closed_at = now
    elif action == "reopen":
        notice.closed_at = None
        notice.reopened_count += 1
    entry = RectificationEntry(
        rectification_id=notice.id, act=MOVES[action][2], text=text, media_ids=media_ids, actor_id=actor_id, at=now
    )
    session.add(entry)
    if action in ANNOUNCED:
        moved = ANNOUNCED[action](
            **announced_fields(notice),
            status=notice.status,
            issued_by=notice.issued_by,
        )
        announce(session, moved)
    audit.record(
        session,
        f"rectification.{action}",
        "rectification",
        notice.id,
        notice.branch_path,
        {"text": text, "media_ids": media_ids},
    )
    return rectification_view(notice, [*history, entry])


def answer_rectification(session: Session, rectification_id: str, answer: RectificationAnswer) -> dict:
    """The branch's answer: what it did, with the media that show it."""
    return _move(session, rectification_id, "answer", answer.text, answer.media_ids)


def close_rectification(session: Session, rectification_id: str, review: RectificationReview) -> dict:
    """A superior accepts the latest answer and closes the notice."""
    return _move(session, rectification_id, "close", review.comment, [])


def reopen_rectification(session: Session, rectification_id: str, review: RectificationReview) -> dict:
    """A superior is not satisfied: the branch must answer again."""
    return _move(session, rectification_id, "reopen", review.comment, [])


def rectifications_page(
    session: Session, org_id: str, overdue_on: date | None, page: int, page_size: int, status: str | None = None
) -> dict:
    """Notices of the subtree, newest first, each with its history; with `overdue_on`, those open or answered past
    their due date then; with `status`, those in it (open, answered, closed)."""
    if status not in (None, *STATUSES):
        raise invalid("RECTIFICATION_STATUS_INVALID", "status is open, answered or closed", status=status)
    offset, limit = page_bounds(page, page_size)
    query = select(Rectification).where(
        Rectification.branch_path.startswith(node(session, org_id)["path"], autoescape=True)
    )
    if overdue_on is not None:
        query = query.where(Rectification.status != "closed", Rectification.due_on < overdue_on)
    if status is not None:
        query = query.where(Rectification.status == status)
    total, found = counted_page(session, query.order_by(Rectification.issued_at.desc()), offset, limit)
    notices = list(found.scalars())
    history = histories(session, [notice.id for notice in notices])
    return {
        "items": [rectification_view(notice, history[notice.id]) for notice in notices],
        "total": total,
        "page": page,
        "page_size": page_size,
    }


def overdue_since(due_on: date, time_zone: str) -> datetime:
    """When a notice due on `due_on` becomes overdue: midnight after that day where its branch keeps time."""
    return datetime.combine(due_on, time(0), ZoneInfo(time_zone)) + timedelta(days=1)


def is_overdue(due_on: date, now: datetime, time_zone: str) -> bool:
    """Whether a notice due on `due_on` is overdue at `now` (from the day after it was due, locally)."""
    return now >= overdue_since(due_on, time_zone)


def announce_overdue(session: Session, now: datetime) -> int:
    """Announce each notice still open or answered past its due date, once per notice (`overdue_announced_at`
    stays set when it is reopened, whose own event tells the branch again); how many. One query finds the
    candidates due before the latest local date of any schedule's time zone, locked past another replica's round;
    each is then checked in its own branch's time zone, and one not yet overdue there waits for a later round."""
    book = ScheduleBook(session, [])
    zones = {schedule.time_zone for schedule in book.own.values()} | {book.for_path("/").time_zone}
    latest_day = max(now.astimezone(ZoneInfo(zone)).date() for zone in zones)
    candidates = session.scalars(
        select(Rectification)
        .where(
            Rectification.overdue_announced_at.is_(None),
            Rectification.status != "closed",
            Rectification.due_on < latest_day,
        )
        .order_by(Rectification.due_on, Rectification.id)
        .with_for_update(skip_locked=True)
    )
    announced = 0
    for notice in candidates:
        time_zone = book.for_path(notice.branch_path).time_zone
        if not is_overdue(notice.due_on, now, time_zone):
            continue
        notice.overdue_announced_at = now
        announce(
            session,
            RectificationOverdue(
                **announced_fields(notice),
                status=notice.status,
                issued_by=notice.issued_by,
                overdue_since=overdue_since(notice.due_on, time_zone),
            ),
        )
        announced += 1
    return announced
