"""Absence streaks: the party days each member missed in a row, counted at each close, counted again when a late
offline sign-in changes a closed sheet, and the members a branch admin is told to follow up. Only theme days count:
the other meetings (三会一课) neither lengthen nor end a streak."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from partyday_attendance.models import AbsenceStreak, Activity, SheetEntry
from partyday_attendance_contracts.events import AbsenceFlagged
from partyday_common.db import emit

THEME_DAY = "theme_day"


def track(session: Session, act: Activity, entry: SheetEntry, threshold: int) -> None:
    """Count a member's closing status into their streak: an absence lengthens it (announcing the member once
    it reaches `threshold`), approved leave leaves it as it is, anything else ends it."""
    streak = session.get(AbsenceStreak, entry.member_id, with_for_update=True)
    if streak is None:
        streak = AbsenceStreak(member_id=entry.member_id, branch_id=act.branch_id, streak=0, flagged=False)
        session.add(streak)
    if entry.status == "absent":
        streak.streak += 1
        if streak.streak >= threshold and not streak.flagged:
            streak.flagged = True
            emit(
                session,
                "member_absence_flagged",
                AbsenceFlagged(
                    member_id=entry.member_id,
                    branch_id=act.branch_id,
                    consecutive_absences=streak.streak,
                    activity_id=act.id,
                ).model_dump(mode="json"),
            )
    elif entry.status != "excused":
        streak.streak, streak.flagged = 0, False


def restreak(session: Session, member_id: str, threshold: int) -> None:
    """Count a member's streak again from their closed sheets, newest first, after a late offline sign-in changed
    one: absences count, approved leave neither counts nor breaks it, anything else ends it."""
    streak = session.get(AbsenceStreak, member_id, with_for_update=True)
    if streak is None:
        return
    count = 0
    for status in session.scalars(_closed_lines(member_id, SheetEntry.status)):
        if status == "absent":
            count += 1
        elif status != "excused":
            break
    streak.streak = count
    streak.flagged = streak.flagged and count >= threshold


def absence_flags(session: Session, branch_id: str, threshold: int, offset: int, limit: int) -> tuple[int, list[dict]]:
    """The members on the branch's newest closed sheet who have missed `threshold` party days in a row or more (a
    member who has moved away stays listed until the branch's next party day closes), longest streak first, each
    with the last party day they missed."""
    newest = (
        select(Activity.id)
        .where(Activity.branch_id == branch_id, Activity.kind == THEME_DAY, Activity.closed_at.is_not(None))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_missed = (
        _closed_lines(AbsenceStreak.member_id, Activity.id)
        .where(SheetEntry.status == "absent")
        .limit(1)
        .correlate(AbsenceStreak)
        .scalar_subquery()
    )
    flagged = (
        select(AbsenceStreak.member_id, AbsenceStreak.streak, SheetEntry.name)
        .join(SheetEntry, SheetEntry.member_id == AbsenceStreak.member_id)
        .where(SheetEntry.activity_id == newest, SheetEntry.guest.is_(False), AbsenceStreak.streak >= threshold)
    )
    total = session.scalar(select(func.count()).select_from(flagged.subquery()))
    missed = aliased(Activity)
    rows = session.execute(
        flagged.add_columns(missed.id, missed.theme, missed.starts_at)
        .join(missed, missed.id == last_missed, isouter=True)
        .order_by(AbsenceStreak.streak.desc(), SheetEntry.name, AbsenceStreak.member_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [
        {
            "member_id": member_id,
            "name": name,
            "consecutive_absences": streak,
            "last_absence": None
            if activity_id is None
            else {"activity_id": activity_id, "theme": theme, "starts_at": starts_at.isoformat()},
        }
        for member_id, streak, name, activity_id, theme, starts_at in rows
    ]


def _closed_lines(member_id, *columns):
    """A member's own lines (not as a guest) on closed sheets, newest first: what their absence streak counts."""
    return (
        select(*columns)
        .select_from(SheetEntry)
        .join(Activity, Activity.id == SheetEntry.activity_id)
        .where(
            SheetEntry.member_id == member_id,
            SheetEntry.guest.is_(False),
            Activity.kind == THEME_DAY,
            Activity.closed_at.is_not(None),
        )
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
    )
