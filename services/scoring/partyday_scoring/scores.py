"""An activity's score: computed again whenever what it comes from changes, until the scoring period closes."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import emit
from partyday_common.errors import DomainError, invalid, not_found
from partyday_scoring import formula
from partyday_scoring.models import Comment, Like, QuizParticipation, Reflection, RosterMember, ScoredActivity
from partyday_scoring.settings import get_settings
from partyday_scoring_contracts.events import ScoreChanged, ScoresRecomputed

RESCORE_BATCH = 500


def weights() -> dict[str, float]:
    """The weights of PARTYDAY_SCORING_WEIGHTS (70,10,10,5,5 by default)."""
    return get_settings().weights


def activity(session: Session, activity_id: str, lock: bool = False) -> ScoredActivity:
    """A known activity; `lock` holds its row until commit, so that concurrent likes and comments
    are counted one after the other and none of them is lost from the score."""
    found = session.get(ScoredActivity, activity_id, with_for_update=lock)
    if found is None or found.month is None:
        raise not_found("activity", activity_id)
    return found


def summary(act: ScoredActivity) -> dict:
    """The activity's branch, month and theme, for the gateway's scope checks."""
    return {"activity_id": act.activity_id, "branch_id": act.branch_id, "month": act.month, "theme": act.theme}


def superior_scored(session: Session, activity_id: str, value: int, now: datetime) -> dict:
    """The superior's 0–100, until the period closes."""
    act = activity(session, activity_id, lock=True)
    if frozen(act, now):
        raise DomainError(
            "SCORE_PERIOD_CLOSED",
            "this activity's scoring period has closed",
            422,
            {"activity_id": activity_id, "closed_at": act.freezes_at.isoformat()},
        )
    act.superior_score = value
    rescore(session, act, now)
    audit.record(session, "score.superior", "activity", activity_id, act.branch_path, {"score": value})
    return view(act)


def frozen(act: ScoredActivity, now: datetime) -> bool:
    return act.freezes_at is not None and now >= act.freezes_at


def _mobile_likers(activity_ids):
    return (
        select(Like.activity_id, func.count())
        .join(RosterMember, (RosterMember.activity_id == Like.activity_id) & (RosterMember.member_id == Like.member_id))
        .where(Like.activity_id.in_(activity_ids), RosterMember.mobile.is_(True))
        .group_by(Like.activity_id)
    )


def _commenters(activity_ids):
    speakers = union(
        select(Comment.activity_id, Comment.member_id).where(
            Comment.activity_id.in_(activity_ids), Comment.status == "visible"
        ),
        select(Reflection.activity_id, Reflection.member_id).where(Reflection.activity_id.in_(activity_ids)),
    ).subquery()
    return (
        select(speakers.c.activity_id, func.count())
        .join(
            RosterMember,
            (RosterMember.activity_id == speakers.c.activity_id) & (RosterMember.member_id == speakers.c.member_id),
        )
        .group_by(speakers.c.activity_id)
    )


def facts(
    act: ScoredActivity, mobile_likers: int, commenters: int, quiz_participation: float | None = None
) -> formula.Facts:
    """The counts of the formula: attendance's, the likes and comments of members on the roster, and the branch's
    quiz participation in the month."""
    return formula.Facts(
        expected=act.expected,
        excused=act.excused,
        signed_in=act.signed_in,
        expected_mobile=act.expected_mobile,
        mobile_excused=act.mobile_excused or 0,
        mobile_signed_in=act.mobile_signed_in or 0,
        mobile_likers=mobile_likers,
        members=act.expected + act.expected_mobile,
        commenters=commenters,
        detail_score=act.detail_score,
        superior_score=act.superior_score,
        quiz_participation=quiz_participation,
    )


def _quiz_participation(session: Session, activities: list[ScoredActivity]) -> dict[tuple[str, str], float | None]:
    """The quiz participation of the activities' branches in their months, looked up only when it is weighed."""
    if not activities or not formula.with_quiz(weights()):
        return {}
    rows = session.scalars(
        select(QuizParticipation).where(
            QuizParticipation.branch_id.in_({act.branch_id for act in activities}),
            QuizParticipation.month.in_({act.month for act in activities}),
        )
    )
    return {(row.branch_id, row.month): formula.participation_rate(row.took, row.expected) for row in rows}


def rescore(session: Session, act: ScoredActivity, now: datetime) -> None:
    """Score a closed activity again, unless its period has closed; announce a changed total."""
    if not act.closed or act.month is None or frozen(act, now):
        return
    session.flush()
    likers = dict(session.execute(_mobile_likers([act.activity_id])).all())
    commenters = dict(session.execute(_commenters([act.activity_id])).all())
    quiz = _quiz_participation(session, [act]).get((act.branch_id, act.month))
    computed = formula.score(
        facts(act, likers.get(act.activity_id, 0), commenters.get(act.activity_id, 0), quiz), weights()
    )
    if act.score != computed:
        _store(act, computed, now)
        emit(
            session,
            "score_changed",
            ScoreChanged(
                activity_id=act.activity_id,
                branch_id=act.branch_id,
                branch_path=act.branch_path,
                month=act.month,
                **computed,
            ).model_dump(mode="json"),
        )


