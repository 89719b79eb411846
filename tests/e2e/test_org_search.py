"""`GET /api/v1/orgs/search` through the gateway and the directory: an organisation found by part of its name or the
start of its code, only within the caller's reach, a page at a time."""

import uuid

import pytest

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_RPC_TIMEOUT_S": "6"}
PASSWORD = "org-search-1"


@pytest.fixture(scope="module")
def two_counties(stack):
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    tag = uuid.uuid4().hex[:6]
    first = stack.create_org(root["org_id"], "county", f"洋县县委{tag}")
    second = stack.create_org(root["org_id"], "county", f"西乡县委{tag}")
    town = stack.create_org(first, "township", f"纸坊街道{tag}")
    branches = [stack.create_org(town, "branch", f"纸坊社区第{n}党支部{tag}") for n in ("一", "二", "三")]
    stack.create_org(stack.create_org(second, "township", f"杨河镇{tag}"), "branch", f"杨河社区党支部{tag}")
    county_admin = stack.create_member(branches[0], PASSWORD)
    stack.grant(county_admin, "org_admin", first)
    secretary = stack.create_member(branches[1], PASSWORD)
    stack.grant(secretary, "branch_admin", branches[1])
    return {
        "tag": tag,
        "first": first,
        "second": second,
        "branches": branches,
        "county_admin": stack.login(county_admin["phone"], PASSWORD),
        "secretary": stack.login(secretary["phone"], PASSWORD),
    }


def search(stack, headers, **params):
    answer = stack.http.get("/api/v1/orgs/search", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_county_admin_finds_the_branches_of_their_county_only(stack, two_counties):
    found = search(stack, two_counties["county_admin"], q="社区", level="branch")
    assert sorted(org["org_id"] for org in found["items"]) == sorted(two_counties["branches"])
    assert found["total"] == 3, "the other county's branch is out of reach"
    everywhere = search(stack, stack.admin, q=two_counties["tag"], level="branch")
    assert everywhere["total"] == 4, "the city admin reaches both counties"
    paged = search(stack, stack.admin, q=two_counties["tag"], page=2, page_size=3)
    assert paged["total"] == 8 and len(paged["items"]) == 3 and paged["page"] == 2


def test_a_code_is_found_from_its_start(stack, two_counties):
    org = stack.http.get(f"/api/v1/orgs/{two_counties['branches'][2]}", headers=stack.admin).json()
    found = search(stack, two_counties["county_admin"], q=org["code"][:-2].lower())
    assert org["org_id"] in [item["org_id"] for item in found["items"]]


def test_a_secretary_finds_their_branch_and_nothing_beyond(stack, two_counties):
    found = search(stack, two_counties["secretary"], q="社区")
    assert [org["org_id"] for org in found["items"]] == [two_counties["branches"][1]]
    refused = stack.http.get(
        "/api/v1/orgs/search", headers=two_counties["secretary"], params={"q": "县", "under": two_counties["second"]}
    )
    assert refused.status_code == 403 and refused.json()["error"]["details"]["needs"] == "read"
