"""The rules of the best / excellent selection and the golden ideas."""

import pytest

from partyday_common.errors import DomainError
from partyday_scoring import evaluation_rules as rules


def marks(theme, content, form, organisation, effect):
    return {"theme": theme, "content": content, "form": form, "organisation": organisation, "effect": effect}


def refused(code, function, *args):
    with pytest.raises(DomainError) as raised:
        function(*args)
    assert raised.value.code == code
    return raised.value


def test_the_judges_means_per_criterion_and_in_total():
    result = rules.judged([marks(20, 18, 16, 14, 12), marks(10, 10, 10, 10, 10)])
    assert result == {
        "judges": 2,
        "total": 65.0,
        "criteria": {"theme": 15.0, "content": 14.0, "form": 13.0, "organisation": 12.0, "effect": 11.0},
    }
    assert rules.judged([])["total"] is None


def test_candidates_are_ordered_by_judges_then_votes_then_score_then_code():
    def candidate(activity_id, total, votes, score, code):
        return {"activity_id": activity_id, "judged": {"total": total}, "votes": votes, "score": score, "code": code}

    ordered = rules.order(
        [
            candidate("d", None, 50, 99, "A"),
            candidate("c", 80, 1, 60, "B"),
            candidate("b", 80, 3, 50, "C"),
            candidate("a", 80, 3, 50, "A"),
        ]
    )
    assert [c["activity_id"] for c in ordered] == ["a", "b", "c", "d"]


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
