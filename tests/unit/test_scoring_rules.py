"""The five-indicator score against hand-computed cases (rankings: tests/services/test_scoring_rankings.py)."""

from datetime import datetime, timezone

import pytest

from partyday_scoring import formula
from partyday_scoring.formula import Facts

W = formula.DEFAULT_WEIGHTS


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


def test_the_worked_example_of_the_readme():
    # sign-in 15/(20-2) = 0.8333, mobile likes 3/4 = 0.75, detail 0.8, comments 6/24 = 0.25, superior 0.9
    # 70×0.83333 + 10×0.75 + 10×0.8 + 5×0.25 + 5×0.9 = 58.3333 + 7.5 + 8 + 1.25 + 4.5 = 79.5833
    result = formula.score(facts(), W)
    assert result["total"] == 79.58
    assert result["indicators"] == {
        "sign_in_rate": 0.8333,
        "mobile_like_rate": 0.75,
        "upload_detail": 0.8,
        "comments": 0.25,
        "superior_score": 0.9,
    }
    assert result["not_applicable"] == []


def test_excused_members_are_left_out_of_the_sign_in_denominator():
    assert formula.indicators(facts(expected=10, excused=5, signed_in=5))["sign_in_rate"] == 1.0
    assert formula.indicators(facts(expected=10, excused=0, signed_in=5))["sign_in_rate"] == 0.5


def test_without_mobile_members_their_weight_is_spread_over_the_others():
    result = formula.score(facts(expected_mobile=0, mobile_likers=0), W)
    assert result["indicators"]["mobile_like_rate"] is None and result["not_applicable"] == ["mobile_like_rate"]
    # (58.3333 + 8 + 1.25 + 4.5) / 90 × 100 = 80.0926
    assert result["total"] == 80.09


def test_everyone_excused_means_nobody_met():
    result = formula.score(facts(expected=6, excused=6, signed_in=0), W)
    assert result["indicators"]["sign_in_rate"] == 0.0
    # 0 + 7.5 + 8 + 1.25 + 4.5 = 21.25
    assert result["total"] == 21.25


def test_no_superior_score_yet_leaves_it_out_until_given():
    pending = formula.score(facts(superior_score=None), W)
    assert pending["not_applicable"] == ["superior_score"]
    # (58.3333 + 7.5 + 8 + 1.25) / 95 × 100 = 79.0351
    assert pending["total"] == 79.04
    assert formula.score(facts(superior_score=0), W)["total"] == 75.08


def test_a_branch_of_mobile_members_only_is_scored_on_their_attendance():
    # A 流动党支部: its sign-in rate is over its mobile members, so absence costs it as much as anyone.
    everyone = dict(expected=0, excused=0, signed_in=0, expected_mobile=5, mobile_likers=5, members=5, commenters=5)
    full = formula.score(
        facts(**everyone, mobile_excused=0, mobile_signed_in=5, detail_score=100, superior_score=100), W
    )
    assert full["not_applicable"] == [] and full["total"] == 100.0
    absent = formula.score(
        facts(**everyone, mobile_excused=1, mobile_signed_in=2, detail_score=100, superior_score=100), W
    )
    # sign-in 2 / (5 − 1) = 0.5: 70 × 0.5 + 10 + 10 + 5 + 5 = 65
    assert absent["indicators"]["sign_in_rate"] == 0.5 and absent["total"] == 65.0
    nobody_met = formula.indicators(facts(**everyone, mobile_excused=5, mobile_signed_in=0))
    assert nobody_met["sign_in_rate"] == 0.0


def test_mobile_members_of_a_branch_with_others_do_not_count_in_its_sign_in_rate():
    assert formula.score(facts(mobile_excused=0, mobile_signed_in=4), W)["indicators"]["sign_in_rate"] == 0.8333


def test_nobody_expected_has_no_sign_in_rate():
    result = formula.score(facts(expected=0, excused=0, signed_in=0, expected_mobile=0, mobile_likers=0), W)
    assert result["indicators"]["sign_in_rate"] is None


def test_shares_are_capped_and_the_detail_score_bounded():
    values = formula.indicators(facts(commenters=40, mobile_likers=9, detail_score=150))
    assert values["comments"] == 1.0 and values["mobile_like_rate"] == 1.0 and values["upload_detail"] == 1.0


def test_a_perfect_and_an_empty_activity():
    assert (
        formula.score(
            facts(excused=0, signed_in=20, mobile_likers=4, commenters=24, detail_score=100, superior_score=100), W
        )["total"]
        == 100.0
    )
    assert (
        formula.score(facts(signed_in=0, mobile_likers=0, commenters=0, detail_score=0, superior_score=0), W)["total"]
        == 0.0
    )


def test_weights_come_from_a_setting():
    assert formula.parse_weights("70,10,10,5,5") == W
    custom = formula.parse_weights("50, 20, 10, 10, 10")
    assert formula.score(facts(), custom)["total"] == round(50 * 0.83333333 + 15 + 8 + 2.5 + 9, 2)
    for bad in ("70,10,10,5", "a,b,c,d,e", "-1,10,10,5,5", "0,0,0,0,0"):
        with pytest.raises(ValueError):
            formula.parse_weights(bad)


def test_the_period_closes_after_the_grace_days_in_the_time_zone():
    closes = formula.period_closes_at("2026-12", "Asia/Shanghai", 10)
    assert closes == datetime(2027, 1, 10, 16, 0, tzinfo=timezone.utc)
    assert formula.period_closes_at("2026-02", "Asia/Shanghai", 0) == datetime(2026, 2, 28, 16, tzinfo=timezone.utc)


def test_periods_name_their_months():
    assert formula.period_months("2026-12") == ["2026-12"]
    assert formula.period_months("2026-Q4") == ["2026-10", "2026-11", "2026-12"]
    assert len(formula.period_months("2026")) == 12 and formula.period_months("2026")[0] == "2026-01"
