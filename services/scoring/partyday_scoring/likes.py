"""Likes: one per member per activity; a mobile member's like counts in the score."""

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError
from partyday_scoring import scores
from partyday_scoring.models import Like


def like(session: Session, activity_id: str, member_id: str, now: datetime) -> dict:
    """One like per member per activity; a second is refused, however many arrive at once."""
    act = scores.activity(session, activity_id, lock=True)
    try:
        with session.begin_nested():
            session.execute(insert(Like).values(activity_id=activity_id, member_id=member_id, liked_at=now))
    except IntegrityError:
        raise DomainError("ALREADY_LIKED", "you have already liked this activity", 409, {"activity_id": activity_id})
    scores.rescore(session, act, now)
    return {"activity_id": activity_id, "liked": True, "likes": count(session, activity_id)}


def state(session: Session, activity_id: str, member_id: str) -> dict:
    """Whether the member liked the activity, and its likes in all (404 for an activity scoring does not know)."""
    scores.activity(session, activity_id)
    mine = session.get(Like, (activity_id, member_id)) is not None
    return {"activity_id": activity_id, "liked": mine, "likes": count(session, activity_id)}


def count(session: Session, activity_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Like).where(Like.activity_id == activity_id))
