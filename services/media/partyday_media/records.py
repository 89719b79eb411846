"""Media's records: activities followed from events, uploads with their evidence and duplicate
flags, review, the detail score and its event, study materials and notes."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.clock import aware
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.pagination import MAX_PAGE_SIZE, page_bounds
from partyday_media import rules
from partyday_media.models import Activity, BranchUsage, Directive, HashBand, Media, StudyMaterial, StudyNote
from partyday_media_contracts.rpc import DetailScoreChanged

STATUSES = ("pending", "approved", "rejected")


def media_link(media_id: str) -> str:
    return f"/api/v1/media/{media_id}"


def _activity_row(session: Session, data: dict) -> Activity:
    found = session.get(Activity, data["activity_id"], with_for_update=True)
    if found is None:
        found = Activity(id=data["activity_id"], branch_id=data["branch_id"], branch_path=data["branch_path"],
                         month=data.get("month"), approved=False, required_actions=[], summary_chars=0,
                         sheet_closed=False, detail_score=0)
        session.add(found)
    return found


def follow_plan_approved(session: Session, data: dict) -> None:
    """The activity's branch, day, venue and required actions."""
    act = _activity_row(session, data)
    starts_at = datetime.fromisoformat(data["starts_at"])
    act.approved, act.month, act.starts_at = True, data["month"], starts_at
    act.starts_offset_min = int(starts_at.utcoffset().total_seconds() // 60)
    act.venue_lat, act.venue_lon, act.radius_m = data["venue_lat"], data["venue_lon"], data["radius_m"]
    act.required_actions = list(data.get("required_actions") or [])
    rescore(session, act)


def follow_summary(session: Session, data: dict) -> None:
    """The summary's length, for the summary part of the score."""
    if not data.get("activity_id"):
        return
    act = _activity_row(session, data)
    act.summary_chars = int(data.get("summary_chars") or 0)
    rescore(session, act)


def follow_sheet_closed(session: Session, data: dict) -> None:
    """The activity's sign-in sheet is complete."""
    act = _activity_row(session, data)
    act.sheet_closed = True
    rescore(session, act)


def record_directive(session: Session, data: dict) -> None:
    if session.get(Directive, data["directive_id"]) is None:
        session.add(Directive(id=data["directive_id"], org_id=data["org_id"], org_path=data["org_path"],
                              month=data["month"], theme=data["theme"]))


def activity(session: Session, activity_id: str) -> Activity:
    found = session.get(Activity, activity_id)
    if found is None or not found.approved:
        raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404,
                          {"id": activity_id})
    return found


def starts_local(act: Activity) -> datetime | None:
    if act.starts_at is None:
        return None
    return aware(act.starts_at).astimezone(timezone(timedelta(minutes=act.starts_offset_min or 0)))


def _quota_exceeded(used: int, quota: int) -> DomainError:
    return DomainError("QUOTA_EXCEEDED", "the branch has used its media storage quota", 413,
                       {"used_bytes": int(used), "quota_bytes": quota})


def _used(session: Session, branch_id: str) -> int:
    return session.scalar(select(BranchUsage.used_bytes).where(BranchUsage.branch_id == branch_id)) or 0


def check_quota(session: Session, branch_id: str, adding: int, quota: int) -> None:
    """Refuse early (before the upload is processed) what cannot fit; reserves nothing, `take_quota` does."""
    used = _used(session, branch_id)
    if used + adding > quota:
        raise _quota_exceeded(used, quota)


def take_quota(session: Session, branch_id: str, adding: int, quota: int) -> None:
    """Count `adding` bytes against the branch's quota in one conditional update, which locks the
    branch's usage row until the caller's transaction ends: parallel uploads of a branch take their
    bytes one after another, and a rolled-back upload takes nothing."""
    table = BranchUsage.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(branch_id=branch_id, used_bytes=0)
                    .on_conflict_do_nothing(index_elements=[table.c.branch_id]))
    taken = session.execute(update(table).where(table.c.branch_id == branch_id,
                                                table.c.used_bytes + adding <= quota)
                            .values(used_bytes=table.c.used_bytes + adding))
    if taken.rowcount == 0:
        raise _quota_exceeded(_used(session, branch_id), quota)


def _give_back_quota(session: Session, branch_id: str, freed: int) -> None:
    """A rejected upload counts for nothing: its bytes go back to the branch's quota."""
    table = BranchUsage.__table__
    session.execute(update(table).where(table.c.branch_id == branch_id)
                    .values(used_bytes=table.c.used_bytes - freed))


