"""Who is on a sign-in sheet: the roster snapshot of the approved plan, followed until the activity starts, and
the guests the branch admin invites."""

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from partyday_attendance import rules
from partyday_attendance.activities import windows_of
from partyday_attendance.expectations import MemberChanged, PlanApproved
from partyday_attendance.models import AbsenceStreak, Activity, SheetEntry
from partyday_attendance.views import entry_view
from partyday_common import audit
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
            kind=plan.kind,
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


def follow_roster(session: Session, members: list[MemberChanged], now: datetime) -> None:
    """Until an activity starts, its sheet follows members joining, moving and leaving its branch; a member who
    leaves has no absence streak any more. Set-based, so that an import's batch costs a few statements."""
    by_id = {member.member_id: member for member in members}
    gone = [member.member_id for member in members if not member.active]
    if gone:
        session.execute(delete(AbsenceStreak).where(AbsenceStreak.member_id.in_(gone)))
    branches = {member.branch_id for member in members if member.active and member.branch_id}
    upcoming: dict[str, list[str]] = {}
    for activity_id, branch_id in session.execute(
        select(Activity.id, Activity.branch_id).where(Activity.starts_at > now, Activity.branch_id.in_(branches))
    ):
        upcoming.setdefault(branch_id, []).append(activity_id)
    entries = session.execute(
        select(SheetEntry.activity_id, SheetEntry.member_id, SheetEntry.status, SheetEntry.guest, Activity.branch_id)
        .join(Activity, Activity.id == SheetEntry.activity_id)
        .where(Activity.starts_at > now, SheetEntry.member_id.in_(by_id))
    ).all()
    on_sheet = {(entry.activity_id, entry.member_id) for entry in entries}
    joining = [
        {
            "activity_id": activity_id,
            "member_id": member.member_id,
            "name": member.name,
            "mobile": member.mobile,
            "guest": False,
            "status": "expected",
            "sent_late": False,
        }
        for member in members
        if member.active
        for activity_id in upcoming.get(member.branch_id, ())
        if (activity_id, member.member_id) not in on_sheet
    ]
    if joining:
        session.execute(insert(SheetEntry.__table__), joining)
    for entry in entries:
        member = by_id[entry.member_id]
        belongs = member.active and member.branch_id == entry.branch_id
        if not belongs and entry.status == "expected" and not entry.guest:
            session.execute(
                delete(SheetEntry).where(
                    SheetEntry.activity_id == entry.activity_id, SheetEntry.member_id == entry.member_id
                )
            )


def invite_guest(session: Session, act: Activity, member: dict, now: datetime) -> dict:
    """An invited guest (列席人员) may sign in like a member of the branch and is counted apart; audited as
    `guest.invite`."""
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
    audit.record(session, "guest.invite", "activity", act.id, act.branch_path, {"member_id": member["member_id"]})
    return entry_view(entry)


def remove_guest(session: Session, act: Activity, member_id: str) -> dict:
    """Withdraw an invitation (not once the guest has signed in); the line as it was. Audited as `guest.remove`."""
    entry = session.get(SheetEntry, (act.id, member_id))
    if entry is None or not entry.guest:
        raise DomainError("GUEST_NOT_FOUND", "this member is not an invited guest of the activity", 404)
    if entry.signed_in_at is not None:
        raise DomainError("GUEST_SIGNED_IN", "a guest who has signed in stays on the sheet", 409)
    session.delete(entry)
    audit.record(session, "guest.remove", "activity", act.id, act.branch_path, {"member_id": member_id})
    return entry_view(entry)
