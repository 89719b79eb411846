"""Every administrative act on record in the directory's one audit log: acts of plans, attendance, media and scoring
reach it through their outboxes and the directory's consumers, with who, from where and the correlation id; an act
announced twice is kept once; the log is read within subtrees and by filters."""

import time

import pytest
from nameko.testing.services import entrypoint_hook

from partyday_common.acts import ACT_EVENT
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_directory.service import DirectoryService
from partyday_plans.service import PlansService
from partyday_scoring.service import ScoringService
from tests.fixtures import media_corpus
from tests.services.helpers import publish_event, wait_until
from tests.services.test_attendance import approve as open_sheet
from tests.services.test_attendance import attendance  # noqa: F401 (the fixture)
from tests.services.test_media import (
    approve_plan,
    incoming,
    media,  # noqa: F401 (the fixture)
)

MONTH = "2026-12"


@pytest.fixture
def services(container_factory, make_config, databases):
    containers = {}
    for name, cls in (("directory", DirectoryService), ("plans", PlansService), ("scoring", ScoringService)):
        url = databases.create(name)
        upgrade(name, url)
        containers[name] = container_factory(cls, make_config(name, url=url))
        containers[name].start()
    return containers


def call(container, method, *args, context=None, **kwargs):
    with entrypoint_hook(container, method, context_data=context) as hook:
        return hook(*args, **kwargs)


def logged(directory, scope=None, **filters):
    return call(directory, "audit_entries", scope, page_size=100, filters=filters)["items"]


def test_acts_of_plans_and_scoring_land_in_the_directory_s_log_with_who_where_and_the_correlation(services):
    directory, plans, scoring = services["directory"], services["plans"], services["scoring"]
    root = call(directory, "find_org_by_code", "HZ")
    county = call(directory, "create_org", {"name": "汉台区委", "level": "county", "parent_id": root["org_id"]})
    other = call(directory, "create_org", {"name": "南郑区委", "level": "county", "parent_id": root["org_id"]})

    def known(container, method, *args):
        try:
            return call(container, method, *args)
        except DomainError:
            return None

    wait_until(lambda: known(plans, "directives", other["org_id"], MONTH) is not None, message="plans knows the tree")
    wait_until(lambda: known(scoring, "progress", other["org_id"], MONTH) is not None, message="scoring knows it")
    context = {"actor_id": "m-boss", "client_ip": "203.0.113.7", "correlation_id": "corr-audit-1"}
    directive = call(
        plans, "publish_directive", {"org_id": county["org_id"], "month": MONTH, "theme": "不忘初心"}, context=context
    )
    evaluation = call(
        scoring,
        "create_evaluation",
        {"org_id": county["org_id"], "kind": "monthly", "period": MONTH},
        context={**context, "correlation_id": "corr-audit-2"},
    )

    published = wait_until(lambda: logged(directory, action="directive.publish"), message="the directive's record")
    created = wait_until(lambda: logged(directory, action="evaluation.create"), message="the evaluation's record")
    assert [(e["target_type"], e["target_id"]) for e in published] == [("directive", directive["directive_id"])]
    assert [(e["target_type"], e["target_id"]) for e in created] == [("evaluation", evaluation["evaluation_id"])]
    for entry, correlation_id, source in (
        (published[0], "corr-audit-1", "plans"),
        (created[0], "corr-audit-2", "scoring"),
    ):
        assert (entry["actor_id"], entry["client_ip"], entry["correlation_id"]) == (
            "m-boss",
            "203.0.113.7",
            correlation_id,
        )
        assert entry["org_path"] == county["path"] and entry["details"]["source"] == source
    assert {e["action"] for e in logged(directory, [county["path"]], actor_id="m-boss")} == {
        "directive.publish",
        "evaluation.create",
    }
    assert logged(directory, [other["path"]], actor_id="m-boss") == [], "another county's reader sees none of it"
    assert logged(directory, target_type="evaluation", since="2999-01-01T00:00:00+00:00") == []
    with pytest.raises(DomainError) as raised:
        logged(directory, since="yesterday")
    assert raised.value.code == "TIME_INVALID"


def test_a_leave_decision_and_a_media_review_land_in_the_directory_s_log(services, attendance, media):  # noqa: F811
    directory = services["directory"]
    context = {"actor_id": "m-secretary", "client_ip": "192.0.2.9", "correlation_id": "corr-audit-3"}
    activity = open_sheet(attendance)
    leave = call(attendance, "request_leave", activity, "m-2", "出差", now="2026-12-06T10:00:00+08:00")
    call(attendance, "decide_leave", leave["leave_id"], False, context=context)
    photo = media_corpus.jpeg(taken_at="2026:12:07 09:40:00", offset="+08:00", gps=(33.0702, 107.0301))
    upload = call(media, "ingest", approve_plan(media), incoming(photo, caption="诵读党章", action="诵读党章"))
    call(media, "review", upload["media_id"], False, reason="与活动无关", reviewer_id="m-secretary", context=context)

    rejected = wait_until(lambda: logged(directory, action="leave.reject"), message="the leave decision's record")
    reviewed = wait_until(lambda: logged(directory, action="media.reject"), message="the media review's record")
    assert [(e["target_type"], e["target_id"], e["org_path"]) for e in rejected] == [
        ("leave_request", leave["leave_id"], "/c/b-1/")
    ]
    assert [(e["target_type"], e["target_id"], e["org_path"]) for e in reviewed] == [
        ("media", upload["media_id"], "/city/b-1/")
    ]
    assert reviewed[0]["details"]["reason"] == "与活动无关"
    for entry in rejected + reviewed:
        assert (entry["actor_id"], entry["client_ip"], entry["correlation_id"]) == (
            "m-secretary",
            "192.0.2.9",
            "corr-audit-3",
        )


@pytest.mark.parametrize("source", ["plans", "attendance", "media", "scoring"])
def test_an_act_announced_twice_is_kept_once(services, amqp_uri, source):
    directory = services["directory"]
    act = Envelope(
        event_type=ACT_EVENT,
        source=source,
        correlation_id=f"corr-{source}",
        data={
            "actor_id": "m1",
            "client_ip": "198.51.100.1",
            "action": f"{source}.test_act",
            "target_type": "thing",
            "target_id": "t1",
            "org_path": "/x/",
            "details": {},
            "at": "2026-12-04T10:00:00+00:00",
        },
    )
    publish_event(amqp_uri, source, act)
    publish_event(amqp_uri, source, act)
    wait_until(lambda: logged(directory, action=f"{source}.test_act"), message=f"{source}'s act was kept")
    time.sleep(1)  # the repeat's delivery
    entries = logged(directory, action=f"{source}.test_act")
    assert len(entries) == 1 and entries[0]["correlation_id"] == f"corr-{source}"
    assert entries[0]["at"].startswith("2026-12-04T10:00:00"), "the act's own time, not the time it arrived"
