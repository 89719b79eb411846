"""A members' meeting's decisions (表决) and the double majority (双过半): a decision passes only when more than half
of the members expected are present and more than half of those present vote in favour. Attendance owns them,
for the sign-in sheet says who was expected (the branch's members on it, guests apart) and who is present (those
of them signed in when the decision is recorded)."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_attendance.activities import find
from partyday_attendance.models import MeetingDecision, SheetEntry
from partyday_attendance_contracts.rpc import MeetingDecisionCreate
from partyday_common import audit
from partyday_common.errors import DomainError
from partyday_common.pagination import page_bounds

MEMBERS_MEETING = "members_meeting"


def passes(expected: int, present: int, in_favour: int) -> bool:
    """双过半: more than half of those expected present, and more than half of those present in favour (exactly
    half is not more than half)."""
    return present * 2 > expected and in_favour * 2 > present


def check_votes(present: int, in_favour: int, against: int, abstaining: int) -> None:
    """No more votes are cast than members present (422 `VOTES_EXCEED_PRESENT`)."""
    cast = in_favour + against + abstaining
    if cast > present:
        raise DomainError(
            "VOTES_EXCEED_PRESENT",
            f"{cast} votes were cast but only {present} members are present",
            422,
            {"cast": cast, "present": present},
        )


def decision_view(decision: MeetingDecision) -> dict:
    return {
        "decision_id": decision.id,
        "activity_id": decision.activity_id,
        "title": decision.title,
        "in_favour": decision.in_favour,
        "against": decision.against,
        "abstaining": decision.abstaining,
        "expected": decision.expected,
        "present": decision.present,
        "passed": decision.passed,
        "recorded_by": decision.recorded_by,
        "recorded_at": decision.recorded_at.isoformat(),
    }


def _members_meeting(session: Session, activity_id: str):
    act = find(session, activity_id)
    if act.kind != MEMBERS_MEETING:
        raise DomainError(
            "NOT_A_MEMBERS_MEETING",
            "only a members' meeting (党员大会) records decisions",
            422,
            {"activity_id": activity_id, "kind": act.kind},
        )
    return act


def expected_and_present(session: Session, activity_id: str) -> tuple[int, int]:
    """The members on the sheet (guests apart), and how many of them have signed in."""
    members = select(SheetEntry).where(SheetEntry.activity_id == activity_id, SheetEntry.guest.is_(False)).subquery()
    expected, present = session.execute(
        select(func.count(), func.count(members.c.signed_in_at)).select_from(members)
    ).one()
    return expected, present


def record_decision(session: Session, activity_id: str, request: MeetingDecisionCreate, now: datetime) -> dict:
    """Record a decision of a members' meeting with the sheet's expected and present members as they stand now;
    audited as `decision.record`."""
    act = _members_meeting(session, activity_id)
    expected, present = expected_and_present(session, activity_id)
    check_votes(present, request.in_favour, request.against, request.abstaining)
    decision = MeetingDecision(
        id=uuid.uuid4().hex,
        activity_id=activity_id,
        title=request.title,
        in_favour=request.in_favour,
        against=request.against,
        abstaining=request.abstaining,
        expected=expected,
        present=present,
        passed=passes(expected, present, request.in_favour),
        recorded_by=session.info.get("actor_id"),
        recorded_at=now,
    )
    session.add(decision)
    audit.record(
        session,
        "decision.record",
        "activity",
        act.id,
        act.branch_path,
        {"title": request.title, "passed": decision.passed, "in_favour": request.in_favour, "present": present},
    )
    return decision_view(decision)


def decisions_page(session: Session, activity_id: str, page: int, page_size: int) -> dict:
    """A members' meeting's decisions, oldest first, with the sheet's expected and present members now."""
    _members_meeting(session, activity_id)
    offset, limit = page_bounds(page, page_size)
    mine = select(MeetingDecision).where(MeetingDecision.activity_id == activity_id)
    total = session.scalar(select(func.count()).select_from(mine.subquery()))
    found = session.scalars(mine.order_by(MeetingDecision.recorded_at, MeetingDecision.id).offset(offset).limit(limit))
    expected, present = expected_and_present(session, activity_id)
    return {
        "activity_id": activity_id,
        "expected": expected,
        "present": present,
        "items": [decision_view(d) for d in found],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
