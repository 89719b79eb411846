"""Who is on a sign-in sheet: the roster snapshot of the approved plan, followed until the activity starts, and
the guests the branch admin invites."""

from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from partyday_attendance import rules
from partyday_attendance.activities import windows_of
from partyday_attendance.expectations import MemberChanged, PlanApproved
from partyday_attendance.models import AbsenceStreak, Activity, SheetEntry
from partyday_attendance.views import entry_view
from partyday_common.errors import DomainError


def open_sheet(session: Session, plan: PlanApproved) -> None:
    """The activity and its sign-in sheet, from `plan_approved`'s roster snapshot; the first approval is kept."""
    if session.get(Activity, plan.activity_id) is not None:
        return
    attendance_rules = plan.attendance_rules.model_dump()
    window = rules.windows(plan.starts_at, plan.ends_at, attendance_rules)
    session.add(
        Activity(
            id=plan.activity_id,
            plan_id=plan.plan_id,
            branch_id=plan.branch_id,
            branch_path=plan.branch_path,
            theme=plan.theme,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            closes_at=window.sign_out_closes,
            venue_name=plan.venue_name,
            venue_lat=plan.venue_lat,
            venue_lon=plan.venue_lon,
            radius_m=plan.radius_m,
            rules=attendance_rules,
        )
    )
    session.flush()
    if plan.roster:
        session.execute(
            insert(SheetEntry.__table__),
            [
                {
                    "activity_id": plan.activity_id,
                    "member_id": member.member_id,
                    "name": member.name,
                    "mobile": member.mobile,
                    "guest": False,
                    "status": "expected",
                    "sent_late": False,
                }
                for member in plan.roster
            ],
        )


def follow_roster(session: Session, member: MemberChanged, now: datetime) -> None:
    """Until an activity starts, its sheet follows members joining, moving and leaving its branch; a member who
    leaves has no absence streak any more."""
    if not member.active:
        session.execute(delete(AbsenceStreak).where(AbsenceStreak.member_id == member.member_id))
    on_sheet = select(SheetEntry.activity_id).where(SheetEntry.member_id == member.member_id)
    upcoming = session.scalars(
        select(Activity).where(
            Activity.starts_at > now, or_(Activity.branch_id == member.branch_id, Activity.id.in_(on_sheet))
        )
    ).all()
    for activity in upcoming:
        entry = session.get(SheetEntry, (activity.id, member.member_id))
        belongs = member.active and member.branch_id == activity.branch_id
        if belongs and entry is None:
            session.add(
                SheetEntry(
                    activity_id=activity.id,
                    member_id=member.member_id,
                    name=member.name,
                    mobile=member.mobile,
                    guest=False,
                    status="expected",
                    sent_late=False,
                )
            )
        elif not belongs and entry is not None and entry.status == "expected" and not entry.guest:
            session.delete(entry)


def invite_guest(session: Session, act: Activity, member: dict, now: datetime) -> dict:
    """An invited guest (列席人员) may sign in like a member of the branch and is counted apart."""
    if act.closed_at is not None:
        raise DomainError("ACTIVITY_CLOSED", "this activity is closed", 409)
    if now >= windows_of(act).sign_in_closes:
        raise DomainError("WINDOW_CLOSED", "guests are invited before the sign-in window closes", 422)
    if session.get(SheetEntry, (act.id, member["member_id"])) is not None:
        raise DomainError("ALREADY_ON_SHEET", "this member is already on the sign-in sheet", 409)
    entry = SheetEntry(
        activity_id=act.id,
        member_id=member["member_id"],
        name=member["name"],
        mobile=False,
        guest=True,
        status="expected",
        sent_late=False,
    )
    session.add(entry)
    return entry_view(entry)


def remove_guest(session: Session, act: Activity, member_id: str) -> dict:
    """Withdraw an invitation (not once the guest has signed in); the line as it was."""
    entry = session.get(SheetEntry, (act.id, member_id))
    if entry is None or not entry.guest:
        raise DomainError("GUEST_NOT_FOUND", "this member is not an invited guest of the activity", 404)
    if entry.signed_in_at is not None:
        raise DomainError("GUEST_SIGNED_IN", "a guest who has signed in stays on the sheet", 409)
    session.delete(entry)
    return entry_view(entry)
