"""The audit log of administrative actions, written in the transaction of the action."""
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_directory.models import AuditEntry


def record(session: Session, action: str, target_type: str, target_id: str, org_path: str | None,
           details: dict | None = None) -> None:
    session.add(AuditEntry(
        at=utcnow(), actor_id=session.info.get("actor_id"), client_ip=session.info.get("client_ip"),
        action=action, target_type=target_type, target_id=target_id, org_path=org_path,
        details=details or {}, correlation_id=session.info.get("correlation_id"),
    ))


def entry_view(entry: AuditEntry) -> dict:
    return {"audit_id": str(entry.id), "at": entry.at.isoformat(), "actor_id": entry.actor_id,
            "client_ip": entry.client_ip, "action": entry.action, "target_type": entry.target_type,
            "target_id": entry.target_id, "details": entry.details or {}, "correlation_id": entry.correlation_id}