def find_duplicates(session: Session, sha256: str, phash: str | None, exclude: str | None = None) -> list[dict]:
    """Earlier uploads with the same bytes, or (photos) a perceptual hash within NEAR_DISTANCE bits."""
    found: dict[str, dict] = {}
    for other in session.scalars(select(Media).where(Media.sha256 == sha256)):
        found[other.id] = _duplicate(other, "exact", 0)
    if phash is not None:
        bands = rules.hash_bands(phash)
        candidates = (select(HashBand.media_id)
                      .where(or_(*(and_(HashBand.band == band, HashBand.value == value)
                                   for band, value in enumerate(bands))))
                      .group_by(HashBand.media_id).having(func.count() >= rules.BANDS_TO_SHARE))
        for other in session.scalars(select(Media).where(Media.id.in_(candidates), Media.phash.is_not(None))):
            distance = rules.hamming(phash, other.phash)
            if other.id not in found and distance <= rules.NEAR_DISTANCE:
                found[other.id] = _duplicate(other, "near", distance)
    found.pop(exclude, None)
    return sorted(found.values(), key=lambda item: (item["distance"], item["media_id"]))


def _duplicate(other: Media, match: str, distance: int) -> dict:
    return {"media_id": other.id, "activity_id": other.activity_id, "branch_id": other.branch_id,
            "match": match, "distance": distance, "status": other.status}


def add_media(session: Session, act: Activity, media_id: str, upload: dict, stored: dict) -> dict:
    """Record an upload whose copies are stored; flag earlier uses of the same picture elsewhere. The
    same bytes sent twice for the activity at the same moment meet the unique index on (activity, sha256)
    of live uploads: the later one is refused like any duplicate."""
    duplicates = find_duplicates(session, upload["sha256"], stored.get("phash"))
    if any(item["activity_id"] == act.id and item["match"] == "exact" for item in duplicates):
        raise DomainError("DUPLICATE_UPLOAD", "this file was already uploaded for this activity", 409,
                          {"media_id": next(item["media_id"] for item in duplicates
                                            if item["activity_id"] == act.id and item["match"] == "exact")})
    for item in duplicates:
        item["same_branch"] = item["branch_id"] == act.branch_id
        item["other_activity"] = item["activity_id"] != act.id
    if upload.get("action") and upload["action"] not in act.required_actions:
        raise invalid("ACTION_UNKNOWN", "the action is not one of the activity's required actions",
                      action=upload["action"], required_actions=act.required_actions)
    media = Media(id=media_id, activity_id=act.id, branch_id=act.branch_id, branch_path=act.branch_path,
                  kind=stored["kind"], format=upload["format"], status="pending", caption=upload.get("caption"),
                  action=upload.get("action"), original_name=upload.get("filename"),
                  stored_bytes=stored["stored_bytes"], sha256=upload["sha256"], phash=stored.get("phash"),
                  width=stored.get("width"), height=stored.get("height"), duration_s=stored.get("duration_s"),
                  keys=stored["keys"], evidence=stored.get("evidence"), duplicates=duplicates,
                  uploaded_by=upload.get("uploaded_by"), uploaded_at=utcnow())
    try:
        with session.begin_nested():
            session.add(media)
            if media.phash is not None:
                for band, value in enumerate(rules.hash_bands(media.phash)):
                    session.add(HashBand(media_id=media_id, band=band, value=value))
    except IntegrityError:
        winner = session.scalar(select(Media.id).where(Media.activity_id == act.id, Media.sha256 == upload["sha256"],
                                                      Media.status != "rejected"))
        if winner is None:
            raise
        raise DomainError("DUPLICATE_UPLOAD", "this file was already uploaded for this activity", 409,
                          {"media_id": winner})
    return view(media)


def view(media: Media) -> dict:
    flagged = [item for item in media.duplicates if item.get("other_activity")]
    return {"media_id": media.id, "activity_id": media.activity_id, "branch_id": media.branch_id,
            "kind": media.kind, "format": media.format, "status": media.status, "caption": media.caption,
            "action": media.action, "original_name": media.original_name, "width": media.width,
            "height": media.height, "duration_s": media.duration_s, "sha256": media.sha256,
            "evidence": media.evidence, "duplicates": media.duplicates, "possible_forgery": bool(flagged),
            "uploaded_by": media.uploaded_by, "uploaded_at": aware(media.uploaded_at).isoformat(),
            "reviewed_by": media.reviewed_by,
            "reviewed_at": aware(media.reviewed_at).isoformat() if media.reviewed_at else None,
            "reject_reason": media.reject_reason, "url": media_link(media.id),
            "thumbnail_url": f"{media_link(media.id)}/thumbnail" if "thumbnail" in media.keys else None,
            "web_url": f"{media_link(media.id)}/web" if "web" in media.keys else None}


def get_media(session: Session, media_id: str, lock: bool = False) -> Media:
    found = session.get(Media, media_id, with_for_update=lock)
    if found is None:
        raise not_found("media", media_id)
    return found


