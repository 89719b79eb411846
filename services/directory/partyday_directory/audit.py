"""The audit log of administrative actions, written in the transaction of the action."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.pagination import page_bounds
from partyday_directory.models import AuditEntry


def record(
    session: Session, action: str, target_type: str, target_id: str, org_path: str | None, details: dict | None = None
) -> None:
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=session.info.get("actor_id"),
            client_ip=session.info.get("client_ip"),
            action=action,
            target_type=target_type,
            target_id=target_id,
            org_path=org_path,
            details=details or {},
            correlation_id=session.info.get("correlation_id"),
        )
    )


def entry_view(entry: AuditEntry) -> dict:
    return {
        "audit_id": str(entry.id),
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "client_ip": entry.client_ip,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "details": entry.details or {},
        "correlation_id": entry.correlation_id,
    }


def entries_page(session: Session, scope_paths: list[str] | None, page: int, page_size: int) -> dict:
    """Entries newest first, one page of them; with scope paths, only those within them."""
    offset, limit = page_bounds(page, page_size)
    query = select(AuditEntry)
    if scope_paths is not None:
        query = query.where(
            or_(False, *[AuditEntry.org_path.startswith(path, autoescape=True) for path in scope_paths])
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    entries = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return {"items": [entry_view(entry) for entry in entries], "total": total, "page": page, "page_size": page_size}
