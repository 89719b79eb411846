"""Attendance's and media's snapshots are applied in their own order, never last-writer-wins: a stale or
redelivered one never takes a score back."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from partyday_scoring import activities
from partyday_scoring.expectations import AttendanceCounted, DetailScoreChanged, PlanApproved
from partyday_scoring.models import ScoredActivity, metadata

NOW = datetime(2026, 12, 8, tzinfo=timezone.utc)
BRANCH = {"branch_id": "b1", "branch_path": "/city/b1/"}


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info.update(service="scoring", outbox_table=metadata.tables["outbox_messages"])
        activities.approved(
            session,
            PlanApproved(activity_id="a1", plan_id="p1", month="2026-12", theme="学习党章", roster=[], **BRANCH),
            NOW,
        )
        yield session
    engine.dispose()


def counts(signed_in: int, **version) -> AttendanceCounted:
    return AttendanceCounted.model_validate(
        {
            "activity_id": "a1",
            **BRANCH,
            "expected": 10,
            "expected_mobile": 0,
            **version,
            "members": {"signed_out": signed_in, "no_sign_out": 0, "absent": 10 - signed_in, "excused": 0},
        }
    )


def signed_in(session) -> int:
    return session.get(ScoredActivity, "a1").signed_in


def test_counts_older_than_or_as_old_as_the_applied_ones_are_ignored(session):
    activities.attendance_counted(session, counts(5, counts_version=1), NOW)
    activities.attendance_counted(session, counts(8, counts_version=3), NOW)
    assert signed_in(session) == 8
    activities.attendance_counted(session, counts(6, counts_version=2), NOW)
    assert signed_in(session) == 8, "a stale snapshot is ignored"
    activities.attendance_counted(session, counts(7, counts_version=3), NOW)
    assert signed_in(session) == 8, "an equal version is ignored"
    activities.attendance_counted(session, counts(9, counts_version=4), NOW)
    assert signed_in(session) == 9 and session.get(ScoredActivity, "a1").counts_version == 4
    assert session.get(ScoredActivity, "a1").total == 74.12  # 70 × 0.9 / (70 + 10 + 5) × 100


def test_counts_without_a_version_are_version_0(session):
    activities.attendance_counted(session, counts(5), NOW)
    assert signed_in(session) == 5 and session.get(ScoredActivity, "a1").closed
    activities.attendance_counted(session, counts(4), NOW)
    assert signed_in(session) == 5, "a redelivered old event is ignored"
    activities.attendance_counted(session, counts(6, counts_version=1), NOW)
    assert signed_in(session) == 6


def detail(score: int, at: str) -> DetailScoreChanged:
    return DetailScoreChanged.model_validate({"activity_id": "a1", **BRANCH, "detail_score": score, "at": at})


def test_a_detail_score_judged_before_the_applied_one_is_ignored(session):
    activities.attendance_counted(session, counts(10, counts_version=1), NOW)
    activities.detail_changed(session, detail(80, "2026-12-08T10:00:00+08:00"), NOW)
    activities.detail_changed(session, detail(40, "2026-12-08T01:59:59Z"), NOW)
    assert session.get(ScoredActivity, "a1").detail_score == 80
    activities.detail_changed(session, detail(90, "2026-12-08T02:00:01Z"), NOW)
    assert session.get(ScoredActivity, "a1").detail_score == 90
