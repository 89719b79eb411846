"""Rectification notices (整改): a superior tells a branch to fix something by a date; the branch answers with
what it did, and the superior closes the notice or reopens it."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_plans.announcements import announce
from partyday_plans.models import Rectification
from partyday_plans.nodes import branch, node
from partyday_plans.paging import counted_page
from partyday_plans_contracts.events import RectificationIssued
from partyday_plans_contracts.rpc import RectificationAnswer, RectificationCreate

# action: (states it may start from, state it leads to)
MOVES = {
    "answer": ({"open"}, "answered"),
    "close": ({"answered"}, "closed"),
    "reopen": ({"answered", "closed"}, "open"),
}


def rectification_view(notice: Rectification) -> dict:
    return {
        "rectification_id": notice.id,
        "branch_id": notice.branch_id,
        "issue": notice.issue,
        "due_on": notice.due_on.isoformat(),
        "status": notice.status,
        "answer": notice.answer_text,
        "answer_media_ids": notice.answer_media_ids or [],
        "reopened_count": notice.reopened_count,
    }


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
        RectificationIssued(
            rectification_id=notice.id,
            branch_id=notice.branch_id,
            branch_path=notice.branch_path,
            issue=notice.issue,
            due_on=notice.due_on,
        ),
    )
    return rectification_view(notice)


def get_rectification(session: Session, rectification_id: str) -> Rectification:
    notice = session.get(Rectification, rectification_id)
    if notice is None:
        raise not_found("rectification", rectification_id)
    return notice


def scoped_view(notice: Rectification) -> dict:
    """The notice with the path of its branch, for the gateway's scope checks."""
    return {**rectification_view(notice), "branch_path": notice.branch_path}


def move_rectification(
    session: Session, rectification_id: str, action: str, answer: RectificationAnswer | None = None
) -> dict:
    """Answer, close or reopen a notice; 409 when its state does not allow it."""
    notice = get_rectification(session, rectification_id)
    allowed, target = MOVES[action]
    if notice.status not in allowed:
        raise DomainError(
            "RECTIFICATION_STATE_CONFLICT",
            f"a {notice.status} notice cannot be {action}ed",
            409,
            {"status": notice.status, "action": action, "allowed_from": sorted(allowed)},
        )
    notice.status = target
    if action == "answer":
        notice.answer_text, notice.answer_media_ids, notice.answered_at = answer.text, answer.media_ids, utcnow()
    elif action == "close":
        notice.closed_at = utcnow()
    else:
        notice.reopened_count += 1
    return rectification_view(notice)


def rectifications_page(session: Session, org_id: str, overdue_on: date | None, page: int, page_size: int) -> dict:
    """Notices of the subtree, newest first; with `overdue_on`, those open or answered past their due date then."""
    offset, limit = page_bounds(page, page_size)
    query = select(Rectification).where(
        Rectification.branch_path.startswith(node(session, org_id)["path"], autoescape=True)
    )
    if overdue_on is not None:
        query = query.where(Rectification.status != "closed", Rectification.due_on < overdue_on)
    total, found = counted_page(session, query.order_by(Rectification.issued_at.desc()), offset, limit)
    return {
        "items": [rectification_view(n) for n in found.scalars()],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
