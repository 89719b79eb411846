"""A branch's records of a month as media holds them, for the six-haves archive and spot checks:
photos by status, links to the approved ones, study notes, the month's study materials and the
detail score; a few queries for all the branches asked about together."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_media import materials, study_notes
from partyday_media.media_records import STATUSES, media_link
from partyday_media.models import Activity, Directive, Media, StudyMaterial, StudyNote, org_nodes

MAX_BRANCHES = 500


def of_branches(session: Session, branch_ids: list, month: str) -> dict:
    """Per branch asked about: its records of the month (an unknown branch has empty ones and no score)."""
    if not isinstance(branch_ids, list) or len(branch_ids) > MAX_BRANCHES:
        raise invalid("BRANCHES_INVALID", f"branch_ids is a list of at most {MAX_BRANCHES} ids")
    known = dict(
        session.execute(select(org_nodes.c.org_id, org_nodes.c.path).where(org_nodes.c.org_id.in_(branch_ids))).all()
    )
    return _records(session, {branch_id: known.get(branch_id) for branch_id in branch_ids}, month)


def _records(session: Session, branch_paths: dict[str, str | None], month: str) -> dict:
    ids = list(branch_paths)
    acts = session.scalars(
        select(Activity).where(Activity.branch_id.in_(ids), Activity.month == month, Activity.approved.is_(True))
    ).all()
    photos = (
        session.scalars(
            select(Media)
            .where(Media.activity_id.in_([act.id for act in acts]), Media.kind == "image")
            .order_by(Media.uploaded_at, Media.id)
        ).all()
        if acts
        else []
    )
    note_rows = session.scalars(
        select(StudyNote)
        .where(StudyNote.branch_id.in_(ids), StudyNote.month == month)
        .order_by(StudyNote.created_at, StudyNote.id)
    ).all()
    directives = session.scalars(select(Directive).where(Directive.month == month)).all()
    study = (
        session.scalars(
            select(StudyMaterial)
            .where(StudyMaterial.directive_id.in_([item.id for item in directives]))
            .order_by(StudyMaterial.created_at, StudyMaterial.id)
        ).all()
        if directives
        else []
    )
    answer = {}
    for branch_id, path in branch_paths.items():
        mine = [act for act in acts if act.branch_id == branch_id]
        activity_ids = {act.id for act in mine}
        shown = [item for item in photos if item.activity_id in activity_ids]
        notes_of = [study_notes.link(item.id) for item in note_rows if item.branch_id == branch_id]
        on_path = {item.id: item.theme for item in directives if path and path.startswith(item.org_path)}
        answer[branch_id] = {
            "activity_ids": [act.id for act in mine],
            "photos": {status: sum(1 for item in shown if item.status == status) for status in STATUSES},
            "approved_photo_links": [media_link(item.id) for item in shown if item.status == "approved"],
            "study_notes": {"count": len(notes_of), "links": notes_of},
            "study_materials": [
                materials.view(item, on_path[item.directive_id]) for item in study if item.directive_id in on_path
            ],
            "detail_score": max((act.detail_score for act in mine), default=None),
        }
    return answer
