"""The online review of uploads: a subtree's queue by status, and a superior's decision (pending →
approved, or rejected with a reason), after which the activity's detail score is computed again."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.orgtree import get_node
from partyday_common.pagination import page_bounds
from partyday_media import activities, media_records, quota
from partyday_media.models import Media, org_nodes
from partyday_media_contracts.events import UploadRejected

MAX_REASON = 1000


def check_reason(approve: bool, reason) -> None:
    """A rejection needs a reason: 400 REASON_REQUIRED."""
    if not approve and (not isinstance(reason, str) or not 0 < len(reason.strip()) <= MAX_REASON):
        raise invalid("REASON_REQUIRED", f"a rejection needs a reason of 1 to {MAX_REASON} characters")


def decide(session: Session, media_id: str, approve: bool, reason: str | None, reviewer: str | None) -> dict:
    """pending → approved, or → rejected with a reason (its bytes given back to the branch's quota);
    a decided item stays decided."""
    media = media_records.get(session, media_id, lock=True)
    if media.status != "pending":
        raise DomainError(
            "MEDIA_ALREADY_REVIEWED", f"this upload is already {media.status}", 409, {"status": media.status}
        )
    media.status = "approved" if approve else "rejected"
    media.reject_reason = None if approve else reason.strip()
    media.reviewed_by, media.reviewed_at = reviewer, utcnow()
    if not approve:
        quota.give_back(session, media.branch_id, media.stored_bytes)
        announce_rejection(session, media)
    activities.rescore(session, activities.approved(session, media.activity_id, lock=True))
    audit.record(
        session,
        f"media.{'approve' if approve else 'reject'}",
        "media",
        media.id,
        media.branch_path,
        {"activity_id": media.activity_id, "reason": media.reject_reason},
    )
    return media_records.view(media)


def announce_rejection(session: Session, media: Media) -> None:
    """`upload_rejected`, with the transaction: whoever uploaded it is told the reason."""
    rejected = UploadRejected(
        media_id=media.id,
        activity_id=media.activity_id,
        branch_id=media.branch_id,
        branch_path=media.branch_path,
        uploaded_by=media.uploaded_by,
        filename=media.original_name,
        reason=media.reject_reason,
        at=media.reviewed_at,
    )
    emit(session, "upload_rejected", rejected.model_dump(mode="json"))


def queue(session: Session, org_id: str, status: str, page: int, page_size: int) -> dict:
    """Uploads of the subtree of `org_id` by status (pending first in, first out), with evidence and
    duplicate flags."""
    node = get_node(session, org_nodes, org_id)
    if node is None:
        raise not_found("org", org_id)
    path = node["path"]
    if status not in media_records.STATUSES:
        raise invalid("STATUS_INVALID", "status is pending, approved or rejected", status=status)
    offset, limit = page_bounds(page, page_size)
    where = (Media.branch_path.startswith(path, autoescape=True), Media.status == status)
    total = session.scalar(select(func.count()).select_from(Media).where(*where))
    items = session.scalars(
        select(Media).where(*where).order_by(Media.uploaded_at, Media.id).offset(offset).limit(limit)
    ).all()
    return {"items": [media_records.view(item) for item in items], "total": total, "page": page, "page_size": page_size}
