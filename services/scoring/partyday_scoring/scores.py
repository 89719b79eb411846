"""What scoring knows of each activity, from the events of plans, attendance and media, and its score."""
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from partyday_common.clock import aware
from partyday_common.db import emit
from partyday_common.errors import DomainError, not_found
from partyday_common.settings import get_settings
from partyday_scoring import formula, tree
from partyday_scoring.models import Comment, Like, PlanProgress, Reflection, RosterMember, ScoredActivity


@lru_cache
def weights() -> dict[str, float]:
    """The weights of PARTYDAY_SCORING_WEIGHTS (70,10,10,5,5 by default); a bad value stops the service."""
    return formula.parse_weights(get_settings().scoring_weights)


def activity(session: Session, activity_id: str, lock: bool = False) -> ScoredActivity:
    """A known activity; `lock` holds its row until commit, so that concurrent likes and comments
    are counted one after the other and none of them is lost from the score."""
    found = session.get(ScoredActivity, activity_id, with_for_update=lock)
    if found is None or found.month is None:
        raise not_found("activity", activity_id)
    return found


def _row(session: Session, activity_id: str, branch_id: str, branch_path: str) -> ScoredActivity:
    found = session.get(ScoredActivity, activity_id, with_for_update=True)
    if found is None:
        found = ScoredActivity(activity_id=activity_id, branch_id=branch_id,
                               branch_path=tree.current_path(session, branch_id, branch_path), closed=False,
                               expected=0, excused=0, signed_in=0, expected_mobile=0, detail_score=0,
                               counts_version=0)
        session.add(found)
    return found


def _progress(session: Session, data: dict) -> PlanProgress:
    found = session.get(PlanProgress, data["plan_id"])
    if found is None:
        found = PlanProgress(plan_id=data["plan_id"], branch_id=data["branch_id"],
                             branch_path=tree.current_path(session, data["branch_id"], data["branch_path"]),
                             month=data["month"], planned=True, approved=False, held=False, summarized=False)
        session.add(found)
    found.activity_id = data.get("activity_id") or found.activity_id
    return found


def plan_moved(session: Session, event_type: str, data: dict, now: datetime) -> None:
    """Follow a plan's progress; events of one plan may arrive in any order, so flags only ever turn on."""
    progress = _progress(session, data)
    if event_type in ("plan_approved", "plan_held", "summary_submitted", "plan_archived"):
        progress.approved = True
    if event_type in ("plan_held", "summary_submitted", "plan_archived"):
        progress.held = True
    if event_type == "summary_submitted" or (event_type == "plan_archived" and data.get("summary_chars")):
        progress.summarized = True
    if event_type == "plan_approved":
        approved(session, data, now)


def approved(session: Session, data: dict, now: datetime) -> None:
    """An approved plan is an activity: its month, theme and the roster whose mobile members may like it."""
    act = _row(session, data["activity_id"], data["branch_id"], data["branch_path"])
    settings = get_settings()
    act.plan_id, act.month, act.theme = data["plan_id"], data["month"], data["theme"]
    act.branch_id, act.branch_path = data["branch_id"], tree.current_path(session, data["branch_id"],
                                                                          data["branch_path"])
    act.freezes_at = formula.period_closes_at(data["month"], settings.scoring_time_zone, settings.scoring_grace_days)
    known = set(session.scalars(select(RosterMember.member_id).where(RosterMember.activity_id == act.activity_id)))
    for member in data["roster"]:
        if member["member_id"] not in known:
            session.add(RosterMember(activity_id=act.activity_id, member_id=member["member_id"],
                                     mobile=bool(member["mobile"])))
    rescore(session, act, now)


def attendance_counted(session: Session, data: dict, now: datetime) -> None:
    """`activity_closed` or `attendance_updated`: the counts the sign-in rate comes from. Each is a whole
    snapshot with attendance's `counts_version` (monotonic per activity; 0 in events from before it): one
    that is not newer than the snapshot applied last (stale, or delivered again) is ignored."""
    version = int(data.get("counts_version") or 0)
    act = _row(session, data["activity_id"], data["branch_id"], data.get("branch_path", ""))
    if act.closed and version <= act.counts_version:
        return
    act.counts_version = version
    if data.get("branch_path"):
        act.branch_path = tree.current_path(session, act.branch_id, data["branch_path"])
    members = data["members"]
    act.closed = True
    act.expected, act.excused = data["expected"], members["excused"]
    act.signed_in = members["signed_out"] + members["no_sign_out"]
    act.expected_mobile = data["expected_mobile"]
    progress = session.scalar(select(PlanProgress).where(PlanProgress.activity_id == act.activity_id))
    if progress is not None:
        progress.held = True
    rescore(session, act, now)


def detail_changed(session: Session, data: dict, now: datetime) -> None:
    """Media's detail score (图文详尽程度) of the activity's uploads; one judged before (`at`) the one applied last
    is stale and ignored."""
    at = aware(datetime.fromisoformat(data["at"])).astimezone(timezone.utc)
    act = _row(session, data["activity_id"], data["branch_id"], data["branch_path"])
    if act.detail_at is not None and at < aware(act.detail_at):
        return
    act.detail_score, act.detail_at = max(0, min(100, int(data["detail_score"]))), at
    rescore(session, act, now)


