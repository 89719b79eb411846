"""双过半: a members' meeting's decision passes only when more than half of those expected are present and more than
half of those present vote in favour; votes cast never exceed those present."""

import pytest

from partyday_attendance.decisions import check_votes, passes
from partyday_common.errors import DomainError


@pytest.mark.parametrize(
    ("expected", "present", "in_favour", "passed"),
    [
        (10, 6, 4, True),
        (10, 5, 5, False),  # exactly half present is not more than half
        (10, 6, 3, False),  # exactly half of those present in favour is not more than half
        (9, 5, 3, True),
        (9, 4, 4, False),
        (1, 1, 1, True),
        (2, 1, 1, False),
        (0, 0, 0, False),
        (7, 7, 4, True),
        (7, 7, 3, False),
    ],
)
def test_a_decision_passes_by_the_double_majority_only(expected, present, in_favour, passed):
    assert passes(expected, present, in_favour) is passed


def test_votes_cast_up_to_those_present_are_taken():
    check_votes(present=5, in_favour=3, against=1, abstaining=1)
    check_votes(present=0, in_favour=0, against=0, abstaining=0)


def test_more_votes_than_members_present_are_refused_with_a_reason():
    with pytest.raises(DomainError) as raised:
        check_votes(present=5, in_favour=3, against=2, abstaining=1)
    assert (raised.value.code, raised.value.status, raised.value.details) == (
        "VOTES_EXCEED_PRESENT",
        422,
        {"cast": 6, "present": 5},
    )
