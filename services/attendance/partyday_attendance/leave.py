"""Leave requests: asked for by a member before the start, decided by the branch admin until the close
(approved leave is excused at the close)."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_attendance.models import Activity, LeaveRequest, SheetEntry
from partyday_attendance_contracts.events import EVENTS
from partyday_common import audit
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError


def request_leave(session: Session, act: Activity, member_id: str, reason: str, now: datetime) -> dict:
    if now >= act.starts_at:
        raise DomainError("LEAVE_TOO_LATE", "leave is asked for before the activity starts", 422)
    if session.get(SheetEntry, (act.id, member_id)) is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if session.scalar(
        select(LeaveRequest.id).where(LeaveRequest.activity_id == act.id, LeaveRequest.member_id == member_id)
    ):
        raise DomainError("LEAVE_EXISTS", "you have already asked for leave", 409)
    leave = LeaveRequest(
        id=uuid.uuid4().hex, activity_id=act.id, member_id=member_id, reason=reason, status="pending", requested_at=now
    )
    session.add(leave)
    announce_leave(session, "leave_requested", leave, act.branch_id, now)
    return leave_view(leave)


def announce_leave(session: Session, event_type: str, leave: LeaveRequest, branch_id: str, at: datetime) -> None:
    """`leave_requested` or `leave_decided`, with the transaction."""
    payload = EVENTS[event_type](
        leave_id=leave.id,
        activity_id=leave.activity_id,
        member_id=leave.member_id,
        branch_id=branch_id,
        status=leave.status,
        at=at,
    )
    emit(session, event_type, payload.model_dump(mode="json"))


def decide_leave(session: Session, leave_id: str, approve: bool) -> dict:
    """Approve (excused at the close) or reject a pending request, until the activity closes: closing has
    given every entry its final status by then. The activity is held shared, so a close waits for a decision
    in progress and a decision for a close; the request itself exclusively, so of two decisions the second
    finds it decided."""
    activity_id = leave_activity(session, leave_id)
    closed_at, branch_id, branch_path = session.execute(
        select(Activity.closed_at, Activity.branch_id, Activity.branch_path)
        .where(Activity.id == activity_id)
        .with_for_update(read=True)
    ).one()
    if closed_at is not None:
        raise DomainError("ACTIVITY_CLOSED", "this activity is closed; its sheet is final", 409)
    leave = session.get(LeaveRequest, leave_id, with_for_update=True, populate_existing=True)
    if leave.status != "pending":
        raise DomainError("LEAVE_DECIDED", f"this request was already {leave.status}", 409, {"status": leave.status})
    leave.status = "approved" if approve else "rejected"
    leave.decided_at, leave.decided_by = utcnow(), session.info.get("actor_id")
    announce_leave(session, "leave_decided", leave, branch_id, leave.decided_at)
    audit.record(
        session,
        f"leave.{'approve' if approve else 'reject'}",
        "leave_request",
        leave.id,
        branch_path,
        {"activity_id": activity_id, "member_id": leave.member_id},
    )
    return leave_view(leave)


def leave_activity(session: Session, leave_id: str) -> str:
    """The activity a leave request belongs to."""
    activity_id = session.scalar(select(LeaveRequest.activity_id).where(LeaveRequest.id == leave_id))
    if activity_id is None:
        raise DomainError("LEAVE_NOT_FOUND", f"leave request {leave_id} does not exist", 404)
    return activity_id


def leave_requests(
    session: Session, act: Activity, member_id: str | None, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """The activity's leave requests (only `member_id`'s if given), oldest first, each with the member's name."""
    chosen = [LeaveRequest.activity_id == act.id] + ([LeaveRequest.member_id == member_id] if member_id else [])
    total = session.scalar(select(func.count()).select_from(LeaveRequest).where(*chosen))
    rows = session.execute(
        select(LeaveRequest, SheetEntry.name)
        .join(
            SheetEntry,
            (SheetEntry.activity_id == LeaveRequest.activity_id) & (SheetEntry.member_id == LeaveRequest.member_id),
            isouter=True,
        )
        .where(*chosen)
        .order_by(LeaveRequest.requested_at, LeaveRequest.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [{**leave_view(leave), "name": name} for leave, name in rows]


def leave_view(leave: LeaveRequest) -> dict:
    return {
        "leave_id": leave.id,
        "activity_id": leave.activity_id,
        "member_id": leave.member_id,
        "reason": leave.reason,
        "status": leave.status,
        "requested_at": leave.requested_at.isoformat(),
        "decided_at": leave.decided_at.isoformat() if leave.decided_at else None,
    }
