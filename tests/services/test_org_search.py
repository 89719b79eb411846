"""The directory's organisation search (a picker's suggestions), on RabbitMQ and PostgreSQL."""

import pytest

from partyday_common.errors import DomainError
from tests.services.test_directory import call, directory, tree  # noqa: F401  (the directory fixture)


def names(answer):
    """The names found, sorted here: the database's collation orders Chinese names its own way."""
    return sorted(org["name"] for org in answer["items"])


def test_a_search_finds_names_containing_and_codes_starting_with_the_query_within_the_subtrees(directory):  # noqa: F811
    city, county, town, first, second = tree(directory)
    other = call(
        directory, "create_org", {"name": "勉县县委", "level": "county", "parent_id": city["org_id"], "code": "MX"}
    )
    call(
        directory,
        "create_org",
        {"name": "勉县一支部_新", "level": "township", "parent_id": other["org_id"], "code": "MX-1"},
    )

    assert names(call(directory, "search_orgs", {"within": [county["path"]], "q": "支部"})) == ["一支部", "二支部"]
    by_code = call(directory, "search_orgs", {"within": [county["path"]], "q": "ht-bg-2"})
    assert names(by_code) == ["二支部"], "a code matches from its start, case ignored"
    assert names(call(directory, "search_orgs", {"within": [county["path"]], "q": "BG"})) == [], (
        "a code matches from its start only"
    )
    assert names(call(directory, "search_orgs", {"within": [county["path"]], "q": "关街"})) == ["北关街道"]
    assert names(call(directory, "search_orgs", {"within": [first["path"]], "q": "支部"})) == ["一支部"]
    assert names(call(directory, "search_orgs", {"within": [city["path"]], "q": "_"})) == ["勉县一支部_新"], (
        "the query is literal text, not a pattern"
    )
    both = call(directory, "search_orgs", {"within": [first["path"], other["path"]], "q": "支部"})
    assert names(both) == ["一支部", "勉县一支部_新"]
    assert names(call(directory, "search_orgs", {"within": [city["path"]], "q": "支部", "level": "branch"})) == [
        "一支部",
        "二支部",
    ]


def test_code_matches_come_first_and_the_answer_is_paged(directory):  # noqa: F811
    city, county, town, first, second = tree(directory)
    call(
        directory, "create_org", {"name": "HT 联合党支部", "level": "branch", "parent_id": town["org_id"], "code": "ZZ"}
    )
    page = call(directory, "search_orgs", {"within": [city["path"]], "q": "ht"}, page=1, page_size=2)
    rest = call(directory, "search_orgs", {"within": [city["path"]], "q": "ht"}, page=2, page_size=2)
    assert page["total"] == 5 and sorted(names(page) + names(rest)) == sorted(
        ["汉台区委", "北关街道", "一支部", "二支部"]
    )
    last = call(directory, "search_orgs", {"within": [city["path"]], "q": "ht"}, page=3, page_size=2)
    assert names(last) == ["HT 联合党支部"], "a name match follows every code match"


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"within": [], "q": "x"}, "VALIDATION_FAILED"),
        ({"within": ["/a/"], "q": ""}, "VALIDATION_FAILED"),
        ({"within": ["/a/"], "q": "x", "level": "planet"}, "VALIDATION_FAILED"),
    ],
)
def test_a_bad_search_is_refused(directory, payload, code):  # noqa: F811
    with pytest.raises(DomainError) as raised:
        call(directory, "search_orgs", payload)
    assert raised.value.code == code
