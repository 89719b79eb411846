"""Administrative acts on record: a service calls `record` inside the transaction of the act, which announces it
(`administrative_act`) through that service's outbox, so that the act and its record commit together; the
directory keeps every one in its audit log."""

from sqlalchemy.orm import Session

from partyday_common.acts import ACT_EVENT, AdministrativeAct
from partyday_common.db import emit, utcnow


def record(
    session: Session, action: str, target_type: str, target_id: str, org_path: str | None, details: dict | None = None
) -> None:
    """Put the act on record: its actor, client address and correlation id come from the worker's context (the
    session's), as the directory's own entries do."""
    act = AdministrativeAct(
        actor_id=session.info.get("actor_id"),
        client_ip=session.info.get("client_ip"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        org_path=org_path,
        details=details or {},
        at=utcnow(),
    )
    emit(session, ACT_EVENT, act.model_dump(mode="json"))