def reflected(session: Session, data: dict, now: datetime) -> None:
    """A sign-out reflection counts as the member's comment."""
    if session.get(Reflection, (data["activity_id"], data["member_id"])) is None:
        session.add(Reflection(activity_id=data["activity_id"], member_id=data["member_id"],
                               reflected_at=datetime.fromisoformat(data["at"]) if isinstance(data["at"], str)
                               else data["at"]))
        session.flush()
    found = session.get(ScoredActivity, data["activity_id"], with_for_update=True)
    if found is not None:
        rescore(session, found, now)


def superior_scored(session: Session, activity_id: str, value: int, now: datetime) -> dict:
    """The superior's 0–100, until the period closes."""
    act = activity(session, activity_id, lock=True)
    if frozen(act, now):
        raise DomainError("SCORE_PERIOD_CLOSED", "this activity's scoring period has closed", 422,
                          {"activity_id": activity_id, "closed_at": aware(act.freezes_at).isoformat()})
    act.superior_score = value
    rescore(session, act, now)
    return view(act)


def frozen(act: ScoredActivity, now: datetime) -> bool:
    return act.freezes_at is not None and now >= aware(act.freezes_at)


def _mobile_likers(activity_ids):
    return (select(Like.activity_id, func.count())
            .join(RosterMember, (RosterMember.activity_id == Like.activity_id)
                  & (RosterMember.member_id == Like.member_id))
            .where(Like.activity_id.in_(activity_ids), RosterMember.mobile.is_(True))
            .group_by(Like.activity_id))


def _commenters(activity_ids):
    speakers = union(
        select(Comment.activity_id, Comment.member_id).where(Comment.activity_id.in_(activity_ids),
                                                             Comment.status == "visible"),
        select(Reflection.activity_id, Reflection.member_id).where(Reflection.activity_id.in_(activity_ids))
    ).subquery()
    return (select(speakers.c.activity_id, func.count())
            .join(RosterMember, (RosterMember.activity_id == speakers.c.activity_id)
                  & (RosterMember.member_id == speakers.c.member_id))
            .group_by(speakers.c.activity_id))


def facts(act: ScoredActivity, mobile_likers: int, commenters: int) -> formula.Facts:
    """The counts of the formula: attendance's, and the likes and comments of members on the roster."""
    return formula.Facts(expected=act.expected, excused=act.excused, signed_in=act.signed_in,
                         expected_mobile=act.expected_mobile, mobile_likers=mobile_likers,
                         members=act.expected + act.expected_mobile, commenters=commenters,
                         detail_score=act.detail_score, superior_score=act.superior_score)


def rescore(session: Session, act: ScoredActivity, now: datetime) -> None:
    """Score a closed activity again, unless its period has closed; announce a changed total."""
    if not act.closed or act.month is None or frozen(act, now):
        return
    session.flush()
    likers = dict(session.execute(_mobile_likers([act.activity_id])).all())
    commenters = dict(session.execute(_commenters([act.activity_id])).all())
    computed = formula.score(facts(act, likers.get(act.activity_id, 0), commenters.get(act.activity_id, 0)),
                             weights())
    if act.score != computed:
        _store(act, computed, now)
        emit(session, "score_changed", {"activity_id": act.activity_id, "branch_id": act.branch_id,
                                        "branch_path": act.branch_path, "month": act.month, **computed})


def rescore_many(session: Session, activities: list[ScoredActivity], now: datetime) -> int:
    """Score many activities again with two grouped queries in all, not two per activity; the changed
    ones are announced together by one `scores_recomputed`, not one `score_changed` each."""
    due = [act for act in activities if act.closed and act.month is not None and not frozen(act, now)]
    ids = [act.activity_id for act in due]
    likers = dict(session.execute(_mobile_likers(ids)).all()) if ids else {}
    commenters = dict(session.execute(_commenters(ids)).all()) if ids else {}
    changed = 0
    for act in due:
        computed = formula.score(facts(act, likers.get(act.activity_id, 0), commenters.get(act.activity_id, 0)),
                                 weights())
        if act.score != computed:
            _store(act, computed, now)
            changed += 1
    if changed:
        emit(session, "scores_recomputed", {"months": sorted({act.month for act in due}), "activities": len(due),
                                            "changed": changed, "at": now.isoformat()})
    return changed


def _store(act: ScoredActivity, computed: dict, now: datetime) -> None:
    act.score, act.total, act.sign_in_rate = computed, computed["total"], computed["indicators"]["sign_in_rate"]
    act.scored_at = now


def view(act: ScoredActivity) -> dict:
    """`{total, indicators, weights}` as api.md has it, with what did not apply and whether it can still change."""
    base = {"activity_id": act.activity_id, "branch_id": act.branch_id, "month": act.month,
            "frozen_at": aware(act.freezes_at).isoformat() if act.freezes_at else None,
            "scored_at": aware(act.scored_at).isoformat() if act.scored_at else None}
    if act.score is None:
        return {**base, "status": "pending", "total": None,
                "indicators": dict.fromkeys(formula.INDICATORS), "weights": weights(), "not_applicable": []}
    return {**base, "status": "scored", **act.score}
