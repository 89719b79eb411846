"""The directory announces organisations; plans and scoring keep them in their read models."""

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from partyday_common.consumer import declare_subscriptions
from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_directory.models import metadata as directory_metadata
from partyday_directory.service import DirectoryService
from partyday_directory_contracts.events import OrgCreated
from partyday_plans.service import PlansService
from partyday_scoring.service import ScoringService
from tests.services.helpers import publish_event, wait_until


@pytest.fixture
def migrated_config(make_config, databases):
    def make(service):
        url = databases.create(service)
        upgrade(service, url)
        return make_config(service, url=url)

    return make


@pytest.fixture
def stack(container_factory, migrated_config):
    configs = {name: migrated_config(name) for name in ("directory", "plans", "scoring")}
    containers = {}
    for name, cls in (("plans", PlansService), ("scoring", ScoringService), ("directory", DirectoryService)):
        containers[name] = container_factory(cls, configs[name])
        containers[name].start()
    return containers, configs


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def build_tree(directory):
    city = call(directory, "find_org_by_code", "HZ")
    county = call(directory, "create_org", {"name": "汉台区委", "level": "county", "parent_id": city["org_id"]})
    town = call(
        directory,
        "create_org",
        {"name": "北关街道", "level": "township", "parent_id": county["org_id"], "domain": "community"},
    )
    branches = [
        call(
            directory,
            "create_org",
            {
                "name": f"第{n}支部",
                "level": "branch",
                "parent_id": town["org_id"],
                "domain": "community" if n < 3 else "rural",
            },
        )
        for n in (1, 2, 3)
    ]
    return city, county, town, branches


def test_org_created_reaches_plans_and_scoring(stack):
    containers, _ = stack
    city, county, town, branches = build_tree(containers["directory"])

    def plans_knows_all():
        page = call(containers["plans"], "overdue", city["org_id"], "2026-10", now="2026-11-21T00:00:00+08:00")
        return page if page["total"] == 3 else None

    page = wait_until(plans_knows_all, message="plans projected every branch")
    assert {item["branch_id"] for item in page["items"]} == {b["org_id"] for b in branches}
    assert all(item["missing"] == ["plan", "summary"] for item in page["items"])

    progress = wait_until(
        lambda: (
            (p := call(containers["scoring"], "progress", city["org_id"]))["children"]
            and p["children"][0]["branches"] == 3
            and p
        )
    )
    assert [
        {key: child[key] for key in ("org_id", "name", "level", "domain", "branches")} for child in progress["children"]
    ] == [{"org_id": county["org_id"], "name": "汉台区委", "level": "county", "domain": "other", "branches": 3}]
    assert city["name"] == "汉中市委", "the directory created the city of PARTYDAY_CITY_NAME on its first start"
    rural = call(containers["scoring"], "progress", city["org_id"], domain="rural")
    assert rural["children"][0]["branches"] == 1


def test_overdue_pages_and_respects_deadlines(stack):
    containers, _ = stack
    city, *_ = build_tree(containers["directory"])
    wait_until(
        lambda: (
            call(containers["plans"], "overdue", city["org_id"], "2026-10", now="2026-11-21T00:00:00+08:00")["total"]
            == 3
        )
    )
    first = call(
        containers["plans"], "overdue", city["org_id"], "2026-10", page=1, page_size=2, now="2026-11-21T00:00:00+08:00"
    )
    second = call(
        containers["plans"], "overdue", city["org_id"], "2026-10", page=2, page_size=2, now="2026-11-21T00:00:00+08:00"
    )
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    early = call(containers["plans"], "overdue", city["org_id"], "2026-11", now="2026-11-03T00:00:00+08:00")
    assert early["total"] == 0 and early["items"] == []


def org_events(configs, org_id):
    engine = make_engine(configs["directory"]["DATABASE_URL"])
    outbox = directory_metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        rows = connection.execute(select(outbox)).mappings().all()
    engine.dispose()
    return [row for row in rows if row["body"]["data"].get("org_id") == org_id]


def test_create_org_commits_the_node_and_its_event_together(stack):
    containers, configs = stack
    city = call(containers["directory"], "find_org_by_code", "HZ")
    county = call(
        containers["directory"], "create_org", {"name": "区委", "level": "county", "parent_id": city["org_id"]}
    )
    [row] = org_events(configs, county["org_id"])
    body = row["body"]
    assert body["event_type"] == "org_created" and body["source"] == "directory" and body["version"] == 1
    assert body["data"]["path"] == f"/{city['org_id']}/{county['org_id']}/"
    assert body["event_id"] == row["event_id"] and body["occurred_at"]


