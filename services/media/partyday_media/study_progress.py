"""Members' study progress (学习进度) on the study materials: who opened and who finished each micro lesson, text
and document of a directive. Progress only goes forward: the earliest opening, the furthest position and
percentage, and a finish are kept whatever a phone reports later; a report repeated changes nothing.

The rule is a plain function (`advance`); a lesson (video) is finished only once at least
`MIN_PERCENT_TO_FINISH` of it was watched, a text or a document once it was opened."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError, not_found
from partyday_media import materials
from partyday_media.models import StudyMaterial, StudyProgress

MIN_PERCENT_TO_FINISH = 90.0
# A phone's clock and a video's measured duration disagree by a little at the very end.
POSITION_TOLERANCE_S = 2.0
MAX_MEMBERS = 500


def advance(current: dict | None, kind: str, duration_s: float | None, report: dict, now: datetime) -> dict:
    """The progress after a report (`position_s`, `percent`, `finished`), from `current` (None before the first):
    opened at the first report, position and percentage the furthest reached, finished once and for good.
    Only a lesson takes a position or a percentage; a lesson is finished only once enough of it was watched."""
    position, percent = report.get("position_s"), report.get("percent")
    if kind != "video" and (position is not None or percent is not None):
        raise DomainError(
            "PROGRESS_NOT_APPLICABLE", "only a micro lesson has a position or a percentage", 422, {"kind": kind}
        )
    if position is not None and duration_s is not None and position > duration_s + POSITION_TOLERANCE_S:
        raise DomainError(
            "POSITION_OUT_OF_RANGE",
            "the position is beyond the lesson's end",
            422,
            {"position_s": position, "duration_s": duration_s},
        )
    if percent is None and position is not None and duration_s:
        percent = min(100.0, 100.0 * position / duration_s)
    state = dict(current or {"opened_at": now, "position_s": None, "percent": None, "finished_at": None})
    state["position_s"] = _furthest(state["position_s"], position)
    state["percent"] = _furthest(state["percent"], percent)
    if report.get("finished") and state["finished_at"] is None:
        if kind == "video" and (state["percent"] or 0.0) < MIN_PERCENT_TO_FINISH:
            raise DomainError(
                "LESSON_NOT_WATCHED",
                f"a micro lesson is finished once at least {MIN_PERCENT_TO_FINISH:.0f}% of it was watched",
                422,
                {"percent": state["percent"] or 0.0, "min_percent": MIN_PERCENT_TO_FINISH},
            )
        state["finished_at"] = now
    return state


def _furthest(kept: float | None, reported: float | None) -> float | None:
    if reported is None:
        return kept
    return reported if kept is None else max(kept, reported)


def report(session: Session, material_id: str, member_id: str, body: dict, now: datetime) -> dict:
    """Record a member's report on a material (the row locked, created first by an insert that ignores a
    simultaneous one) and answer the progress as it now stands."""
    material = session.get(StudyMaterial, material_id)
    if material is None:
        raise not_found("study_material", material_id)
    table = StudyProgress.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(table)
        .values(material_id=material_id, member_id=member_id, directive_id=material.directive_id, opened_at=now)
        .on_conflict_do_nothing(index_elements=[table.c.material_id, table.c.member_id])
    )
    row = session.scalars(
        select(StudyProgress)
        .where(StudyProgress.material_id == material_id, StudyProgress.member_id == member_id)
        .with_for_update()
    ).one()
    current = {"opened_at": row.opened_at, "position_s": row.position_s, "percent": row.percent}
    current["finished_at"] = row.finished_at
    state = advance(current, material.kind, material.duration_s, body, now)
    row.position_s, row.percent, row.finished_at, row.updated_at = (
        state["position_s"],
        state["percent"],
        state["finished_at"],
        now,
    )
    session.flush()
    session.refresh(row)
    return {"material_id": material_id, "member_id": member_id, "kind": material.kind, **_state_view(row)}


def _state_view(row: StudyProgress | None) -> dict:
    if row is None:
        return {"state": "not_opened", "opened_at": None, "finished_at": None, "position_s": None, "percent": None}
    return {
        "state": "finished" if row.finished_at else "opened",
        "opened_at": row.opened_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "position_s": row.position_s,
        "percent": row.percent,
    }


def of_members(session: Session, directive_id: str, member_ids: list[str]) -> dict:
    """A directive's materials (oldest first) and, per member named, their progress on each: not opened, opened
    or finished, with when. The caller pages the members (a branch's, from the directory)."""
    found = materials.directive(session, directive_id)
    if len(member_ids) > MAX_MEMBERS:
        raise DomainError("MEMBERS_INVALID", f"at most {MAX_MEMBERS} members at a time", 400)
    items = session.scalars(
        select(StudyMaterial)
        .where(StudyMaterial.directive_id == directive_id)
        .order_by(StudyMaterial.created_at, StudyMaterial.id)
    ).all()
    rows = (
        session.scalars(
            select(StudyProgress).where(
                StudyProgress.directive_id == directive_id, StudyProgress.member_id.in_(member_ids)
            )
        ).all()
        if member_ids
        else []
    )
    kept = {(row.member_id, row.material_id): row for row in rows}
    return {
        "directive_id": directive_id,
        "theme": found.theme,
        "materials": [
            {"material_id": m.id, "title": m.title, "kind": m.kind, "duration_s": m.duration_s} for m in items
        ],
        "members": {
            member_id: [{"material_id": m.id, **_state_view(kept.get((member_id, m.id)))} for m in items]
            for member_id in member_ids
        },
    }


def of_member(session: Session, member_id: str, material_ids: list[str]) -> dict:
    """One member's progress on the materials named (the phone's month), by material id."""
    if len(material_ids) > MAX_MEMBERS:
        raise DomainError("MATERIALS_INVALID", f"at most {MAX_MEMBERS} materials at a time", 400)
    rows = (
        session.scalars(
            select(StudyProgress).where(
                StudyProgress.member_id == member_id, StudyProgress.material_id.in_(material_ids)
            )
        ).all()
        if material_ids
        else []
    )
    kept = {row.material_id: row for row in rows}
    return {material_id: _state_view(kept.get(material_id)) for material_id in material_ids}
