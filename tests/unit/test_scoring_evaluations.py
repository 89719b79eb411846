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
