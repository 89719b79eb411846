"""Scoring follows the quizzes service's participation per branch and month (`quiz_participation_changed`) on
RabbitMQ and PostgreSQL: at the default weight 0 an activity's score stays exactly the five-indicator one; with a
weight the branch's participation rate counts, and a later, higher count scores the month's activities again while an
older one arriving late changes nothing."""

import pytest
from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_scoring.models import metadata
from partyday_scoring.settings import get_settings
from tests.services.helpers import wait_until
from tests.services.test_scoring import MONTH, approve, branch, call, close, scoring, send  # noqa: F401


@pytest.fixture
def quiz_weight(monkeypatch, request):
    monkeypatch.setenv("PARTYDAY_SCORING_QUIZ_WEIGHT", request.param)
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


def participation(container, took: int, expected: int, code: str = "A") -> None:
    node = branch(code)
    data = {"branch_id": node["org_id"], "branch_path": node["path"], "month": MONTH, "took": took}
    send(container, "quizzes", "quiz_participation_changed", {**data, "expected": expected})


def kept(container) -> list[tuple]:
    engine = make_engine(container.url)
    table = metadata.tables["quiz_participation"]
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.branch_id, table.c.month, table.c.took, table.c.expected)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("quiz_weight", ["0"], indirect=True)
def test_at_weight_zero_participation_is_kept_and_the_score_is_unchanged(quiz_weight, scoring):  # noqa: F811
    activity = approve(scoring)
    before = close(scoring, activity)
    participation(scoring, took=2, expected=10)
    wait_until(lambda: kept(scoring) == [(branch("A")["org_id"], MONTH, 2, 10)], message="participation kept")
    after = call(scoring, "score", activity)
    assert after["total"] == before["total"] == 73.68
    assert after["indicators"] == before["indicators"] and "quiz_participation" not in after["weights"]


@pytest.mark.parametrize("quiz_weight", ["25"], indirect=True)
def test_weighed_the_participation_rate_counts_and_follows_the_latest_count(quiz_weight, scoring):  # noqa: F811
    activity = approve(scoring)
    first = close(scoring, activity)
    # no quiz yet: the sixth indicator does not apply and the five score as before
    assert first["total"] == 73.68 and "quiz_participation" in first["not_applicable"]
    participation(scoring, took=5, expected=10)
    # sign-in 1 × 70 + quiz 0.5 × 25 over 70+10+10+5+25 (superior pending) = 82.5 / 120
    scored = wait_until(
        lambda: (s := call(scoring, "score", activity))["indicators"].get("quiz_participation") == 0.5 and s,
        message="the participation was scored",
    )
    assert scored["total"] == 68.75
    participation(scoring, took=10, expected=10)
    wait_until(lambda: call(scoring, "score", activity)["total"] == 79.17, message="the higher count was scored")
    participation(scoring, took=4, expected=10)
    participation(scoring, took=1, expected=3, code="B")
    wait_until(lambda: len(kept(scoring)) == 2, message="both announcements handled")
    assert (branch("A")["org_id"], MONTH, 10, 10) in kept(scoring), "the late, lower count was ignored"
    assert call(scoring, "score", activity)["total"] == 79.17
