"""`GET /api/v1/me`: the caller, their roles, and where each capability reaches, as the pages read it."""

import pytest

from partyday_gateway.permissions import CAPABILITIES
from tests.gateway.fakes import FakeRpc, context

CITY = ("city_admin", "root", "/root/")
COUNTY_ADMIN = ("org_admin", "county", "/root/county/")
COUNTY_AUDITOR = ("auditor", "county", "/root/county/")
BRANCH_ADMIN = ("branch_admin", "b1", "/root/county/town/b1/")
WORKING_GROUP = ("working_group", "town", "/root/county/town/")


def me(gateway, *roles, **who):
    gateway.use(FakeRpc(caller=context(roles, org_path="/root/county/town/b1/", **who)))
    answer = gateway.get("/api/v1/me")
    assert answer.status_code == 200, answer.text
    return answer.json()


def reach(answer):
    return {name: [scope["org_id"] for scope in scopes] for name, scopes in answer["capabilities"].items()}


def test_a_member_without_roles_can_do_nothing_anywhere_and_has_no_home(gateway):
    answer = me(gateway, name="李明")
    assert (answer["member_id"], answer["name"], answer["org_id"], answer["kind"]) == ("m1", "李明", "b1", "member")
    assert answer["roles"] == [] and answer["home_org_id"] is None
    assert answer["capabilities"] == {name: [] for name in CAPABILITIES}


def test_a_branch_secretary_manages_their_branch_and_reads_it_but_reviews_nothing(gateway):
    answer = me(gateway, BRANCH_ADMIN)
    assert answer["roles"] == [{"role": "branch_admin", "org_id": "b1"}] and answer["home_org_id"] == "b1"
    held = {name for name, scopes in reach(answer).items() if scopes}
    assert held == {
        "read",
        "manage_plans",
        "manage_members",
        "read_evaluations",
        "answer_rectifications",
        "propose_ideas",
        "manage_quizzes",
    }
    assert answer["capabilities"]["manage_plans"] == [{"org_id": "b1", "org_path": "/root/county/town/b1/"}]


def test_an_auditor_reads_and_spot_checks_but_changes_nothing(gateway):
    held = {name for name, scopes in reach(me(gateway, COUNTY_AUDITOR)).items() if scopes}
    assert held == {"read", "read_audit", "spot_check", "read_evaluations"}


def test_each_capability_lists_the_widest_subtrees_once_and_home_is_the_widest_administrative_role(gateway):
    answer = me(gateway, WORKING_GROUP, BRANCH_ADMIN, COUNTY_AUDITOR, COUNTY_ADMIN)
    assert answer["home_org_id"] == "county", "an org admin's node before an auditor's, a branch's or a body's"
    found = reach(answer)
    assert found["read"] == ["county"], "the branch lies inside the county"
    assert found["manage_plans"] == ["county"] and found["review"] == ["county"]
    assert found["read_evaluations"] == ["county"], "the working group's town lies inside the county too"
    assert found["working_group"] == ["town"] and found["committee"] == [] and found["create_city"] == []


@pytest.mark.parametrize(
    "role, capabilities",
    [
        (
            "city_admin",
            {
                "read",
                "manage_tree",
                "manage_members",
                "grant_roles",
                "read_audit",
                "create_city",
                "publish_directives",
                "manage_plans",
                "review",
                "spot_check",
                "review_attendance",
                "run_campaigns",
                "judge",
                "read_evaluations",
                "manage_quizzes",
            },
        ),
        (
            "org_admin",
            {
                "read",
                "manage_tree",
                "manage_members",
                "grant_roles",
                "read_audit",
                "publish_directives",
                "manage_plans",
                "review",
                "spot_check",
                "review_attendance",
                "run_campaigns",
                "judge",
                "read_evaluations",
                "manage_quizzes",
            },
        ),
        ("committee", {"committee", "read_evaluations"}),
    ],
)
def test_what_each_role_holds_is_what_the_routes_check(gateway, role, capabilities):
    answer = me(gateway, (role, "root", "/root/"))
    assert {name for name, scopes in reach(answer).items() if scopes} == capabilities
    assert answer["home_org_id"] == "root"


def test_a_city_admin_reaches_the_whole_city(gateway):
    answer = me(gateway, CITY, BRANCH_ADMIN)
    assert answer["home_org_id"] == "root"
    assert all(
        scopes == [{"org_id": "root", "org_path": "/root/"}]
        for name, scopes in answer["capabilities"].items()
        if name not in ("working_group", "committee", "answer_rectifications", "propose_ideas")
    )