def rescore_many(session: Session, activities: list[ScoredActivity], now: datetime) -> int:
    """Score many activities again with two grouped queries in all, not two per activity; the changed
    ones are announced together by one `scores_recomputed`, not one `score_changed` each."""
    due = [act for act in activities if act.closed and act.month is not None and not frozen(act, now)]
    ids = [act.activity_id for act in due]
    likers = dict(session.execute(_mobile_likers(ids)).all()) if ids else {}
    commenters = dict(session.execute(_commenters(ids)).all()) if ids else {}
    quizzes = _quiz_participation(session, due)
    changed = 0
    for act in due:
        quiz = quizzes.get((act.branch_id, act.month))
        computed = formula.score(
            facts(act, likers.get(act.activity_id, 0), commenters.get(act.activity_id, 0), quiz), weights()
        )
        if act.score != computed:
            _store(act, computed, now)
            changed += 1
    if changed:
        emit(
            session,
            "scores_recomputed",
            ScoresRecomputed(
                months=sorted({act.month for act in due}), activities=len(due), changed=changed, at=now
            ).model_dump(mode="json"),
        )
    return changed


def _closed_batch(session: Session, month: str, after: str) -> list[ScoredActivity]:
    """The next `RESCORE_BATCH` closed activities of the month after activity id `after`, locked."""
    return session.scalars(
        select(ScoredActivity)
        .where(ScoredActivity.closed.is_(True), ScoredActivity.month == month, ScoredActivity.activity_id > after)
        .order_by(ScoredActivity.activity_id)
        .limit(RESCORE_BATCH)
        .with_for_update()
    ).all()


def rescore_month(transaction: Callable[[], AbstractContextManager[Session]], month: str | None, now: datetime) -> dict:
    """Score every closed activity of `month` again (400 MONTH_INVALID without a month like 2026-12), a batch
    of `RESCORE_BATCH` at a time, each locked (`FOR UPDATE`) and read afresh in a `transaction()` of its own:
    a like or an event scoring one of them at the same time is neither overwritten nor lost, for it waits for
    the batch, or the batch waits for it and sees it."""
    if not isinstance(month, str) or not formula.MONTH.match(month):
        raise invalid("MONTH_INVALID", "rescore_all needs the month to score again, like 2026-12", month=month)
    activities = changed = 0
    after = ""
    while True:
        with transaction() as session:
            batch = _closed_batch(session, month, after)
            if not batch:
                break
            changed += rescore_many(session, batch, now)
            activities += len(batch)
            after = batch[-1].activity_id
    return {"activities": activities, "changed": changed}


def _store(act: ScoredActivity, computed: dict, now: datetime) -> None:
    act.score, act.total, act.sign_in_rate = computed, computed["total"], computed["indicators"]["sign_in_rate"]
    act.scored_at = now


def view(act: ScoredActivity) -> dict:
    """`{total, indicators, weights}` as api.md has it, with what did not apply and whether it can still change."""
    base = {
        "activity_id": act.activity_id,
        "branch_id": act.branch_id,
        "month": act.month,
        "frozen_at": act.freezes_at.isoformat() if act.freezes_at else None,
        "scored_at": act.scored_at.isoformat() if act.scored_at else None,
    }
    if act.score is None:
        return {
            **base,
            "status": "pending",
            "total": None,
            "indicators": dict.fromkeys(formula.INDICATORS),
            "weights": weights(),
            "not_applicable": [],
        }
    return {**base, "status": "scored", **act.score}


def quiz_participation_changed(session: Session, changed, now: datetime) -> None:
    """Keep a branch's quiz participation in a month (the count of members' submissions only grows, so an older
    announcement arriving late changes nothing) and score the branch's activities of that month again."""
    found = session.get(QuizParticipation, (changed.branch_id, changed.month), with_for_update=True)
    if found is None:
        session.add(
            QuizParticipation(
                branch_id=changed.branch_id,
                month=changed.month,
                took=changed.took,
                expected=changed.expected,
                announced_at=now,
            )
        )
    elif changed.took >= found.took:
        found.took, found.expected, found.announced_at = changed.took, changed.expected, now
    else:
        return
    session.flush()
    for act in session.scalars(
        select(ScoredActivity)
        .where(ScoredActivity.branch_id == changed.branch_id, ScoredActivity.month == changed.month)
        .with_for_update()
    ):
        rescore(session, act, now)