def test_there_is_one_city(stack):
    containers, _ = stack
    with pytest.raises(DomainError) as raised:
        call(containers["directory"], "create_org", {"name": "另一个市", "level": "city"})
    assert (raised.value.code, raised.value.status) == ("CITY_EXISTS", 409)


@pytest.mark.parametrize(
    "payload, code, status",
    [
        ({"name": "", "level": "county"}, "VALIDATION_FAILED", 400),
        ({"name": "x", "level": "branch"}, "ORG_PARENT_REQUIRED", 422),
        ({"name": "x", "level": "county", "parent_id": "nope"}, "ORG_NOT_FOUND", 404),
        ({"name": "x", "level": "county", "code": "has space"}, "VALIDATION_FAILED", 400),
    ],
)
def test_bad_orgs_are_refused_with_a_reason(stack, payload, code, status):
    containers, configs = stack
    with pytest.raises(DomainError) as raised:
        call(containers["directory"], "create_org", payload)
    assert (raised.value.code, raised.value.status) == (code, status)


def test_org_codes_are_unique(stack):
    containers, _ = stack
    city = call(containers["directory"], "find_org_by_code", "HZ")
    call(
        containers["directory"],
        "create_org",
        {"name": "a", "level": "county", "code": "HZ-1", "parent_id": city["org_id"]},
    )
    with pytest.raises(DomainError) as raised:
        call(
            containers["directory"],
            "create_org",
            {"name": "b", "level": "county", "code": "HZ-1", "parent_id": city["org_id"]},
        )
    assert (raised.value.code, raised.value.status) == ("ORG_CODE_TAKEN", 409)
    assert call(containers["directory"], "find_org_by_code", "HZ-1")["name"] == "a"
    assert call(containers["directory"], "find_org_by_code", "none") is None


def test_children_are_paged_by_name(stack):
    containers, _ = stack
    city, county, town, branches = build_tree(containers["directory"])
    page = call(containers["directory"], "list_children", town["org_id"], page=2, page_size=2)
    assert page["total"] == 3 and [o["name"] for o in page["items"]] == ["第3支部"]
    with pytest.raises(DomainError) as raised:
        call(containers["directory"], "list_children", "missing")
    assert raised.value.code == "ORG_NOT_FOUND"


def test_every_service_answers_ping_and_noop(stack):
    containers, _ = stack
    for name, container in containers.items():
        assert call(container, "ping") == {"service": name, "status": "ok"}
        assert call(container, "noop") is None


def test_events_published_before_a_subscriber_first_starts_wait_for_it(container_factory, migrated_config, amqp_uri):
    assert declare_subscriptions(amqp_uri, [PlansService]) == [
        "evt-directory-org_created--plans.on_org_created",
        "evt-directory-org_updated--plans.on_org_updated",
    ]
    city = OrgCreated(
        org_id="c1",
        code="HZ",
        name="汉中市委",
        parent_id=None,
        level="city",
        domain="government",
        kind="regular",
        path="/c1/",
    )
    publish_event(amqp_uri, "directory", Envelope(event_type="org_created", source="directory", data=city.model_dump()))
    plans = container_factory(PlansService, migrated_config("plans"))
    plans.start()

    def knows_city():
        try:
            return call(plans, "overdue", "c1", "2026-10")
        except DomainError:
            return None

    assert wait_until(knows_city, message="plans received the event sent before it started")["total"] == 0


def test_a_repeated_idempotency_key_gets_the_first_answer_and_no_second_org(stack):
    containers, configs = stack
    city = call(containers["directory"], "find_org_by_code", "HZ")
    payload = {"name": "汉台区委", "level": "county", "code": "HZ-HT", "parent_id": city["org_id"]}
    first = call(containers["directory"], "create_org", payload, idempotency_key="k-1")
    again = call(containers["directory"], "create_org", payload, idempotency_key="k-1")
    assert again == first
    with pytest.raises(DomainError) as raised:
        call(containers["directory"], "create_org", {**payload, "name": "另一个"}, idempotency_key="k-1")
    assert (raised.value.code, raised.value.status) == ("IDEMPOTENCY_KEY_REUSED", 409)
    assert len(org_events(configs, first["org_id"])) == 1
