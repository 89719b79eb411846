"""An organisation's question bank: questions added, edited and removed one at a time, or imported from an XLSX
in the object store, paged in SQL."""

import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.idempotency import once
from partyday_common.orgtree import get_node
from partyday_common.pagination import page_bounds
from partyday_quizzes import bank_file, rules
from partyday_quizzes.models import Question, org_nodes


def org_path(session: Session, org_id: str) -> str:
    node = get_node(session, org_nodes, org_id)
    if node is None:
        raise not_found("org", org_id)
    return node["path"]


def view(question: Question, with_answer: bool = True) -> dict:
    found = {
        "question_id": question.id,
        "org_id": question.org_id,
        "kind": question.kind,
        "text": question.text,
        "options": question.options,
        "active": question.active,
        "updated_at": question.updated_at.isoformat(),
    }
    if with_answer:
        found["answer"] = question.answer
        found["explanation"] = question.explanation
    return found


def add(session: Session, org_id: str, body) -> dict:
    options, answer = rules.check_question(body.kind, body.options, body.answer)
    question = _new(org_id, org_path(session, org_id), body.kind, body.text, options, answer, body.explanation)
    session.add(question)
    session.flush()
    audit.record(session, "question_added", "question", question.id, question.org_path, {"kind": question.kind})
    return view(question)


def edit(session: Session, question_id: str, body) -> dict:
    question = get(session, question_id, lock=True)
    options, answer = rules.check_question(body.kind, body.options, body.answer)
    question.kind, question.text, question.options = body.kind, body.text, options
    question.answer, question.explanation, question.updated_at = answer, body.explanation, utcnow()
    audit.record(session, "question_edited", "question", question.id, question.org_path, {"kind": question.kind})
    return view(question)


def remove(session: Session, question_id: str) -> dict:
    """A removed question is drawn no more; attempts that drew it keep it as it was."""
    question = get(session, question_id, lock=True)
    question.active, question.updated_at = False, utcnow()
    audit.record(session, "question_removed", "question", question.id, question.org_path)
    return view(question)


def get(session: Session, question_id: str, lock: bool = False) -> Question:
    found = session.get(Question, question_id, with_for_update=lock)
    if found is None or not found.active:
        raise not_found("question", question_id)
    return found


def page(session: Session, org_id: str, page_number: int, page_size: int, kind: str | None = None) -> dict:
    offset, limit = page_bounds(page_number, page_size)
    conditions = [Question.org_id == org_id, Question.active.is_(True)]
    if kind:
        conditions.append(Question.kind == kind)
    total = session.scalar(select(func.count()).select_from(Question).where(*conditions))
    rows = session.scalars(
        select(Question).where(*conditions).order_by(Question.created_at, Question.id).offset(offset).limit(limit)
    )
    return {"items": [view(row) for row in rows], "total": total, "page": page_number, "page_size": page_size}


def active_ids(session: Session, org_id: str, question_ids: list[str] | None = None) -> list[str]:
    """The bank's active questions, in the order asked for (all of them, oldest first, without a choice)."""
    query = select(Question.id).where(Question.org_id == org_id, Question.active.is_(True))
    if question_ids is None:
        return list(session.scalars(query.order_by(Question.created_at, Question.id)))
    found = set(session.scalars(query.where(Question.id.in_(question_ids))))
    missing = [question_id for question_id in question_ids if question_id not in found]
    if missing:
        raise DomainError(
            "QUESTION_NOT_IN_BANK", "every chosen question is an active question of the bank", 422, {"ids": missing}
        )
    return list(dict.fromkeys(question_ids))


def still_active(session: Session, question_ids: list[str]) -> list[str]:
    """Those of the questions not removed from their bank since, in the order given."""
    active = set(session.scalars(select(Question.id).where(Question.id.in_(question_ids), Question.active.is_(True))))
    return [question_id for question_id in question_ids if question_id in active]


def snapshots(session: Session, question_ids: list[str]) -> list[dict]:
    """The questions as an attempt keeps them (with their answers, for scoring), in the order given."""
    found = {row.id: row for row in session.scalars(select(Question).where(Question.id.in_(question_ids)))}
    return [
        {
            "id": question_id,
            "kind": found[question_id].kind,
            "text": found[question_id].text,
            "options": found[question_id].options,
            "answer": found[question_id].answer,
        }
        for question_id in question_ids
        if question_id in found
    ]


def import_once(session: Session, body, storage, max_rows: int, idempotency_key: str | None) -> dict:
    """`import_file` honouring the Idempotency-Key: the same request is the same organisation, file name and file
    content (each upload gets a storage key of its own). The file is deleted whatever happens."""
    try:
        if not storage.exists(body.storage_key):
            raise not_found("upload", body.storage_key)
        request = {"org_id": body.org_id, "filename": body.filename, "sha256": _digest(storage, body.storage_key)}
        return once(
            session,
            "import_bank",
            idempotency_key,
            request,
            lambda: import_file(session, body.org_id, storage, body.storage_key, body.filename, max_rows),
        )
    finally:
        storage.delete(body.storage_key)


def _digest(storage, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in storage.iter_chunks(key):
        digest.update(chunk)
    return digest.hexdigest()


def import_file(session: Session, org_id: str, storage, storage_key: str, filename: str | None, max_rows: int) -> dict:
    """Read an XLSX into the bank: each valid row a question, each wrong one reported with its row number and
    reasons (the others are kept)."""
    path = org_path(session, org_id)
    with storage.local_copy(storage_key) as local, open(local, "rb") as file:
        rows = bank_file.read_bank(file, max_rows)
    questions = [
        _new(org_id, path, q["kind"], q["text"], q["options"], q["answer"], q["explanation"]) for _, q in rows.questions
    ]
    session.add_all(questions)
    session.flush()
    report = {
        "org_id": org_id,
        "filename": filename,
        "accepted": len(questions),
        "rejected": rows.rejected,
        "question_ids": [question.id for question in questions],
    }
    audit.record(
        session,
        "bank_imported",
        "org",
        org_id,
        path,
        {"filename": filename, "accepted": len(questions), "rejected": len(rows.rejected)},
    )
    return report


def _new(org_id, path, kind, text, options, answer, explanation) -> Question:
    now = utcnow()
    return Question(
        id=uuid.uuid4().hex,
        org_id=org_id,
        org_path=path,
        kind=kind,
        text=text,
        options=options,
        answer=answer,
        explanation=explanation,
        active=True,
        created_at=now,
        updated_at=now,
    )
