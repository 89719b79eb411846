"""The optional sixth indicator, quiz participation: at its default weight 0 every score is exactly the
five-indicator one; weighed, the branch's participation rate counts, and a month without a quiz does not apply."""

from partyday_scoring import formula
from partyday_scoring.formula import Facts
from partyday_scoring.settings import ScoringSettings


def facts(**changes) -> Facts:
    base = dict(
        expected=20,
        excused=2,
        signed_in=15,
        expected_mobile=4,
        mobile_likers=3,
        members=24,
        commenters=6,
        detail_score=80,
        superior_score=90,
    )
    return Facts(**{**base, **changes})


def test_at_weight_zero_the_scores_are_identical():
    settings = ScoringSettings()
    assert settings.scoring_quiz_weight == 0 and settings.weights == formula.DEFAULT_WEIGHTS
    for participation in (None, 0.0, 0.5, 1.0):
        assert formula.score(facts(quiz_participation=participation), settings.weights) == formula.score(
            facts(), formula.DEFAULT_WEIGHTS
        )


def test_weighed_the_participation_rate_counts(monkeypatch):
    monkeypatch.setenv("PARTYDAY_SCORING_QUIZ_WEIGHT", "10")
    weights = ScoringSettings().weights
    assert weights == {**formula.DEFAULT_WEIGHTS, "quiz_participation": 10.0}
    rate = formula.participation_rate(took=3, expected=4)
    scored = formula.score(facts(quiz_participation=rate), weights)
    # (70×0.83333 + 10×0.75 + 10×0.8 + 5×0.25 + 5×0.9 + 10×0.75) / 110 × 100 = 87.0833 / 1.1
    assert scored["total"] == 79.17 and scored["indicators"]["quiz_participation"] == 0.75
    full = formula.score(facts(quiz_participation=1.0), weights)["total"]
    none = formula.score(facts(quiz_participation=0.0), weights)["total"]
    assert none < scored["total"] < full


def test_a_month_without_a_quiz_does_not_apply_and_its_weight_is_spread(monkeypatch):
    monkeypatch.setenv("PARTYDAY_SCORING_QUIZ_WEIGHT", "10")
    weights = ScoringSettings().weights
    scored = formula.score(facts(), weights)
    assert scored["not_applicable"] == ["quiz_participation"]
    assert scored["total"] == formula.score(facts(), formula.DEFAULT_WEIGHTS)["total"]
    assert formula.participation_rate(0, 0) is None
