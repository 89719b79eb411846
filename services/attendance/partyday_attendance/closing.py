"""Closing a sheet when its sign-out window ends: each entry's final status, the absence streaks, and the counts
announced as `activity_closed` (and again as `attendance_updated` when a late offline scan changes them)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_attendance import absences, makeups, rules
from partyday_attendance.models import Activity, LeaveRequest, SheetEntry
from partyday_attendance_contracts.events import ActivityClosed, AttendanceUpdated
from partyday_common.db import emit

STATUSES = ("signed_out", "no_sign_out", "absent", "excused")


def close_due(session: Session, now: datetime, absence_threshold: int, makeup_due_days: int) -> int:
    """Close every activity whose sign-out window has ended by `now`, the longest ended first; how many."""
    due = session.scalars(
        select(Activity)
        .where(Activity.closed_at.is_(None), Activity.closes_at <= now)
        .order_by(Activity.closes_at)
        .with_for_update()
    ).all()
    for act in due:
        close(session, act, now, absence_threshold, makeup_due_days)
    return len(due)


def close(session: Session, act: Activity, now: datetime, absence_threshold: int, makeup_due_days: int) -> dict:
    """Final statuses: no sign-in is absent (or excused with approved leave), no sign-out is recorded as such; each
    member absent without leave gets a make-up study (`makeups`)."""
    excused = set(
        session.scalars(
            select(LeaveRequest.member_id).where(LeaveRequest.activity_id == act.id, LeaveRequest.status == "approved")
        )
    )
    entries = session.scalars(select(SheetEntry).where(SheetEntry.activity_id == act.id).with_for_update()).all()
    for entry in entries:
        entry.status = rules.closing_status(
            entry.signed_in_at is not None, entry.signed_out_at is not None, entry.member_id in excused
        )
        if not entry.guest and act.kind == absences.THEME_DAY:
            absences.track(session, act, entry, absence_threshold)
    act.closed_at = now
    for entry in entries:
        if entry.status == "absent" and not entry.guest:
            makeups.follow(session, act, entry, now, makeup_due_days)
    counts = recount(session, act, announce=False)
    emit(
        session,
        "activity_closed",
        ActivityClosed(
            activity_id=act.id,
            plan_id=act.plan_id,
            branch_id=act.branch_id,
            branch_path=act.branch_path,
            closed_at=now,
            counts_version=act.counts_version,
            **counts,
        ).model_dump(mode="json"),
    )
    return counts


def recount(session: Session, act: Activity, announce: bool = True) -> dict:
    """The activity's counts per status for members, mobile members and guests, under a new `counts_version`;
    announced as `attendance_updated` unless the close announces them."""
    entries = session.scalars(select(SheetEntry).where(SheetEntry.activity_id == act.id)).all()
    session.flush()
    counts = {group: {status: 0 for status in STATUSES} for group in ("members", "mobile_members", "guests")}
    for entry in entries:
        status = entry.status if entry.status in STATUSES else ("no_sign_out" if entry.signed_in_at else "absent")
        counts[_group(entry)][status] += 1
    counts["expected"] = sum(1 for e in entries if _group(e) == "members")
    counts["expected_mobile"] = sum(1 for e in entries if _group(e) == "mobile_members")
    act.counts = counts
    act.counts_version = (act.counts_version or 0) + 1
    if announce:
        emit(
            session,
            "attendance_updated",
            AttendanceUpdated(
                activity_id=act.id, branch_id=act.branch_id, counts_version=act.counts_version, **counts
            ).model_dump(mode="json"),
        )
    return counts


def _group(entry: SheetEntry) -> str:
    return "guests" if entry.guest else "mobile_members" if entry.mobile else "members"
