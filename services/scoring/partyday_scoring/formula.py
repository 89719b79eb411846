"""The five-indicator score of one activity (综合得分), as plain functions, with an optional sixth: the branch's
quiz participation in the activity's month, counted only when its weight (PARTYDAY_SCORING_QUIZ_WEIGHT) is above 0.

Each indicator is a share from 0 to 1, or None when it does not apply to the activity
(its denominator is empty, or the superior has not scored yet). The total is
100 × Σ wᵢ·xᵢ / Σ wᵢ over the indicators that apply: the weight of one that does not
apply is spread over the others in proportion, so a branch is neither rewarded nor
punished for having no mobile members or a superior who has not scored yet.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTH = re.compile(r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
PERIOD = re.compile(r"^[1-9]\d{3}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
INDICATORS = ("sign_in_rate", "mobile_like_rate", "upload_detail", "comments", "superior_score")
QUIZ_PARTICIPATION = "quiz_participation"
DEFAULT_WEIGHTS = {
    "sign_in_rate": 70.0,
    "mobile_like_rate": 10.0,
    "upload_detail": 10.0,
    "comments": 5.0,
    "superior_score": 5.0,
}


def parse_weights(text: str) -> dict[str, float]:
    """`"70,10,10,5,5"` (in the order of INDICATORS) as weights; each ≥ 0, and at least one above 0."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != len(INDICATORS):
        raise ValueError(f"scoring weights need {len(INDICATORS)} numbers ({', '.join(INDICATORS)}), got {text!r}")
    weights = dict(zip(INDICATORS, (float(part) for part in parts)))
    if any(weight < 0 for weight in weights.values()) or not any(weights.values()):
        raise ValueError(f"scoring weights must be ≥ 0 and not all 0, got {text!r}")
    return weights


@dataclass(frozen=True)
class Facts:
    """What is known of an activity when it is scored."""

    expected: int
    excused: int
    signed_in: int
    expected_mobile: int
    mobile_likers: int
    members: int
    commenters: int
    detail_score: int
    superior_score: int | None
    mobile_excused: int = 0
    mobile_signed_in: int = 0
    quiz_participation: float | None = None


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else min(1.0, part / whole)


def sign_in_rate(facts: Facts) -> float | None:
    """Signed-in members over those expected and not excused: the non-mobile ones, or, in a branch whose members
    are all mobile, the mobile ones (their absence must cost as much as anyone's); None when nobody was expected."""
    if facts.expected > 0:
        expected, excused, signed_in = facts.expected, facts.excused, facts.signed_in
    else:
        expected, excused, signed_in = facts.expected_mobile, facts.mobile_excused, facts.mobile_signed_in
    if expected <= 0:
        return None
    attending = expected - excused
    return 0.0 if attending <= 0 else min(1.0, signed_in / attending)


def indicators(facts: Facts) -> dict[str, float | None]:
    """Each indicator as a share of 1, None where it does not apply.

    - sign_in_rate: signed-in non-mobile members / (expected non-mobile − excused); for a branch whose members
      are all mobile (流动党支部), the same over its mobile members; None only for a branch nobody was expected
      at; 0 when every one of them was excused (nobody met);
    - mobile_like_rate: mobile members who liked / mobile members; None without mobile members;
    - upload_detail: media's detail score / 100 (0 until media reports one);
    - comments: members who commented or wrote a sign-out reflection / members, capped at 1;
    - superior_score: the superior's 0–100 / 100; None until given.
    """
    return {
        "sign_in_rate": sign_in_rate(facts),
        "mobile_like_rate": _share(facts.mobile_likers, facts.expected_mobile),
        "upload_detail": max(0, min(100, facts.detail_score)) / 100,
        "comments": _share(facts.commenters, facts.members),
        "superior_score": None if facts.superior_score is None else facts.superior_score / 100,
    }


def with_quiz(weights: dict[str, float]) -> bool:
    """Quiz participation is a sixth indicator only where it is weighed: at weight 0 (the default) the score is
    the five indicators' alone, exactly as without it."""
    return weights.get(QUIZ_PARTICIPATION, 0) > 0


def total(values: dict[str, float | None], weights: dict[str, float]) -> float:
    """100 × the weighted mean of the indicators that apply, rounded to 2 decimals."""
    applying = [name for name in values if values[name] is not None]
    weight = sum(weights[name] for name in applying)
    if weight <= 0:
        return 0.0
    return round(100 * sum(weights[name] * values[name] for name in applying) / weight, 2)


def score(facts: Facts, weights: dict[str, float]) -> dict:
    """The total, its indicators, the weights used, and which indicators did not apply."""
    values = indicators(facts)
    if with_quiz(weights):
        values[QUIZ_PARTICIPATION] = facts.quiz_participation
    return {
        "total": total(values, weights),
        "indicators": {k: None if v is None else round(v, 4) for k, v in values.items()},
        "weights": dict(weights),
        "not_applicable": [name for name in values if values[name] is None],
    }


def participation_rate(took: int, expected: int) -> float | None:
    """A branch's quiz participation in a month: members' submissions over those expected; None without a quiz."""
    return _share(took, expected)


def period_closes_at(month: str, time_zone: str, grace_days: int) -> datetime:
    """When an activity of `month` stops changing its score: the next month's start, plus the grace days."""
    year, number = (int(part) for part in month.split("-"))
    first_of_next = date(year + number // 12, number % 12 + 1, 1)
    return datetime(first_of_next.year, first_of_next.month, 1, tzinfo=ZoneInfo(time_zone)) + timedelta(days=grace_days)


def period_months(period: str) -> list[str]:
    """The months of a period: one month, a quarter's three, or a year's twelve."""
    if len(period) == 4:
        return [f"{period}-{m:02d}" for m in range(1, 13)]
    if "-Q" in period:
        year, quarter = period.split("-Q")
        first = (int(quarter) - 1) * 3 + 1
        return [f"{year}-{m:02d}" for m in range(first, first + 3)]
    return [period]
