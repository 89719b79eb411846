"""What scoring knows of each activity, from the events of plans, attendance and media; each change scores it
again (`scores.rescore`)."""

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_scoring import formula, scores, tree
from partyday_scoring.expectations import AttendanceCounted, DetailScoreChanged, MemberReflected, PlanApproved
from partyday_scoring.models import Reflection, RosterMember, ScoredActivity
from partyday_scoring.settings import get_settings


def _row(session: Session, activity_id: str, branch_id: str, branch_path: str) -> ScoredActivity:
    found = session.get(ScoredActivity, activity_id, with_for_update=True)
    if found is None:
        found = ScoredActivity(
            activity_id=activity_id,
            branch_id=branch_id,
            branch_path=tree.current_path(session, branch_id, branch_path),
            closed=False,
            expected=0,
            excused=0,
            signed_in=0,
            expected_mobile=0,
            mobile_excused=0,
            mobile_signed_in=0,
            detail_score=0,
            counts_version=0,
        )
        session.add(found)
    return found


def approved(session: Session, plan: PlanApproved, now: datetime) -> None:
    """An approved plan is an activity: its month, theme and the roster whose mobile members may like it."""
    act = _row(session, plan.activity_id, plan.branch_id, plan.branch_path)
    settings = get_settings()
    act.plan_id, act.month, act.theme = plan.plan_id, plan.month, plan.theme
    act.branch_id, act.branch_path = plan.branch_id, tree.current_path(session, plan.branch_id, plan.branch_path)
    act.freezes_at = formula.period_closes_at(plan.month, settings.scoring_time_zone, settings.scoring_grace_days)
    known = set(session.scalars(select(RosterMember.member_id).where(RosterMember.activity_id == act.activity_id)))
    for member in plan.roster:
        if member.member_id not in known:
            session.add(RosterMember(activity_id=act.activity_id, member_id=member.member_id, mobile=member.mobile))
    scores.rescore(session, act, now)


def attendance_counted(session: Session, counted: AttendanceCounted, now: datetime) -> bool:
    """`activity_closed` or `attendance_updated`: the counts the sign-in rate comes from. Each is a whole
    snapshot with attendance's `counts_version` (monotonic per activity; 0 in events from before it): one
    that is not newer than the snapshot applied last (stale, or delivered again) is ignored (False)."""
    version = counted.counts_version or 0
    act = _row(session, counted.activity_id, counted.branch_id, counted.branch_path or "")
    if act.closed and version <= act.counts_version:
        return False
    act.counts_version = version
    if counted.branch_path:
        act.branch_path = tree.current_path(session, act.branch_id, counted.branch_path)
    members = counted.members
    act.closed = True
    act.expected, act.excused = counted.expected, members.excused
    act.signed_in = members.signed_out + members.no_sign_out
    act.expected_mobile = counted.expected_mobile
    mobile = counted.mobile_members
    act.mobile_excused, act.mobile_signed_in = mobile.excused, mobile.signed_out + mobile.no_sign_out
    scores.rescore(session, act, now)
    return True


def detail_changed(session: Session, changed: DetailScoreChanged, now: datetime) -> None:
    """Media's detail score (图文详尽程度) of the activity's uploads; one judged before (`at`) the one applied last
    is stale and ignored."""
    at = changed.at.astimezone(timezone.utc)
    act = _row(session, changed.activity_id, changed.branch_id, changed.branch_path)
    if act.detail_at is not None and at < act.detail_at:
        return
    act.detail_score, act.detail_at = changed.detail_score, at
    scores.rescore(session, act, now)


def reflected(session: Session, reflection: MemberReflected, now: datetime) -> None:
    """A sign-out reflection counts as the member's comment."""
    if session.get(Reflection, (reflection.activity_id, reflection.member_id)) is None:
        session.add(
            Reflection(activity_id=reflection.activity_id, member_id=reflection.member_id, reflected_at=reflection.at)
        )
        session.flush()
    found = session.get(ScoredActivity, reflection.activity_id, with_for_update=True)
    if found is not None:
        scores.rescore(session, found, now)
