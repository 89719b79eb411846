"""Comments, their reports and their moderation: a visible comment counts in its activity's score; enough
reports hide it for a moderator, who restores or removes it; its author is told each time."""

import uuid
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import emit
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_scoring import scores, tree
from partyday_scoring.models import Comment, CommentReport
from partyday_scoring_contracts.events import CommentHidden, CommentModerated


def comment(session: Session, activity_id: str, member_id: str, text: str, now: datetime) -> dict:
    act = scores.activity(session, activity_id, lock=True)
    found = Comment(
        id=uuid.uuid4().hex,
        activity_id=activity_id,
        branch_path=act.branch_path,
        member_id=member_id,
        text=text,
        status="visible",
        reports=0,
        created_at=now,
    )
    session.add(found)
    scores.rescore(session, act, now)
    return view(found)


def get(session: Session, comment_id: str, lock: bool = False) -> Comment:
    found = session.get(Comment, comment_id, with_for_update=lock)
    if found is None:
        raise not_found("comment", comment_id)
    return found


def scope(session: Session, comment_id: str) -> dict:
    """The comment's activity and branch, for the gateway's scope checks."""
    act = scores.activity(session, get(session, comment_id).activity_id)
    return {"comment_id": comment_id, "activity_id": act.activity_id, "branch_id": act.branch_id}


def report(
    session: Session, comment_id: str, reporter_id: str, reason: str | None, threshold: int, now: datetime
) -> dict:
    """A report; the `threshold`-th hides the comment for a moderator and tells its author."""
    found = get(session, comment_id, lock=True)
    if found.member_id == reporter_id:
        raise DomainError("OWN_COMMENT", "you cannot report your own comment", 422)
    if found.status == "removed":
        raise DomainError("COMMENT_REMOVED", "this comment was already removed", 422)
    try:
        with session.begin_nested():
            session.execute(
                insert(CommentReport).values(
                    comment_id=comment_id, reporter_id=reporter_id, reason=reason, reported_at=now
                )
            )
    except IntegrityError:
        raise DomainError("ALREADY_REPORTED", "you have already reported this comment", 409)
    found.reports += 1
    if found.status == "visible" and found.moderated_by is None and found.reports >= threshold:
        found.status, found.hidden_at = "hidden", now
        emit(
            session,
            "comment_hidden",
            CommentHidden(
                comment_id=found.id,
                activity_id=found.activity_id,
                author_id=found.member_id,
                reports=found.reports,
                at=now,
            ).model_dump(mode="json"),
        )
        scores.rescore(session, scores.activity(session, found.activity_id, lock=True), now)
    return {"comment_id": found.id, "reports": found.reports, "status": found.status}


def moderate(session: Session, comment_id: str, decision: str, moderator_id: str, now: datetime) -> dict:
    """A moderator restores a hidden comment (it stays visible for good) or removes it; its author is told."""
    found = get(session, comment_id, lock=True)
    if found.status != "hidden":
        raise DomainError(
            "NOT_AWAITING_MODERATION", "only a hidden comment awaits a moderator", 422, {"status": found.status}
        )
    found.status = "visible" if decision == "restore" else "removed"
    found.moderated_by = moderator_id
    emit(
        session,
        "comment_moderated",
        CommentModerated(
            comment_id=found.id, activity_id=found.activity_id, author_id=found.member_id, decision=decision, at=now
        ).model_dump(mode="json"),
    )
    scores.rescore(session, scores.activity(session, found.activity_id, lock=True), now)
    audit.record(
        session, f"comment.{decision}", "comment", found.id, found.branch_path, {"activity_id": found.activity_id}
    )
    return view(found)


def _page(session: Session, where: tuple, order: tuple, offset: int, limit: int) -> dict:
    rows = session.scalars(select(Comment).where(*where).order_by(*order).offset(offset).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(Comment).where(*where))
    return {"items": [view(row) for row in rows], "total": total}


def visible(session: Session, activity_id: str, page: int, page_size: int) -> dict:
    """The visible comments of an activity, oldest first, one page of them."""
    offset, limit = page_bounds(page, page_size)
    scores.activity(session, activity_id)
    found = _page(
        session,
        (Comment.activity_id == activity_id, Comment.status == "visible"),
        (Comment.created_at, Comment.id),
        offset,
        limit,
    )
    return {**found, "page": page, "page_size": page_size}


def authored(session: Session, member_id: str, page: int, page_size: int) -> dict:
    """A member's own comments, newest first, whatever their status: how an author learns that one was
    hidden for moderation, restored or removed."""
    offset, limit = page_bounds(page, page_size)
    found = _page(session, (Comment.member_id == member_id,), (Comment.created_at.desc(), Comment.id), offset, limit)
    return {**found, "page": page, "page_size": page_size}


def queue(session: Session, org_id: str, page: int, page_size: int, exclude_path: str | None = None) -> dict:
    """Hidden comments of the node's subtree awaiting a moderator, oldest first, but those of `exclude_path`'s
    branch."""
    offset, limit = page_bounds(page, page_size)
    where = (
        Comment.status == "hidden",
        Comment.branch_path.startswith(tree.find_node(session, org_id)["path"], autoescape=True),
    )
    if exclude_path:
        where += (Comment.branch_path != exclude_path,)
    return {
        **_page(session, where, (Comment.hidden_at, Comment.id), offset, limit),
        "page": page,
        "page_size": page_size,
    }


def view(found: Comment) -> dict:
    return {
        "comment_id": found.id,
        "activity_id": found.activity_id,
        "member_id": found.member_id,
        "text": found.text,
        "status": found.status,
        "reports": found.reports,
        "created_at": found.created_at.isoformat(),
    }
