"""Who may grant what: the directory's rules as plain functions."""

import pytest

from partyday_common.errors import DomainError
from partyday_directory.access import check_bodies_apart, check_granter

CITY, COUNTY, TOWN, BRANCH = "/c/", "/c/a/", "/c/a/t/", "/c/a/t/b/"
OTHER_COUNTY_BRANCH = "/c/x/t/b/"
CITY_ADMIN = [{"role": "city_admin", "org_path": CITY}]
COUNTY_ADMIN = [{"role": "org_admin", "org_path": COUNTY}]


def refusal(grants, role, node, member_branch=BRANCH, granter="g", member="m", at_root=False, revoking=False):
    try:
        check_granter(granter, grants, member, member_branch, role, node, at_root, revoking)
    except DomainError as error:
        return error.code, error.status
    return None


@pytest.mark.parametrize(
    "grants, role, node, expected",
    [
        (COUNTY_ADMIN, "branch_admin", BRANCH, None),
        (COUNTY_ADMIN, "auditor", COUNTY, None),
        (COUNTY_ADMIN, "auditor", BRANCH, None),
        (COUNTY_ADMIN, "org_admin", TOWN, ("GRANT_ROLE_TOO_HIGH", 403)),
        (COUNTY_ADMIN, "org_admin", COUNTY, ("GRANT_ROLE_TOO_HIGH", 403)),
        (COUNTY_ADMIN, "city_admin", CITY, ("GRANT_OUT_OF_SCOPE", 403)),
        (COUNTY_ADMIN, "branch_admin", OTHER_COUNTY_BRANCH, ("GRANT_OUT_OF_SCOPE", 403)),
        (CITY_ADMIN, "org_admin", COUNTY, None),
        (CITY_ADMIN, "city_admin", CITY, ("GRANT_ROLE_TOO_HIGH", 403)),
        (COUNTY_ADMIN, "working_group", TOWN, None),
        (COUNTY_ADMIN, "committee", COUNTY, ("GRANT_FROM_ABOVE", 403)),
        (CITY_ADMIN, "committee", COUNTY, None),
        ([{"role": "branch_admin", "org_path": BRANCH}], "auditor", BRANCH, ("GRANT_OUT_OF_SCOPE", 403)),
        ([{"role": "auditor", "org_path": CITY}], "auditor", BRANCH, ("GRANT_OUT_OF_SCOPE", 403)),
    ],
)
def test_an_admin_grants_only_roles_below_their_own_within_their_subtree(grants, role, node, expected):
    assert refusal(grants, role, node) == expected


def test_the_city_admin_grants_the_city_s_bodies_at_the_city_above_which_there_is_nothing():
    assert refusal(CITY_ADMIN, "working_group", CITY, at_root=True) is None
    assert refusal(CITY_ADMIN, "working_group", CITY, at_root=False) == ("GRANT_FROM_ABOVE", 403)


def test_nobody_grants_a_role_to_themselves():
    assert refusal(CITY_ADMIN, "branch_admin", BRANCH, granter="m", member="m") == ("GRANT_SELF", 403)


def test_the_member_must_be_within_the_granter_s_subtree():
    assert refusal(COUNTY_ADMIN, "auditor", TOWN, member_branch=OTHER_COUNTY_BRANCH) == (
        "GRANT_MEMBER_OUT_OF_SCOPE",
        403,
    )
    assert refusal(COUNTY_ADMIN, "auditor", TOWN, member_branch=None) == ("GRANT_MEMBER_OUT_OF_SCOPE", 403)


def test_a_role_is_taken_back_with_the_reach_to_grant_it_wherever_the_member_is_now():
    assert refusal(COUNTY_ADMIN, "branch_admin", BRANCH, member_branch=OTHER_COUNTY_BRANCH, revoking=True) is None
    assert refusal(COUNTY_ADMIN, "org_admin", COUNTY, revoking=True) == ("GRANT_ROLE_TOO_HIGH", 403)


@pytest.mark.parametrize(
    "held, role, node, refused",
    [
        ({"role": "working_group", "org_path": COUNTY}, "committee", COUNTY, True),
        ({"role": "working_group", "org_path": COUNTY}, "committee", CITY, True),
        ({"role": "working_group", "org_path": CITY}, "committee", TOWN, True),
        ({"role": "working_group", "org_path": COUNTY}, "committee", "/c/x/", False),
        ({"role": "committee", "org_path": COUNTY}, "committee", TOWN, False),
        ({"role": "org_admin", "org_path": COUNTY}, "committee", COUNTY, False),
    ],
)
def test_nobody_sits_on_both_bodies_of_one_evaluation(held, role, node, refused):
    if refused:
        with pytest.raises(DomainError) as raised:
            check_bodies_apart(role, [held], node)
        assert (raised.value.code, raised.value.status) == ("BODIES_EXCLUSIVE", 409)
    else:
        check_bodies_apart(role, [held], node)
