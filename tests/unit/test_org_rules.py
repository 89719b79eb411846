import pytest

from partyday_common.errors import DomainError
from partyday_directory.orgs import check_placement, child_path


@pytest.mark.parametrize(
    "level, parent",
    [
        ("city", None),
        ("county", "city"),
        ("township", "county"),
        ("general_branch", "township"),
        ("branch", "township"),
        ("branch", "general_branch"),
    ],
)
def test_allowed_placements(level, parent):
    check_placement(level, parent)


@pytest.mark.parametrize(
    "level, parent, code",
    [
        ("county", None, "ORG_PARENT_REQUIRED"),
        ("branch", None, "ORG_PARENT_REQUIRED"),
        ("city", "city", "ORG_LEVEL_INVALID"),
        ("branch", "county", "ORG_LEVEL_INVALID"),
        ("township", "branch", "ORG_LEVEL_INVALID"),
        ("general_branch", "county", "ORG_LEVEL_INVALID"),
    ],
)
def test_misplaced_nodes_are_refused(level, parent, code):
    with pytest.raises(DomainError) as raised:
        check_placement(level, parent)
    assert raised.value.code == code and raised.value.status == 422


def test_paths_extend_the_parents():
    assert child_path(None, "a") == "/a/"
    assert child_path("/a/", "b") == "/a/b/"
