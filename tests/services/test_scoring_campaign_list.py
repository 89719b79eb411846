"""The list of campaigns over RabbitMQ and PostgreSQL: those covering a node and those of its subtree, paged."""

from partyday_common.errors import DomainError
from tests.services.test_scoring import VOTING, call, refused, scoring  # noqa: F401  (the service with its tree)


def open_campaign(container, org_id: str, month: str, title: str) -> str:
    made = call(
        container,
        "create_campaign",
        {"org_id": org_id, "month": month, "title": title, "votes_per_voter": 3, **VOTING},
    )
    return made["campaign_id"]


def titles(answer: dict) -> list[str]:
    return [item["title"] for item in answer["items"]]


def test_a_node_lists_the_campaigns_covering_it_and_those_of_its_subtree_newest_first_a_page_at_a_time(
    scoring,  # noqa: F811
):
    open_campaign(scoring, "city", "2026-12", "全市十二月")
    open_campaign(scoring, "town", "2026-11", "街道十一月")
    open_campaign(scoring, "town", "2026-12", "街道十二月")
    open_campaign(scoring, "b-A", "2026-12", "一支部十二月")

    town = call(scoring, "campaigns", "town")
    assert town["total"] == 4
    assert titles(town)[-1] == "街道十一月"
    assert set(titles(town)) == {"全市十二月", "街道十一月", "街道十二月", "一支部十二月"}
    assert {item["org_id"] for item in town["items"]} == {"city", "town", "b-A"}
    assert all(item["opens_at"] and item["closes_at"] for item in town["items"])

    assert set(titles(call(scoring, "campaigns", "b-B"))) == {"全市十二月", "街道十一月", "街道十二月"}
    assert set(titles(call(scoring, "campaigns", "b-A", month="2026-12"))) == {
        "全市十二月",
        "街道十二月",
        "一支部十二月",
    }

    first = call(scoring, "campaigns", "town", page=1, page_size=3)
    second = call(scoring, "campaigns", "town", page=2, page_size=3)
    assert (first["total"], len(first["items"]), len(second["items"])) == (4, 3, 1)
    assert titles(second) == ["街道十一月"]
    assert set(titles(first) + titles(second)) == set(titles(town))


def test_a_malformed_month_or_an_unknown_node_is_refused_with_its_reason(scoring):  # noqa: F811
    refused("VALIDATION_FAILED", call, scoring, "campaigns", "town", month="2026-13")
    error = refused("ORG_NOT_FOUND", call, scoring, "campaigns", "nowhere")
    assert isinstance(error, DomainError) and error.status == 404