def review(session: Session, media_id: str, approve: bool, reason: str | None, reviewer: str | None) -> dict:
    """pending → approved, or → rejected with a reason; a decided item stays decided."""
    media = get_media(session, media_id, lock=True)
    if media.status != "pending":
        raise DomainError("MEDIA_ALREADY_REVIEWED", f"this upload is already {media.status}", 409,
                          {"status": media.status})
    media.status = "approved" if approve else "rejected"
    media.reject_reason = None if approve else reason
    media.reviewed_by, media.reviewed_at = reviewer, utcnow()
    if not approve:
        _give_back_quota(session, media.branch_id, media.stored_bytes)
    rescore(session, session.get(Activity, media.activity_id, with_for_update=True))
    return view(media)


def rescore(session: Session, act: Activity) -> None:
    """Recompute the activity's detail score; announce it when it changed."""
    session.flush()
    approved = session.scalars(select(Media).where(Media.activity_id == act.id, Media.status == "approved")).all()
    photos = [media for media in approved if media.kind == "image"]
    score, breakdown = rules.detail_score(len(photos), act.summary_chars, act.required_actions,
                                          {media.action for media in photos if media.action}, act.sheet_closed)
    if score == act.detail_score and act.breakdown is not None:
        act.breakdown = breakdown
        return
    changed = score != act.detail_score
    act.detail_score, act.breakdown = score, breakdown
    if changed:
        emit(session, "detail_score_changed", DetailScoreChanged(
            activity_id=act.id, branch_id=act.branch_id, branch_path=act.branch_path, detail_score=score,
            breakdown=breakdown, at=utcnow()).model_dump(mode="json"))


def review_queue(session: Session, path: str, status: str, page: int, page_size: int) -> dict:
    """Uploads of a subtree by status (pending first in, first out), with evidence and duplicate flags."""
    if status not in STATUSES:
        raise invalid("STATUS_INVALID", "status is pending, approved or rejected", status=status)
    offset, limit = page_bounds(page, page_size)
    where = (Media.branch_path.startswith(path, autoescape=True), Media.status == status)
    total = session.scalar(select(func.count()).select_from(Media).where(*where))
    items = session.scalars(select(Media).where(*where).order_by(Media.uploaded_at, Media.id)
                            .offset(offset).limit(limit)).all()
    return {"items": [view(item) for item in items], "total": total, "page": page, "page_size": page_size}


def activity_media(session: Session, activity_id: str, approved_only: bool = False, page: int = 1,
                   page_size: int = MAX_PAGE_SIZE) -> dict:
    """An activity's uploads a page at a time (oldest first): all but the rejected ones, or only the approved
    ones with `approved_only` (what a member who administers nothing may see); the counts by status and the
    detail score are the whole activity's."""
    offset, limit = page_bounds(page, page_size)
    act = activity(session, activity_id)
    counts = dict.fromkeys(STATUSES, 0) | dict(session.execute(
        select(Media.status, func.count()).where(Media.activity_id == activity_id).group_by(Media.status)).all())
    where = (Media.activity_id == activity_id,
             Media.status == "approved" if approved_only else Media.status != "rejected")
    items = session.scalars(select(Media).where(*where).order_by(Media.uploaded_at, Media.id)
                            .offset(offset).limit(limit)).all()
    return {"activity_id": act.id, "detail_score": act.detail_score, "breakdown": act.breakdown, "counts": counts,
            "items": [view(item) for item in items], "total": session.scalar(
                select(func.count()).select_from(Media).where(*where)), "page": page, "page_size": page_size}


def _materials_page(session: Session, themes: dict[str, str], page: int, page_size: int) -> dict:
    """The study materials of the directives `themes` names (id → theme), oldest first, a page at a time."""
    offset, limit = page_bounds(page, page_size)
    where = StudyMaterial.directive_id.in_(themes)
    items = session.scalars(select(StudyMaterial).where(where).order_by(StudyMaterial.created_at, StudyMaterial.id)
                            .offset(offset).limit(limit)).all() if themes else []
    total = session.scalar(select(func.count()).select_from(StudyMaterial).where(where)) if themes else 0
    return {"items": [material_view(item, themes[item.directive_id]) for item in items], "total": total,
            "page": page, "page_size": page_size}


def month_materials(session: Session, branch_path: str, month: str, page: int, page_size: int) -> dict:
    """The study materials of every directive of the month on the branch's path, a page at a time."""
    directives = session.scalars(select(Directive).where(
        Directive.month == month, literal(branch_path).startswith(Directive.org_path))).all()
    return _materials_page(session, {item.id: item.theme for item in directives}, page, page_size)


