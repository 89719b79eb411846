"""The one audit log of administrative actions: the directory's own, written in the transaction of the action, and
every other service's, kept from their `administrative_act` events; read within scope paths, filtered, a page at
a time."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.envelope import Envelope
from partyday_common.errors import invalid
from partyday_common.pagination import page_bounds
from partyday_directory.expectations import ActExpected
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


def keep_act(session: Session, event: Envelope, act: ActExpected) -> None:
    """Another service's act, as it announced it; the consumer's processed-event mark keeps it once."""
    session.add(
        AuditEntry(
            at=act.at,
            actor_id=act.actor_id,
            client_ip=act.client_ip,
            action=act.action,
            target_type=act.target_type,
            target_id=act.target_id,
            org_path=act.org_path,
            details={**act.details, "source": event.source},
            correlation_id=event.correlation_id,
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
        "org_path": entry.org_path,
        "details": entry.details or {},
        "correlation_id": entry.correlation_id,
    }


def _instant(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise invalid("TIME_INVALID", f"{name} must be an ISO 8601 instant with an offset", **{name: value})
    return parsed


def entries_page(
    session: Session,
    scope_paths: list[str] | None,
    page: int,
    page_size: int,
    filters: dict | None = None,
) -> dict:
    """Entries newest first, one page of them; with scope paths, only those within them. `filters` narrow them:
    `actor_id`, `action`, `target_type`, `target_id` (each exact), `since` and `until` (instants, ISO 8601; since
    included, until excluded), and `through_id` (none newer than that entry: an export reads its pages from one
    moment)."""
    offset, limit = page_bounds(page, page_size)
    filters = filters or {}
    query = select(AuditEntry)
    if scope_paths is not None:
        query = query.where(
            or_(False, *[AuditEntry.org_path.startswith(path, autoescape=True) for path in scope_paths])
        )
    for name in ("actor_id", "action", "target_type", "target_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(AuditEntry, name) == filters[name])
    if filters.get("since") is not None:
        query = query.where(AuditEntry.at >= _instant("since", filters["since"]))
    if filters.get("until") is not None:
        query = query.where(AuditEntry.at < _instant("until", filters["until"]))
    if filters.get("through_id") is not None:
        query = query.where(AuditEntry.id <= int(filters["through_id"]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    entries = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return {"items": [entry_view(entry) for entry in entries], "total": total, "page": page, "page_size": page_size}
