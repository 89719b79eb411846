"""Activities as media follows them from plans' and attendance's events (in whatever order they
arrive), and each activity's detail score (图文详尽程度), announced when it changes."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError
from partyday_media import rules
from partyday_media.expectations import ActivityClosedExpected, PlanApprovedExpected, SummaryExpected
from partyday_media.models import Activity, Media
from partyday_media_contracts.events import DetailScoreChanged


def _row(session: Session, activity_id: str, branch_id: str, branch_path: str, month: str | None) -> Activity:
    found = session.get(Activity, activity_id, with_for_update=True)
    if found is None:
        found = Activity(
            id=activity_id,
            branch_id=branch_id,
            branch_path=branch_path,
            month=month,
            approved=False,
            required_actions=[],
            summary_chars=0,
            sheet_closed=False,
            detail_score=0,
        )
        session.add(found)
    return found


def follow_plan_approved(session: Session, payload: PlanApprovedExpected) -> None:
    """The activity's branch, day, venue and required actions."""
    act = _row(session, payload.activity_id, payload.branch_id, payload.branch_path, payload.month)
    act.approved, act.month, act.starts_at = True, payload.month, payload.starts_at
    act.starts_offset_min = int(payload.starts_at.utcoffset().total_seconds() // 60)
    act.venue_lat, act.venue_lon, act.radius_m = payload.venue_lat, payload.venue_lon, payload.radius_m
    act.required_actions = list(payload.required_actions)
    rescore(session, act)


def follow_summary(session: Session, payload: SummaryExpected) -> None:
    """The summary's length, for the summary part of the score."""
    if not payload.activity_id:
        return
    act = _row(session, payload.activity_id, payload.branch_id, payload.branch_path, payload.month)
    act.summary_chars = payload.summary_chars
    rescore(session, act)


def follow_sheet_closed(session: Session, payload: ActivityClosedExpected) -> None:
    """The activity's sign-in sheet is complete."""
    act = _row(session, payload.activity_id, payload.branch_id, payload.branch_path, None)
    act.sheet_closed = True
    rescore(session, act)


def approved(session: Session, activity_id: str, lock: bool = False) -> Activity:
    """An activity whose plan was approved, or 404 ACTIVITY_NOT_FOUND."""
    found = session.get(Activity, activity_id, with_for_update=lock)
    if found is None or not found.approved:
        raise DomainError(
            "ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404, {"id": activity_id}
        )
    return found


def view(act: Activity) -> dict:
    return {
        "activity_id": act.id,
        "branch_id": act.branch_id,
        "month": act.month,
        "required_actions": act.required_actions,
    }


def venue_day(act: Activity) -> tuple[datetime | None, tuple[float, float, int]]:
    """(its start in its own offset, (lat, lon, radius_m)): what a photo's evidence is judged against."""
    starts = None
    if act.starts_at is not None:
        starts = act.starts_at.astimezone(timezone(timedelta(minutes=act.starts_offset_min or 0)))
    return starts, (act.venue_lat, act.venue_lon, act.radius_m)


def rescore(session: Session, act: Activity) -> None:
    """Recompute the activity's detail score; announce it when it changed."""
    session.flush()
    approved_media = session.scalars(select(Media).where(Media.activity_id == act.id, Media.status == "approved")).all()
    photos = [media for media in approved_media if media.kind == "image"]
    score, breakdown = rules.detail_score(
        len(photos),
        act.summary_chars,
        act.required_actions,
        {media.action for media in photos if media.action},
        act.sheet_closed,
    )
    if score == act.detail_score and act.breakdown is not None:
        act.breakdown = breakdown
        return
    changed = score != act.detail_score
    act.detail_score, act.breakdown = score, breakdown
    if changed:
        emit(
            session,
            "detail_score_changed",
            DetailScoreChanged(
                activity_id=act.id,
                branch_id=act.branch_id,
                branch_path=act.branch_path,
                detail_score=score,
                breakdown=breakdown,
                at=utcnow(),
            ).model_dump(mode="json"),
        )
