"""Uploads as media records them: one per file sent for an activity, with its stored copies,
evidence and duplicate flags; how one is shown, served and listed."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.pagination import MAX_PAGE_SIZE, page_bounds
from partyday_media import activities, detect, duplicates, rules
from partyday_media.models import Activity, Media

STATUSES = ("pending", "approved", "rejected")
VARIANTS = ("original", "thumbnail", "web")


def media_link(media_id: str) -> str:
    return f"/api/v1/media/{media_id}"


def _already_uploaded(media_id: str) -> DomainError:
    return DomainError(
        "DUPLICATE_UPLOAD", "this file was already uploaded for this activity", 409, {"media_id": media_id}
    )


def add(session: Session, act: Activity, media_id: str, upload: dict, stored: dict) -> dict:
    """Record an upload whose copies are stored; flag earlier uses of the same picture elsewhere (none for a flat
    picture, which shows nothing a reuse could be told by). The
    same bytes sent twice for the activity at the same moment meet the unique index on (activity, sha256)
    of live uploads: the later one is refused like any duplicate."""
    earlier = duplicates.find(session, upload["sha256"], stored.get("phash"))
    same = [item for item in earlier if item["activity_id"] == act.id and item["match"] == "exact"]
    if same:
        raise _already_uploaded(same[0]["media_id"])
    if stored.get("flat"):
        earlier = []
    for item in earlier:
        item["same_branch"] = item["branch_id"] == act.branch_id
        item["other_activity"] = item["activity_id"] != act.id
    if upload.get("action") and upload["action"] not in act.required_actions:
        raise invalid(
            "ACTION_UNKNOWN",
            "the action is not one of the activity's required actions",
            action=upload["action"],
            required_actions=act.required_actions,
        )
    media = Media(
        id=media_id,
        activity_id=act.id,
        branch_id=act.branch_id,
        branch_path=act.branch_path,
        kind=stored["kind"],
        format=upload["format"],
        status="pending",
        caption=upload.get("caption"),
        action=upload.get("action"),
        original_name=upload.get("filename"),
        stored_bytes=stored["stored_bytes"],
        sha256=upload["sha256"],
        phash=stored.get("phash"),
        width=stored.get("width"),
        height=stored.get("height"),
        duration_s=stored.get("duration_s"),
        keys=stored["keys"],
        evidence=stored.get("evidence"),
        duplicates=earlier,
        uploaded_by=upload.get("uploaded_by"),
        uploaded_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(media)
            if media.phash is not None:
                duplicates.index_bands(session, media_id, media.phash)
    except IntegrityError:
        winner = session.scalar(
            select(Media.id).where(
                Media.activity_id == act.id, Media.sha256 == upload["sha256"], Media.status != "rejected"
            )
        )
        if winner is None:
            raise
        raise _already_uploaded(winner)
    return view(media)


def view(media: Media) -> dict:
    flagged = [item for item in media.duplicates if item.get("other_activity")]
    return {
        "media_id": media.id,
        "activity_id": media.activity_id,
        "branch_id": media.branch_id,
        "kind": media.kind,
        "format": media.format,
        "status": media.status,
        "caption": media.caption,
        "action": media.action,
        "original_name": media.original_name,
        "width": media.width,
        "height": media.height,
        "duration_s": media.duration_s,
        "sha256": media.sha256,
        "evidence": media.evidence,
        "duplicates": media.duplicates,
        "possible_forgery": bool(flagged),
        "uploaded_by": media.uploaded_by,
        "uploaded_at": media.uploaded_at.isoformat(),
        "reviewed_by": media.reviewed_by,
        "reviewed_at": media.reviewed_at.isoformat() if media.reviewed_at else None,
        "reject_reason": media.reject_reason,
        "url": media_link(media.id),
        "thumbnail_url": f"{media_link(media.id)}/thumbnail" if "thumbnail" in media.keys else None,
        "web_url": f"{media_link(media.id)}/web" if "web" in media.keys else None,
    }


def seen_from(session: Session, answer: dict, roots: list[str] | None) -> dict:
    """A view of an upload, or a page of them (`items`), with each one's duplicates as a caller who reads the
    subtrees `roots` may see them (none without `roots`: every earlier use is then only "also used elsewhere")."""
    if "items" in answer:
        return {**answer, "items": [seen_from(session, item, roots) for item in answer["items"]]}
    if not answer.get("duplicates"):
        return answer
    unknown = {item["media_id"] for item in answer["duplicates"] if "branch_path" not in item}
    paths = (
        dict(session.execute(select(Media.id, Media.branch_path).where(Media.id.in_(unknown))).all()) if unknown else {}
    )
    known = [
        {**item, "branch_path": item.get("branch_path") or paths.get(item["media_id"], "")}
        for item in answer["duplicates"]
    ]
    return {**answer, "duplicates": rules.duplicates_seen_from(known, list(roots or []))}


def get(session: Session, media_id: str, lock: bool = False) -> Media:
    found = session.get(Media, media_id, with_for_update=lock)
    if found is None:
        raise not_found("media", media_id)
    return found


def details(session: Session, media_id: str) -> dict:
    """One upload as shown, with its branch's path (for scope checks)."""
    media = get(session, media_id)
    return {**view(media), "branch_path": media.branch_path}


def served_file(session: Session, media_id: str, variant: str) -> dict:
    """Where a served copy is stored, its type and download name, and whose it is (for scope checks)."""
    if variant not in VARIANTS:
        raise invalid("VARIANT_INVALID", "variant is original, thumbnail or web")
    media = get(session, media_id)
    if variant not in media.keys:
        raise DomainError("VARIANT_NOT_FOUND", f"a {media.kind} has no {variant} copy", 404)
    key = media.keys[variant]
    extension = key.rsplit(".", 1)[-1]
    return {
        "key": key,
        "content_type": detect.content_type(extension),
        "status": media.status,
        "filename": f"{media_id}-{variant}.{extension}",
        "branch_id": media.branch_id,
        "branch_path": media.branch_path,
    }


def activity_media(
    session: Session, activity_id: str, approved_only: bool = False, page: int = 1, page_size: int = MAX_PAGE_SIZE
) -> dict:
    """An activity's uploads a page at a time (oldest first): all but the rejected ones, or only the approved
    ones with `approved_only` (what a member who administers nothing may see); the counts by status and the
    detail score are the whole activity's."""
    offset, limit = page_bounds(page, page_size)
    act = activities.approved(session, activity_id)
    counts = dict.fromkeys(STATUSES, 0) | dict(
        session.execute(
            select(Media.status, func.count()).where(Media.activity_id == activity_id).group_by(Media.status)
        ).all()
    )
    where = (
        Media.activity_id == activity_id,
        Media.status == "approved" if approved_only else Media.status != "rejected",
    )
    items = session.scalars(
        select(Media).where(*where).order_by(Media.uploaded_at, Media.id).offset(offset).limit(limit)
    ).all()
    return {
        "activity_id": act.id,
        "detail_score": act.detail_score,
        "breakdown": act.breakdown,
        "counts": counts,
        "items": [view(item) for item in items],
        "total": session.scalar(select(func.count()).select_from(Media).where(*where)),
        "page": page,
        "page_size": page_size,
    }