def directive_materials(session: Session, directive_id: str, page: int, page_size: int) -> dict:
    """A directive's study package, a page at a time."""
    found = directive(session, directive_id)
    return _materials_page(session, {found.id: found.theme}, page, page_size)


def material_view(material: StudyMaterial, theme: str | None = None) -> dict:
    return {"material_id": material.id, "directive_id": material.directive_id, "directive_theme": theme,
            "title": material.title, "kind": material.kind, "format": material.format,
            "duration_s": material.duration_s, "text": material.text,
            "url": f"/api/v1/study-materials/{material.id}" if material.key else None,
            "created_at": aware(material.created_at).isoformat()}


def directive(session: Session, directive_id: str) -> Directive:
    found = session.get(Directive, directive_id)
    if found is None:
        raise not_found("directive", directive_id)
    return found


def add_material(session: Session, directive_id: str, title: str, kind: str, uploaded_by: str | None,
                 text: str | None = None, fmt: str | None = None, key: str | None = None, stored_bytes: int = 0,
                 duration_s: float | None = None) -> dict:
    found = directive(session, directive_id)
    material = StudyMaterial(id=uuid.uuid4().hex, directive_id=directive_id, title=title, kind=kind, format=fmt,
                             text=text, key=key, stored_bytes=stored_bytes, duration_s=duration_s,
                             uploaded_by=uploaded_by, created_at=utcnow())
    session.add(material)
    session.flush()
    return material_view(material, found.theme)


def add_note(session: Session, note: dict) -> dict:
    row = StudyNote(id=uuid.uuid4().hex, created_at=utcnow(), **note)
    session.add(row)
    session.flush()
    return note_view(row)


def note_view(note: StudyNote) -> dict:
    return {"note_id": note.id, "branch_id": note.branch_id, "month": note.month, "member_id": note.member_id,
            "text": note.text, "created_at": aware(note.created_at).isoformat(),
            "url": f"/api/v1/study-notes/{note.id}"}


def notes(session: Session, branch_id: str, month: str, page: int, page_size: int,
          member_id: str | None = None) -> dict:
    offset, limit = page_bounds(page, page_size)
    where = [StudyNote.branch_id == branch_id, StudyNote.month == month]
    if member_id is not None:
        where.append(StudyNote.member_id == member_id)
    total = session.scalar(select(func.count()).select_from(StudyNote).where(*where))
    items = session.scalars(select(StudyNote).where(*where).order_by(StudyNote.created_at, StudyNote.id)
                            .offset(offset).limit(limit)).all()
    return {"items": [note_view(item) for item in items], "total": total, "page": page, "page_size": page_size}


def branch_month_records(session: Session, branch_paths: dict[str, str | None], month: str) -> dict:
    """Per branch for the month: photo counts by status, links to approved photos, study notes,
    the month's study materials and the detail score of its activity (None without one); a few
    queries for all the branches together."""
    ids = list(branch_paths)
    acts = session.scalars(select(Activity).where(Activity.branch_id.in_(ids), Activity.month == month,
                                                  Activity.approved.is_(True))).all()
    photos = session.scalars(select(Media).where(Media.activity_id.in_([act.id for act in acts]),
                                                 Media.kind == "image")
                             .order_by(Media.uploaded_at, Media.id)).all() if acts else []
    note_rows = session.scalars(select(StudyNote).where(StudyNote.branch_id.in_(ids), StudyNote.month == month)
                                .order_by(StudyNote.created_at, StudyNote.id)).all()
    directives = session.scalars(select(Directive).where(Directive.month == month)).all()
    materials = session.scalars(select(StudyMaterial).where(
        StudyMaterial.directive_id.in_([item.id for item in directives]))
        .order_by(StudyMaterial.created_at, StudyMaterial.id)).all() if directives else []
    answer = {}
    for branch_id, path in branch_paths.items():
        mine = [act for act in acts if act.branch_id == branch_id]
        activity_ids = {act.id for act in mine}
        shown = [item for item in photos if item.activity_id in activity_ids]
        notes_of = [note_view(item)["url"] for item in note_rows if item.branch_id == branch_id]
        on_path = {item.id: item.theme for item in directives if path and path.startswith(item.org_path)}
        answer[branch_id] = {
            "activity_ids": [act.id for act in mine],
            "photos": {status: sum(1 for item in shown if item.status == status) for status in STATUSES},
            "approved_photo_links": [media_link(item.id) for item in shown if item.status == "approved"],
            "study_notes": {"count": len(notes_of), "links": notes_of},
            "study_materials": [material_view(item, on_path[item.directive_id]) for item in materials
                                if item.directive_id in on_path],
            "detail_score": max((act.detail_score for act in mine), default=None),
        }
    return answer
