"""`GET /api/v1/orgs/search`: an organisation picker's suggestions, searched only within the caller's reach."""

from tests.gateway.fakes import FakeRpc, context

COUNTY_ADMIN = ("org_admin", "county", "/root/county/")
BRANCH_ADMIN = ("branch_admin", "b1", "/root/county/town/b1/")
PAGE = {"items": [], "total": 0, "page": 1, "page_size": 20}
NODES = {
    "county": {"path": "/root/county/", "level": "county", "name": "区委"},
    "town": {"path": "/root/county/town/", "level": "township", "name": "街道"},
    "other": {"path": "/root/other/", "level": "county", "name": "别区"},
}


def search(gateway, roles, org_id="b1", **params):
    fake = gateway.use(
        FakeRpc(caller=context(roles, org_id=org_id, org_path=f"/root/county/town/{org_id}/"), nodes=NODES)
    )
    fake.answer("directory", "search_orgs", PAGE)
    return fake, gateway.get("/api/v1/orgs/search", params=params)


def test_a_county_admin_searches_their_county_and_their_own_branch(gateway):
    fake, answer = search(gateway, [COUNTY_ADMIN], org_id="elsewhere", q="北关", level="branch", page=2, page_size=5)
    assert answer.status_code == 200, answer.text
    [call] = fake.called("search_orgs")
    assert call.args == ({"within": ["/root/county/", "/root/county/town/elsewhere/"], "q": "北关", "level": "branch"},)
    assert call.kwargs == {"page": 2, "page_size": 5}


def test_under_narrows_the_search_to_a_node_the_caller_reads(gateway):
    fake, answer = search(gateway, [COUNTY_ADMIN], q="b", under="town")
    assert answer.status_code == 200, answer.text
    assert fake.called("search_orgs")[0].args[0]["within"] == ["/root/county/town/"]


def test_a_secretary_cannot_search_under_another_county(gateway):
    fake, answer = search(gateway, [BRANCH_ADMIN], q="b", under="other")
    assert answer.status_code == 403 and answer.json()["error"]["details"]["needs"] == "read"
    assert not fake.called("search_orgs")


def test_an_empty_query_or_an_unknown_level_is_refused_with_a_reason(gateway):
    for params in ({"q": ""}, {"q": "x", "level": "planet"}, {"q": "x" * 65}):
        fake, answer = search(gateway, [COUNTY_ADMIN], **params)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "VALIDATION_FAILED"), params
        assert not fake.called("search_orgs")
