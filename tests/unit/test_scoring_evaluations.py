"""The rules of the best / excellent selection and the golden ideas."""

import pytest

from partyday_common.errors import DomainError
from partyday_scoring import evaluation_rules as rules


def refused(code, function, *args):
    with pytest.raises(DomainError) as raised:
        function(*args)
    assert raised.value.code == code
    return raised.value


def test_steps_follow_the_stages():
    rules.expect_stage("judging", "judging")
    assert refused("EVALUATION_STAGE", rules.expect_stage, "published", "judging").status == 409


def test_a_shortlist_names_candidates_each_once():
    rules.check_shortlist(["a", "b"], {"a", "b", "c"})
    refused("NOT_A_CANDIDATE", rules.check_shortlist, ["a", "x"], {"a"})
    refused("SHORTLIST_INVALID", rules.check_shortlist, ["a", "a"], {"a"})
    refused("SHORTLIST_INVALID", rules.check_shortlist, [], {"a"})


def test_winners_come_from_the_shortlist_within_the_slots():
    rules.check_winners("monthly", ["a"], ["b", "c"], ["a", "b", "c"], 1, 2)
    refused("NOT_SHORTLISTED", rules.check_winners, "monthly", ["a"], ["z"], ["a"], 1, 2)
    refused("WINNERS_INVALID", rules.check_winners, "monthly", ["a", "b"], [], ["a", "b"], 1, 2)
    refused("WINNERS_INVALID", rules.check_winners, "monthly", [], ["a"], ["a"], 1, 2)
    refused("WINNERS_INVALID", rules.check_winners, "monthly", ["a"], ["a"], ["a"], 1, 2)


def test_a_quarter_has_at_most_twenty_golden_ideas():
    ideas = [f"a{i}" for i in range(21)]
    rules.check_winners("golden_ideas", ideas[:20], [], ideas, 1, 0)
    refused("WINNERS_INVALID", rules.check_winners, "golden_ideas", ideas, [], ideas, 1, 0)
    refused("WINNERS_INVALID", rules.check_winners, "golden_ideas", ideas[:2], ideas[2:3], ideas, 1, 0)


def test_an_activity_below_the_eligibility_rule_fails_each_condition_it_misses():
    assert rules.ineligible_because(0.8, True, 0.8, True) == []
    assert rules.ineligible_because(0.8, True, 0.79, False) == [
        {"condition": "sign_in_rate", "required": 0.8, "actual": 0.79},
        {"condition": "summary", "required": True, "actual": False},
    ]
    assert rules.ineligible_because(0.8, False, None, False) == [
        {"condition": "sign_in_rate", "required": 0.8, "actual": None}
    ]
    assert rules.ineligible_because(0, False, None, False) == [], "a rule of 0 and no summary asks nothing"


def test_an_ineligible_activity_is_neither_shortlisted_nor_a_winner():
    failed = [{"condition": "summary", "required": True, "actual": False}]
    candidates = {
        "good": {"ineligible_because": []},
        "bad": {"ineligible_because": failed},
        "idea-1": {"ineligible_because": []},
    }
    rules.check_eligible(["good", "idea-1"], candidates)
    error = refused("NOT_ELIGIBLE", rules.check_eligible, ["good", "bad"], candidates)
    assert error.status == 422 and error.details == {"activities": [{"activity_id": "bad", "failed": failed}]}


@pytest.mark.parametrize(
    "review, reviewer, first_reviewer, code",
    [
        ("first_review", "w1", None, None),
        ("first_review", "j1", None, "REVIEWER_JUDGED"),
        ("second_review", "c1", "w1", None),
        ("second_review", "j1", "w1", "REVIEWER_JUDGED"),
        ("second_review", "w1", "w1", "REVIEWER_REVIEWED_FIRST"),
    ],
)
def test_judging_the_first_review_and_the_second_are_three_different_people(review, reviewer, first_reviewer, code):
    if code is None:
        rules.check_reviewer(review, reviewer, {"j1", "j2"}, first_reviewer)
        return
    with pytest.raises(DomainError) as raised:
        rules.check_reviewer(review, reviewer, {"j1", "j2"}, first_reviewer)
    assert (raised.value.code, raised.value.status) == (code, 403)
