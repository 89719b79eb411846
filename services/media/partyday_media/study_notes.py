"""Members' study notes for a month (学习笔记), one of the six haves."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import not_found
from partyday_common.pagination import page_bounds
from partyday_media.models import StudyNote
from partyday_media_contracts.rpc import NoteCreate


def add(session: Session, note: NoteCreate) -> dict:
    row = StudyNote(id=uuid.uuid4().hex, created_at=utcnow(), **note.model_dump())
    session.add(row)
    session.flush()
    return view(row)


def view(note: StudyNote) -> dict:
    return {
        "note_id": note.id,
        "branch_id": note.branch_id,
        "month": note.month,
        "member_id": note.member_id,
        "text": note.text,
        "created_at": note.created_at.isoformat(),
        "url": link(note.id),
    }


def link(note_id: str) -> str:
    return f"/api/v1/study-notes/{note_id}"


def get(session: Session, note_id: str) -> dict:
    found = session.get(StudyNote, note_id)
    if found is None:
        raise not_found("study_note", note_id)
    return view(found)


def of_month(
    session: Session, branch_id: str, month: str, page: int, page_size: int, member_id: str | None = None
) -> dict:
    """A branch's notes of a month (one member's with `member_id`), oldest first, a page at a time."""
    offset, limit = page_bounds(page, page_size)
    where = [StudyNote.branch_id == branch_id, StudyNote.month == month]
    if member_id is not None:
        where.append(StudyNote.member_id == member_id)
    total = session.scalar(select(func.count()).select_from(StudyNote).where(*where))
    items = session.scalars(
        select(StudyNote).where(*where).order_by(StudyNote.created_at, StudyNote.id).offset(offset).limit(limit)
    ).all()
    return {"items": [view(item) for item in items], "total": total, "page": page, "page_size": page_size}
