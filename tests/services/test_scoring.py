"""The scoring service on RabbitMQ and PostgreSQL: scores from events, likes, moderation, votes, rankings."""

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from partyday_common import deadletters
from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_scoring import evaluations
from partyday_scoring.models import metadata
from partyday_scoring.service import ScoringService
from partyday_scoring.settings import get_settings
from tests.services.helpers import publish_event, wait_until

MONTH = "2026-12"
ADDRESS = "10.0.0.1"
# The tests' month is not today's: their campaigns take votes whatever the day the tests run.
VOTING = {"opens_at": "2026-01-01T00:00:00+08:00", "closes_at": "2100-01-01T00:00:00+08:00"}
CITY = {
    "org_id": "city",
    "parent_id": None,
    "path": "/city/",
    "code": "HZ",
    "name": "汉中市委",
    "level": "city",
    "domain": "other",
    "kind": "regular",
}
TOWN = {
    "org_id": "town",
    "parent_id": "city",
    "path": "/city/town/",
    "code": "T1",
    "name": "北关街道",
    "level": "township",
    "domain": "other",
    "kind": "regular",
}


def branch(code: str, domain: str = "community") -> dict:
    return {
        "org_id": f"b-{code}",
        "parent_id": "town",
        "path": f"/city/town/b-{code}/",
        "code": code,
        "name": f"第{code}党支部",
        "level": "branch",
        "domain": domain,
        "kind": "regular",
    }


@pytest.fixture
def scoring(container_factory, make_config, databases):
    url = databases.create("scoring")
    upgrade("scoring", url)
    container = container_factory(ScoringService, make_config("scoring", url=url))
    container.start()
    container.url = url
    for node in (CITY, TOWN, branch("A"), branch("B"), branch("C", "rural")):
        send(container, "directory", "org_created", node)
    wait_until(lambda: _branches(container) == 3, message="the tree arrived")
    return container


def _branches(container):
    try:
        return call(container, "progress", "town", MONTH)["branches"]
    except DomainError:
        return None


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def concurrently(container, method, calls: list[tuple]) -> list:
    """Every call in flight at once over RPC (entrypoint_hook cannot tell concurrent answers apart);
    each answer, or the reason code of its refusal."""
    with ClusterRpcProxy({"AMQP_URI": container.config["AMQP_URI"]}, timeout=120) as proxy:
        replies = [getattr(proxy.scoring, method).call_async(*args) for args in calls]
        outcomes = []
        for reply in replies:
            try:
                outcomes.append(reply.result())
            except DomainError as exc:
                outcomes.append(exc.code)
    return outcomes


def send(container, source, event_type, data):
    publish_event(container.config["AMQP_URI"], source, Envelope(event_type=event_type, source=source, data=data))


def refused(code, function, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        function(*args, **kwargs)
    assert raised.value.code == code, raised.value
    return raised.value


ROSTER = [{"member_id": f"m{i}", "name": "党员", "mobile": False, "probationary": False} for i in range(10)] + [
    {"member_id": f"f{i}", "name": "流动党员", "mobile": True, "probationary": False} for i in range(2)
]


# An eligibility rule that admits every activity, for the cases about something else: B's party days here have a
# sign-in rate of 50 % and no summary, below the default rule.
ANY_ACTIVITY = {"min_sign_in_rate": 0, "summary_required": False}


def approve(container, code="A", roster=ROSTER) -> str:
    activity_id, plan_id = uuid.uuid4().hex, uuid.uuid4().hex
    node = branch(code)
    common = {"plan_id": plan_id, "branch_id": node["org_id"], "branch_path": node["path"], "month": MONTH}
    send(container, "plans", "plan_submitted", {**common, "status": "submitted"})
    send(
        container,
        "plans",
        "plan_approved",
        {
            **common,
            "activity_id": activity_id,
            "theme": "学习党章",
            "starts_at": "2026-12-07T09:00:00+08:00",
            "ends_at": "2026-12-07T11:00:00+08:00",
            "venue_name": "活动室",
            "venue_lat": 33.07,
            "venue_lon": 107.03,
            "radius_m": 300,
            "required_actions": [],
            "attendance_rules": {},
            "roster": roster,
        },
    )
    wait_until(lambda: _known(container, activity_id), message="the activity arrived")
    return activity_id


def _known(container, activity_id):
    try:
        return call(container, "score", activity_id)
    except DomainError:
        return None


def close(container, activity_id, code="A", signed_in=8, excused=2, expected=10, expected_mobile=2, mobile_signed_in=0):
    node = branch(code)
    counts = {"signed_out": signed_in, "no_sign_out": 0, "absent": expected - signed_in - excused, "excused": excused}
    mobile = {
        "signed_out": mobile_signed_in,
        "no_sign_out": 0,
        "absent": expected_mobile - mobile_signed_in,
        "excused": 0,
    }
    send(
        container,
        "attendance",
        "activity_closed",
        {
            "activity_id": activity_id,
            "plan_id": "p",
            "branch_id": node["org_id"],
            "branch_path": node["path"],
            "closed_at": "2026-12-07T04:00:00+00:00",
            "members": counts,
            "mobile_members": mobile,
            "expected": expected,
            "expected_mobile": expected_mobile,
        },
    )
    return wait_until(
        lambda: (s := call(container, "score", activity_id))["status"] == "scored" and s,
        message="the activity was scored",
    )


def test_an_activity_is_scored_when_it_closes_and_again_as_engagement_arrives(scoring):
    activity = approve(scoring)
    pending = call(scoring, "score", activity)
    assert pending["status"] == "pending" and pending["total"] is None
    first = close(scoring, activity)
    # sign-in 8/(10-2) = 1, no likes, detail 0, no comments; superior pending: 70/95 × 100
    assert first["indicators"]["sign_in_rate"] == 1.0 and first["not_applicable"] == ["superior_score"]
    assert first["total"] == 73.68 and first["weights"]["sign_in_rate"] == 70

    call(scoring, "like", activity, "f0", now="2026-12-08T10:00:00+08:00")
    refused("ALREADY_LIKED", call, scoring, "like", activity, "f0")
    call(scoring, "add_comment", activity, "m1", {"text": "很有收获"})
    send(
        scoring,
        "attendance",
        "member_reflected",
        {
            "activity_id": activity,
            "member_id": "m2",
            "branch_id": "b-A",
            "text": "心得体会",
            "at": "2026-12-07T11:05:00+08:00",
        },
    )
    send(
        scoring,
        "media",
        "detail_score_changed",
        {
            "activity_id": activity,
            "branch_id": "b-A",
            "branch_path": "/city/town/b-A/",
            "detail_score": 60,
            "breakdown": {},
            "at": "2026-12-08T00:00:00+00:00",
        },
    )
    done = wait_until(
        lambda: (
            (s := call(scoring, "score", activity))["indicators"]["upload_detail"] == 0.6
            and s["indicators"]["comments"] > 0.1
            and s
        ),
        message="engagement reached the score",
    )
    assert done["indicators"]["mobile_like_rate"] == 0.5 and done["indicators"]["comments"] == round(2 / 12, 4)
    scored = call(scoring, "set_superior_score", activity, {"score": 80}, now="2026-12-09T00:00:00+08:00")
    # 70 + 10×0.5 + 10×0.6 + 5×(2/12) + 5×0.8 = 70 + 5 + 6 + 0.8333 + 4 = 85.83
    assert scored["total"] == 85.83 and scored["not_applicable"] == []
    refused("VALIDATION_FAILED", call, scoring, "set_superior_score", activity, {"score": 101})
    refused(
        "SCORE_PERIOD_CLOSED",
        call,
        scoring,
        "set_superior_score",
        activity,
        {"score": 10},
        now="2027-01-12T00:00:00+08:00",
    )
    refused("ACTIVITY_NOT_FOUND", call, scoring, "score", "nope")

    engine = make_engine(scoring.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        totals = [
            body["data"]["total"]
            for body in connection.execute(
                select(outbox.c.body).where(outbox.c.event_type == "score_changed").order_by(outbox.c.id)
            ).scalars()
        ]
    engine.dispose()
    assert totals[0] == 73.68 and totals[-1] == 85.83


def test_concurrent_likes_of_one_member_leave_one_and_every_like_counts(scoring):
    activity = approve(
        scoring,
        roster=[{"member_id": f"f{i}", "name": "流动", "mobile": True, "probationary": False} for i in range(20)],
    )
    close(scoring, activity, expected=0, signed_in=0, excused=0, expected_mobile=20)
    members = ["f0"] * 20 + [f"f{i}" for i in range(1, 20)]
    outcomes = [
        o if isinstance(o, str) else o["liked"]
        for o in concurrently(scoring, "like", [(activity, member) for member in members])
    ]
    assert outcomes.count(True) == 20 and outcomes.count("ALREADY_LIKED") == 19
    assert call(scoring, "score", activity)["indicators"]["mobile_like_rate"] == 1.0


def test_a_branch_of_mobile_members_only_is_scored_on_their_sign_in_rate(scoring):
    activity = approve(
        scoring,
        roster=[{"member_id": f"f{i}", "name": "流动", "mobile": True, "probationary": False} for i in range(10)],
    )
    scored = close(scoring, activity, expected=0, signed_in=0, excused=0, expected_mobile=10, mobile_signed_in=4)
    assert scored["indicators"]["sign_in_rate"] == 0.4 and "sign_in_rate" not in scored["not_applicable"]


def test_three_reports_hide_a_comment_for_a_moderator_and_its_author_is_told(scoring):
    activity = approve(scoring)
    close(scoring, activity)
    posted = call(scoring, "add_comment", activity, "m1", {"text": "不当言论"}, idempotency_key="c-1")
    assert call(scoring, "add_comment", activity, "m1", {"text": "不当言论"}, idempotency_key="c-1") == posted
    assert call(scoring, "score", activity)["indicators"]["comments"] == round(1 / 12, 4)
    comment = posted["comment_id"]
    refused("OWN_COMMENT", call, scoring, "report_comment", comment, "m1", {})
    call(scoring, "report_comment", comment, "m2", {"reason": "spam"})
    refused("ALREADY_REPORTED", call, scoring, "report_comment", comment, "m2", {})
    assert call(scoring, "report_comment", comment, "m3", {})["status"] == "visible"
    refused("NOT_AWAITING_MODERATION", call, scoring, "moderate", comment, {"decision": "remove"}, "admin")
    assert call(scoring, "report_comment", comment, "m4", {})["status"] == "hidden"
    assert call(scoring, "comments", activity)["total"] == 0
    [mine] = call(scoring, "authored_comments", "m1")["items"]
    assert (mine["comment_id"], mine["status"]) == (comment, "hidden"), "the author sees it is hidden"
    assert call(scoring, "authored_comments", "m2")["total"] == 0
    assert call(scoring, "score", activity)["indicators"]["comments"] == 0.0
    queue = call(scoring, "moderation_queue", "town")
    assert [item["comment_id"] for item in queue["items"]] == [comment]
    assert call(scoring, "moderation_queue", "b-B")["total"] == 0
    assert call(scoring, "moderation_queue", "town", exclude_path="/city/town/b-A/")["total"] == 0, (
        "nobody moderates their own branch"
    )
    refused("VALIDATION_FAILED", call, scoring, "moderate", comment, {"decision": "shrug"}, "admin")
    restored = call(scoring, "moderate", comment, {"decision": "restore"}, "admin")
    assert restored["status"] == "visible" and call(scoring, "moderation_queue", "town")["total"] == 0
    call(scoring, "report_comment", comment, "m5", {})
    assert call(scoring, "comments", activity)["total"] == 1, "a restored comment is not hidden again by reports"

    engine = make_engine(scoring.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        told = {
            row.event_type: row.body["data"]
            for row in connection.execute(
                select(outbox.c.event_type, outbox.c.body).where(
                    outbox.c.event_type.in_(["comment_hidden", "comment_moderated"])
                )
            )
        }
    engine.dispose()
    assert told["comment_hidden"]["author_id"] == "m1" and told["comment_hidden"]["reports"] == 3
    assert told["comment_moderated"]["decision"] == "restore"


@pytest.fixture
def generous_vote_limits(monkeypatch):
    """Rate limits no test of the ballot's own rules reaches."""
    monkeypatch.setenv("PARTYDAY_VOTES_PER_ACCOUNT_PER_MINUTE", "100000")
    monkeypatch.setenv("PARTYDAY_VOTES_PER_ADDRESS_PER_MINUTE", "100000")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_thousand_concurrent_duplicate_votes_leave_exactly_one(scoring, generous_vote_limits):
    first, second = approve(scoring, "A"), approve(scoring, "B")
    campaign = call(
        scoring,
        "create_campaign",
        {**VOTING, "org_id": "town", "month": MONTH, "title": "我为主题党日打Call", "votes_per_voter": 1},
    )
    refused(
        "CAMPAIGN_EXISTS",
        call,
        scoring,
        "create_campaign",
        {**VOTING, "org_id": "town", "month": MONTH, "title": "x", "votes_per_voter": 1},
    )
    engine = make_engine(scoring.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        created = (
            connection.execute(select(outbox.c.body).where(outbox.c.event_type == "campaign_created")).scalars().all()
        )
    engine.dispose()
    assert [body["data"]["campaign_id"] for body in created] == [campaign["campaign_id"]], "announced once"
    outcomes = concurrently(
        scoring, "vote", [(campaign["campaign_id"], "member:m1", {"activity_id": first}, ADDRESS)] * 1000
    )
    accepted = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    assert len(accepted) == 1 and accepted[0]["votes_left"] == 0
    assert {outcome for outcome in outcomes if isinstance(outcome, str)} <= {"ALREADY_VOTED", "VOTE_CONFLICT"}
    results = call(scoring, "campaign_results", campaign["campaign_id"])
    assert results["total_votes"] == 1 and results["total"] == 2
    assert [(item["activity_id"], item["votes"]) for item in results["items"]] == [(first, 1), (second, 0)]
    paged = call(scoring, "campaign_results", campaign["campaign_id"], page=2, page_size=1)
    assert [item["activity_id"] for item in paged["items"]] == [second] and paged["total_votes"] == 1
    refused("PAGE_INVALID", call, scoring, "campaign_results", campaign["campaign_id"], page=0)
    assert call(scoring, "is_candidate", campaign["campaign_id"], second) is True
    assert call(scoring, "is_candidate", campaign["campaign_id"], "elsewhere") is False
    refused("CAMPAIGN_NOT_FOUND", call, scoring, "is_candidate", "nope", second)
    refused(
        "VOTE_LIMIT_REACHED",
        call,
        scoring,
        "vote",
        campaign["campaign_id"],
        "member:m1",
        {"activity_id": second},
        ADDRESS,
    )
    call(scoring, "vote", campaign["campaign_id"], "public:13900000000", {"activity_id": second}, ADDRESS)
    refused(
        "NOT_IN_CAMPAIGN", call, scoring, "vote", campaign["campaign_id"], "member:m2", {"activity_id": "x"}, ADDRESS
    )

    engine = make_engine(scoring.url)
    ballots = metadata.tables["ballots"]
    with engine.connect() as connection:
        voters = connection.execute(select(ballots.c.voter_id)).scalars().all()
    engine.dispose()
    assert len(voters) == 2 and not any("m1" in voter or "1390000" in voter for voter in voters), (
        "ballots name no voter"
    )


def test_rankings_by_period_domain_and_children_and_the_progress_dashboard(scoring):
    a, b, c = approve(scoring, "A"), approve(scoring, "B"), approve(scoring, "C")
    close(scoring, a, "A", signed_in=8)
    close(scoring, b, "B", signed_in=4)
    send(
        scoring,
        "plans",
        "summary_submitted",
        {
            "plan_id": "p-summary",
            "branch_id": "b-B",
            "branch_path": "/city/town/b-B/",
            "month": MONTH,
            "status": "summarized",
            "activity_id": b,
            "summary_chars": 300,
        },
    )
    before = call(scoring, "score", a)
    assert call(scoring, "rescore_all", MONTH)["activities"] == 2
    assert call(scoring, "score", a)["total"] == before["total"]
    for month in (None, "2026-13", "December", 202612):
        refused("MONTH_INVALID", call, scoring, "rescore_all", month)
    ranking = call(scoring, "ranking", "town", MONTH)
    assert [(item["org_id"], item["rank"]) for item in ranking["items"]] == [("b-A", 1), ("b-B", 2)]
    assert ranking["unscored"] == 1 and ranking["total"] == 2 and ranking["page_size"] == 100
    second = call(scoring, "ranking", "town", MONTH, page=2, page_size=1)
    assert [(item["org_id"], item["rank"]) for item in second["items"]] == [("b-B", 2)] and second["total"] == 2
    refused("PAGE_SIZE_INVALID", call, scoring, "ranking", "town", MONTH, page_size=501)
    assert call(scoring, "ranking", "city", "2026-Q4")["items"][0]["org_id"] == "b-A"
    assert call(scoring, "ranking", "city", "2026", domain="rural")["items"] == []
    assert len(call(scoring, "ranking", "city", "2026", kind="regular")["items"]) == 2
    assert call(scoring, "ranking", "city", "2026", kind="joint")["items"] == []
    refused("KIND_INVALID", call, scoring, "ranking", "town", MONTH, kind="club")
    assert call(scoring, "ranking", "city", "2027-Q1")["items"] == []
    children = call(scoring, "ranking", "city", MONTH, group="children")["items"]
    assert children[0]["org_id"] == "town" and children[0]["branches"] == 2
    refused("PERIOD_INVALID", call, scoring, "ranking", "town", "2026-13")
    refused("DOMAIN_INVALID", call, scoring, "ranking", "town", MONTH, domain="moon")
    refused("ORG_NOT_FOUND", call, scoring, "ranking", "nowhere", MONTH)

    progress = wait_until(lambda: (p := call(scoring, "progress", "city", MONTH))["documented"] == 1 and p)
    assert {key: progress[key] for key in ("branches", "planned", "approved", "held", "documented", "scored")} == {
        "branches": 3,
        "planned": 3,
        "approved": 3,
        "held": 2,
        "documented": 1,
        "scored": 2,
    }
    assert progress["rates"]["scored"] == round(2 / 3, 4)
    assert progress["children"][0]["org_id"] == "town" and progress["children"][0]["held"] == 2
    rural = call(scoring, "progress", "city", MONTH, domain="rural")
    assert rural["branches"] == 1 and rural["approved"] == 1 and rural["held"] == 0
    refused("MONTH_INVALID", call, scoring, "progress", "city", "December")
    assert c


def test_an_evaluation_from_judging_through_two_reviews_to_published_winners(scoring):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B", signed_in=4)
    campaign = call(
        scoring,
        "create_campaign",
        {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 1},
    )
    call(scoring, "vote", campaign["campaign_id"], "member:m9", {"activity_id": b}, ADDRESS)
    refused(
        "VALIDATION_FAILED",
        call,
        scoring,
        "create_evaluation",
        {"org_id": "town", "kind": "golden_ideas", "period": MONTH},
    )
    evaluation = call(
        scoring,
        "create_evaluation",
        {
            "org_id": "town",
            "kind": "monthly",
            "period": MONTH,
            "best_slots": 1,
            "excellent_slots": 1,
            "eligibility": ANY_ACTIVITY,
        },
    )
    refused(
        "EVALUATION_EXISTS", call, scoring, "create_evaluation", {"org_id": "town", "kind": "monthly", "period": MONTH}
    )
    ident = evaluation["evaluation_id"]
    marks = {"theme": 18, "content": 17, "form": 16, "organisation": 19, "effect": 15}
    call(scoring, "judge", ident, "judge-1", {"activity_id": a, **marks})
    call(scoring, "judge", ident, "judge-2", {"activity_id": a, **{**marks, "theme": 10}})
    call(scoring, "judge", ident, "judge-1", {"activity_id": b, **{**marks, "effect": 5}})
    refused("VALIDATION_FAILED", call, scoring, "judge", ident, "judge-1", {"activity_id": a, **marks, "form": 21})
    refused("NOT_A_CANDIDATE", call, scoring, "judge", ident, "judge-1", {"activity_id": "x", **marks})
    refused("NOT_PUBLISHED", call, scoring, "evaluation_winners", ident)

    seen = call(scoring, "evaluation", ident)
    assert [(c["activity_id"], c["judged"]["total"], c["votes"]) for c in seen["candidates"]] == [
        (a, 81.0, 0),
        (b, 75.0, 1),
    ]
    assert seen["total"] == 2 and seen["page"] == 1
    assert [c["activity_id"] for c in call(scoring, "evaluation", ident, page=2, page_size=1)["candidates"]] == [b]
    assert seen["candidates"][0]["judged"]["criteria"]["theme"] == 14.0
    refused("EVALUATION_STAGE", call, scoring, "second_review", ident, {"best": [a]})
    refused("NOT_A_CANDIDATE", call, scoring, "first_review", ident, {"shortlist": [a, "x"]})
    refused("REVIEWER_JUDGED", call, scoring, "first_review", ident, {"shortlist": [a, b]}, reviewer_id="judge-2")
    reviewed = call(scoring, "first_review", ident, {"shortlist": [a, b]}, reviewer_id="group-1")
    assert reviewed["stage"] == "second_review"
    refused("EVALUATION_STAGE", call, scoring, "judge", ident, "judge-3", {"activity_id": a, **marks})
    refused("WINNERS_INVALID", call, scoring, "second_review", ident, {"best": [a, b]})
    winners = {"best": [a], "excellent": [b]}
    refused("REVIEWER_JUDGED", call, scoring, "second_review", ident, winners, reviewer_id="judge-1")
    refused("REVIEWER_REVIEWED_FIRST", call, scoring, "second_review", ident, winners, reviewer_id="group-1")
    assert call(scoring, "second_review", ident, winners, reviewer_id="committee-1")["stage"] == "decided"
    assert call(scoring, "publish_evaluation", ident)["stage"] == "published"
    winners = call(scoring, "evaluation_winners", ident)["winners"]
    assert [(w["award"], w["activity_id"], w["name"]) for w in winners] == [
        ("best", a, "第A党支部"),
        ("excellent", b, "第B党支部"),
    ]


def summarize(container, code, activity_id):
    node = branch(code)
    send(
        container,
        "plans",
        "summary_submitted",
        {
            "plan_id": f"p-{activity_id}",
            "branch_id": node["org_id"],
            "branch_path": node["path"],
            "month": MONTH,
            "status": "summarized",
            "activity_id": activity_id,
            "summary_chars": 300,
        },
    )


def test_an_activity_below_the_eligibility_rule_is_neither_shortlisted_nor_a_winner(scoring):
    a, b, c = approve(scoring, "A"), approve(scoring, "B"), approve(scoring, "C")
    close(scoring, a, "A")  # 8 of 8 signed in
    close(scoring, b, "B", signed_in=4)  # 4 of 8
    close(scoring, c, "C", signed_in=7)  # 7 of 8, 87.5 %
    summarize(scoring, "A", a)
    summarize(scoring, "B", b)
    evaluation = call(scoring, "create_evaluation", {"org_id": "town", "kind": "monthly", "period": MONTH})
    assert evaluation["eligibility"] == {"min_sign_in_rate": 0.8, "summary_required": True}
    ident = evaluation["evaluation_id"]
    wait_until(
        lambda: sum(item["summarized"] for item in call(scoring, "evaluation", ident)["candidates"]) == 2,
        message="the summaries arrived",
    )
    seen = {item["activity_id"]: item for item in call(scoring, "evaluation", ident)["candidates"]}
    assert seen[a]["ineligible_because"] == [] and seen[a]["sign_in_rate"] == 1.0
    assert seen[b]["ineligible_because"] == [{"condition": "sign_in_rate", "required": 0.8, "actual": 0.5}]
    assert seen[c]["ineligible_because"] == [{"condition": "summary", "required": True, "actual": False}]
    error = refused("NOT_ELIGIBLE", call, scoring, "first_review", ident, {"shortlist": [a, b, c]})
    assert [refusal["activity_id"] for refusal in error.details["activities"]] == [b, c]
    assert call(scoring, "evaluation", ident)["stage"] == "judging"
    assert call(scoring, "first_review", ident, {"shortlist": [a]})["shortlist"] == [a]

    lenient = call(
        scoring,
        "create_evaluation",
        {
            "org_id": "town",
            "kind": "golden_ideas",
            "period": "2026-Q4",
            "eligibility": {"min_sign_in_rate": 0.5, "summary_required": True},
        },
    )
    assert lenient["eligibility"] == {"min_sign_in_rate": 0.5, "summary_required": True}
    assert call(scoring, "first_review", lenient["evaluation_id"], {"shortlist": [a, b]})["shortlist"] == [a, b]


def test_a_judge_sees_their_own_marks_and_not_another_judges_and_judging_again_replaces_them(scoring):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B")
    ident = call(
        scoring,
        "create_evaluation",
        {"org_id": "town", "kind": "monthly", "period": MONTH, "best_slots": 1, "eligibility": ANY_ACTIVITY},
    )["evaluation_id"]
    marks = {"theme": 18, "content": 17, "form": 16, "organisation": 19, "effect": 15}
    call(scoring, "judge", ident, "judge-1", {"activity_id": a, **marks})
    call(scoring, "judge", ident, "judge-2", {"activity_id": a, **{**marks, "theme": 2}})
    call(scoring, "judge", ident, "judge-2", {"activity_id": b, **{**marks, "effect": 1}})

    def own(judge_id=None):
        seen = call(scoring, "evaluation", ident, judge_id=judge_id)
        return seen["marked_by_me"], {c["candidate_id"]: c["mine"] for c in seen["candidates"]}

    marked, mine = own("judge-1")
    assert marked == 1 and mine[b] is None, "judge-2's marks of b are not judge-1's"
    assert {k: mine[a][k] for k in (*marks, "total")} == {**marks, "total": 85} and mine[a]["judged_at"]
    call(scoring, "judge", ident, "judge-1", {"activity_id": a, **{**marks, "form": 4}})
    marked, mine = own("judge-1")
    assert marked == 1 and (mine[a]["form"], mine[a]["total"]) == (4, 73), "judging again replaces the marks"
    marked, mine = own("judge-2")
    assert marked == 2 and (mine[a]["theme"], mine[b]["effect"]) == (2, 1)
    assert own("judge-3") == (0, {a: None, b: None})
    assert own() == (0, {a: None, b: None}), "without a judge, nobody's marks"
    seen = call(scoring, "evaluation", ident, judge_id="judge-1")
    assert next(c for c in seen["candidates"] if c["candidate_id"] == a)["judged"]["judges"] == 2


def test_a_branch_proposes_a_golden_idea_that_is_judged_shortlisted_and_wins(scoring):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B")
    monthly = call(scoring, "create_evaluation", {"org_id": "town", "kind": "monthly", "period": MONTH})
    golden = call(scoring, "create_evaluation", {"org_id": "town", "kind": "golden_ideas", "period": "2026-Q4"})
    ident, node = golden["evaluation_id"], branch("B")
    taking_part = call(scoring, "evaluations", node["org_id"])
    assert {e["evaluation_id"] for e in taking_part["items"]} == {ident, monthly["evaluation_id"]}
    assert call(scoring, "evaluations", "city")["total"] == 2, "the city sees those of its subtree"
    proposal = {"branch_id": node["org_id"], "title": "红色驿站", "text": "在工地设流动党员驿站", "media_ids": ["m1"]}
    refused("NOT_GOLDEN_IDEAS", call, scoring, "propose_idea", monthly["evaluation_id"], "sec-b", proposal)
    refused("NOT_IN_EVALUATION", call, scoring, "propose_idea", ident, "sec-b", {**proposal, "branch_id": "town"})
    idea = call(scoring, "propose_idea", ident, "sec-b", proposal)
    assert idea["idea_id"].startswith("idea-") and idea["proposed_by"] == "sec-b" and idea["media_ids"] == ["m1"]
    assert call(scoring, "evaluation_candidate", ident, idea["idea_id"])["branch_id"] == node["org_id"]
    marks = {"theme": 19, "content": 18, "form": 17, "organisation": 16, "effect": 15}
    call(scoring, "judge", ident, "judge-1", {"activity_id": idea["idea_id"], **marks})
    [first, *activities] = call(scoring, "evaluation", ident)["candidates"]
    assert (first["kind"], first["candidate_id"], first["activity_id"], first["judged"]["total"]) == (
        "idea",
        idea["idea_id"],
        None,
        85.0,
    )
    assert first["idea"]["text"] == "在工地设流动党员驿站" and first["theme"] == "红色驿站"
    assert sorted(candidate["candidate_id"] for candidate in activities) == sorted([a, b])
    call(scoring, "first_review", ident, {"shortlist": [idea["idea_id"]]})
    refused("EVALUATION_STAGE", call, scoring, "propose_idea", ident, "sec-b", proposal)
    call(scoring, "second_review", ident, {"best": [idea["idea_id"]]})
    call(scoring, "publish_evaluation", ident)
    [winner] = call(scoring, "evaluation_winners", ident)["winners"]
    assert (winner["candidate_id"], winner["kind"], winner["branch_id"]) == (idea["idea_id"], "idea", node["org_id"])
    bulletin = call(scoring, "report", "town", "bulletin", "2026-Q4")
    assert [row["awards"] for row in bulletin["rows"] if row["code"] == "B"] == ["金点子"]


def test_reports_gather_the_months_and_rank_with_awards(scoring):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B", signed_in=4)
    inspection = call(scoring, "report", "town", "inspection", MONTH)
    assert inspection["months"] == [
        {"month": MONTH, "branches": 3, "planned": 2, "approved": 2, "held": 2, "documented": 0, "scored": 2}
    ]
    assert [(row["code"], row["held"], row["score"] is not None) for row in inspection["rows"]] == [
        ("A", True, True),
        ("B", True, True),
        ("C", False, False),
    ]
    summary = inspection["summary"]
    assert (summary["branches"], summary["held"], summary["held_rate"]) == (3, 2, round(2 / 3, 4))
    assert (summary["scored_branches"], summary["unscored"], summary["previous"]) == (2, 1, None)
    [best, weakest] = inspection["ranking"]
    assert summary["best"] == [{"name": best["name"], "score": best["score"]}]
    assert summary["weakest"] == [{"name": weakest["name"], "score": weakest["score"]}]
    assert summary["mean_score"] == round((best["score"] + weakest["score"]) / 2, 2)
    golden = call(
        scoring,
        "create_evaluation",
        {"org_id": "town", "kind": "golden_ideas", "period": "2026-Q4", "eligibility": ANY_ACTIVITY},
    )
    call(scoring, "first_review", golden["evaluation_id"], {"shortlist": [b]})
    call(scoring, "second_review", golden["evaluation_id"], {"best": [b]})
    call(scoring, "publish_evaluation", golden["evaluation_id"])
    bulletin = call(scoring, "report", "town", "bulletin", "2026-Q4")
    assert [month["month"] for month in bulletin["months"]] == ["2026-10", "2026-11", "2026-12"]
    assert [(row["rank"], row["code"], row["awards"]) for row in bulletin["rows"]] == [(1, "A", ""), (2, "B", "金点子")]
    assert len(call(scoring, "report", "city", "assessment", "2026")["months"]) == 12
    refused("PERIOD_INVALID", call, scoring, "report", "town", "bulletin", MONTH)
    refused("REPORT_KIND_INVALID", call, scoring, "report", "town", "gazette", MONTH)


def test_counts_that_arrive_before_the_approval_are_scored_once_it_arrives(scoring):
    activity_id, plan_id = uuid.uuid4().hex, uuid.uuid4().hex
    counts = {"signed_out": 3, "no_sign_out": 1, "absent": 0, "excused": 0}
    send(
        scoring,
        "attendance",
        "attendance_updated",
        {
            "activity_id": activity_id,
            "branch_id": "b-C",
            "members": counts,
            "mobile_members": {"signed_out": 0, "no_sign_out": 0, "absent": 0, "excused": 0},
            "expected": 4,
            "expected_mobile": 0,
        },
    )
    node = branch("C", "rural")
    send(
        scoring,
        "plans",
        "plan_approved",
        {
            "plan_id": plan_id,
            "activity_id": activity_id,
            "branch_id": node["org_id"],
            "branch_path": node["path"],
            "month": MONTH,
            "theme": "学习党章",
            "starts_at": "2026-12-07T09:00:00+08:00",
            "ends_at": "2026-12-07T11:00:00+08:00",
            "venue_name": "活动室",
            "venue_lat": 33.07,
            "venue_lon": 107.03,
            "radius_m": 300,
            "required_actions": [],
            "attendance_rules": {},
            "roster": [
                {"member_id": f"r{i}", "name": "党员", "mobile": False, "probationary": False} for i in range(4)
            ],
        },
    )
    scored = wait_until(
        lambda: (s := _known(scoring, activity_id)) and s["status"] == "scored" and s,
        message="the early counts were scored",
    )
    assert scored["indicators"]["sign_in_rate"] == 1.0
    assert [item["org_id"] for item in call(scoring, "ranking", "town", MONTH, domain="rural")["items"]] == ["b-C"]


def test_concurrent_votes_for_different_activities_never_exceed_the_voters_limit(scoring):
    activities = [approve(scoring, code) for code in "ABCABCABCA"]
    campaign = call(
        scoring,
        "create_campaign",
        {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 3},
    )["campaign_id"]
    outcomes = concurrently(scoring, "vote", [(campaign, "member:m1", {"activity_id": a}, ADDRESS) for a in activities])
    accepted = [o for o in outcomes if isinstance(o, dict)]
    assert 1 <= len(accepted) <= 3
    assert {o for o in outcomes if isinstance(o, str)} <= {"VOTE_LIMIT_REACHED", "VOTE_CONFLICT"}
    assert call(scoring, "campaign_results", campaign)["total_votes"] == len(accepted)
    for activity in activities:
        try:
            call(scoring, "vote", campaign, "member:m1", {"activity_id": activity}, ADDRESS)
        except DomainError as exc:
            assert exc.code in ("ALREADY_VOTED", "VOTE_LIMIT_REACHED")
    assert call(scoring, "campaign_results", campaign)["total_votes"] == 3


def test_concurrent_duplicate_campaigns_and_evaluations_are_409_and_judgements_upsert(scoring):
    a = approve(scoring, "A")
    close(scoring, a, "A")
    campaign = {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 1}
    outcomes = concurrently(scoring, "create_campaign", [(campaign,)] * 8)
    assert len([o for o in outcomes if isinstance(o, dict)]) == 1
    assert [o for o in outcomes if not isinstance(o, dict)] == ["CAMPAIGN_EXISTS"] * 7
    evaluation = {"org_id": "town", "kind": "monthly", "period": MONTH}
    outcomes = concurrently(scoring, "create_evaluation", [(evaluation,)] * 8)
    created = [o for o in outcomes if isinstance(o, dict)]
    assert len(created) == 1 and [o for o in outcomes if not isinstance(o, dict)] == ["EVALUATION_EXISTS"] * 7
    ident = created[0]["evaluation_id"]
    marks = [
        {"activity_id": a, "theme": mark, "content": 10, "form": 10, "organisation": 10, "effect": 10}
        for mark in range(8)
    ]
    outcomes = concurrently(scoring, "judge", [(ident, "judge-1", mark) for mark in marks])
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    judged = call(scoring, "evaluation", ident)["candidates"][0]["judged"]
    assert judged["judges"] == 1 and judged["criteria"]["theme"] in range(8)


def test_concurrent_vote_attempts_are_limited_per_account_and_address_in_the_database(scoring, monkeypatch):
    monkeypatch.setenv("PARTYDAY_VOTES_PER_ACCOUNT_PER_MINUTE", "5")
    monkeypatch.setenv("PARTYDAY_VOTES_PER_ADDRESS_PER_MINUTE", "8")
    get_settings.cache_clear()
    try:
        activity = approve(scoring, "A")
        if datetime.now().second > 30:
            time.sleep(61 - datetime.now().second)  # the attempts below share one minute's window
        campaign = call(
            scoring,
            "create_campaign",
            {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 1},
        )["campaign_id"]
        outcomes = concurrently(scoring, "vote", [(campaign, "member:m1", {"activity_id": activity}, "10.0.0.7")] * 40)
        assert len([o for o in outcomes if isinstance(o, dict)]) == 1
        assert outcomes.count("VOTE_RATE_LIMITED") == 35, "exactly the account's 5 attempts of the minute got in"
        others = concurrently(
            scoring, "vote", [(campaign, f"member:x{i}", {"activity_id": activity}, "10.0.0.7") for i in range(10)]
        )
        assert others.count("VOTE_RATE_LIMITED") == 7, "the address had 3 attempts left for other accounts"
        refused_vote = refused(
            "VOTE_RATE_LIMITED", call, scoring, "vote", campaign, "member:m1", {"activity_id": activity}, "10.0.0.8"
        )
        assert refused_vote.details["per"] == "account" and 1 <= refused_vote.details["retry_after"] <= 60
        refused("ADDRESS_INVALID", call, scoring, "vote", campaign, "member:m1", {"activity_id": activity}, "")
        assert call(scoring, "campaign_results", campaign)["total_votes"] == 4
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_votes_are_taken_in_the_campaigns_voting_window_which_every_payload_shows(scoring):
    activity = approve(scoring, "A")
    now = datetime.now(timezone.utc)
    later = call(
        scoring,
        "create_campaign",
        {
            "org_id": "town",
            "month": MONTH,
            "title": "打Call",
            "votes_per_voter": 1,
            "opens_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    assert later["opens_at"] == (now + timedelta(hours=1)).isoformat()
    assert later["closes_at"] == "2027-01-10T16:00:00+00:00", "by default when the month's scores stop changing"
    early = refused(
        "VOTING_NOT_OPEN", call, scoring, "vote", later["campaign_id"], "member:m1", {"activity_id": activity}, ADDRESS
    )
    assert early.status == 422 and early.details["opens_at"] == later["opens_at"]
    assert call(scoring, "campaign", later["campaign_id"])["opens_at"] == later["opens_at"]
    send(scoring, "directory", "org_created", {**TOWN, "org_id": "town-2", "code": "T2"})
    wait_until(lambda: _known_org(scoring, "town-2"), message="the second township arrived")
    closed = call(
        scoring,
        "create_campaign",
        {
            "org_id": "town-2",
            "month": MONTH,
            "title": "打Call",
            "votes_per_voter": 1,
            "opens_at": "2026-01-01T00:00:00+08:00",
            "closes_at": (now - timedelta(seconds=1)).isoformat(),
        },
    )
    late = refused(
        "VOTING_CLOSED", call, scoring, "vote", closed["campaign_id"], "member:m1", {"activity_id": activity}, ADDRESS
    )
    assert late.details["closes_at"] == closed["closes_at"]
    assert call(scoring, "campaign_results", closed["campaign_id"])["closes_at"] == closed["closes_at"]
    refused(
        "VOTING_WINDOW_INVALID",
        call,
        scoring,
        "create_campaign",
        {
            "org_id": "b-A",
            "month": MONTH,
            "title": "打Call",
            "votes_per_voter": 1,
            "opens_at": "2027-02-01T00:00:00+08:00",
        },
    )
    refused(
        "VALIDATION_FAILED",
        call,
        scoring,
        "create_campaign",
        {"org_id": "b-A", "month": MONTH, "title": "打Call", "votes_per_voter": 1, "closes_at": "2027-01-01T00:00:00"},
    )


def _known_org(container, org_id):
    try:
        return call(container, "progress", org_id, MONTH)
    except DomainError:
        return None


def test_a_moved_branchs_scores_follow_it_over_the_bus_and_a_stale_announcement_is_ignored(scoring):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A", signed_in=8)
    close(scoring, b, "B", signed_in=4)
    assert [item["org_id"] for item in call(scoring, "ranking", "town", MONTH)["items"]] == ["b-A", "b-B"]
    before = datetime.now(timezone.utc)
    other = {**TOWN, "org_id": "town-2", "code": "T2", "path": "/city/town-2/"}
    send(scoring, "directory", "org_created", other)
    send(scoring, "directory", "org_updated", {**branch("A"), "parent_id": "town-2", "path": "/city/town-2/b-A/"})
    moved = wait_until(
        lambda: _known_org(scoring, "town-2") and call(scoring, "ranking", "town-2", MONTH)["items"],
        message="the moved branch ranks under its new parent",
    )
    assert [(item["org_id"], item["rank"]) for item in moved] == [("b-A", 1)]
    assert [item["org_id"] for item in call(scoring, "ranking", "town", MONTH)["items"]] == ["b-B"]
    children = call(scoring, "ranking", "city", MONTH, group="children")["items"]
    assert {(item["org_id"], item["branches"]) for item in children} == {("town", 1), ("town-2", 1)}

    stale = Envelope(
        event_type="org_updated",
        source="directory",
        data=branch("A"),
        occurred_at=(before - timedelta(seconds=5)).isoformat(),
    )
    publish_event(scoring.config["AMQP_URI"], "directory", stale)
    wait_until(lambda: _consumed(scoring, stale.event_id), message="the stale announcement was consumed")
    assert [item["org_id"] for item in call(scoring, "ranking", "town-2", MONTH)["items"]] == ["b-A"], (
        "the stale announcement did not move the branch back"
    )


def _consumed(container, event_id):
    engine = make_engine(container.url)
    processed = metadata.tables["processed_events"]
    with engine.connect() as connection:
        found = connection.execute(select(processed).where(processed.c.event_id == event_id)).first()
    engine.dispose()
    return found is not None


def test_no_judgement_is_given_or_revised_after_the_first_review_even_one_racing_it(scoring, monkeypatch):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B")
    ident = call(
        scoring,
        "create_evaluation",
        {"org_id": "town", "kind": "monthly", "period": MONTH, "eligibility": ANY_ACTIVITY},
    )["evaluation_id"]
    marks = {"theme": 10, "content": 10, "form": 10, "organisation": 10, "effect": 10}
    call(scoring, "judge", ident, "judge-1", {"activity_id": a, **marks})

    candidates = evaluations._candidates

    def slowly(session, found, only=None):
        if only is not None and only == b:
            eventlet.sleep(1.5)  # a judge who read the stage "judging" and is still marking
        return candidates(session, found, only)

    monkeypatch.setattr(evaluations, "_candidates", slowly)
    with ClusterRpcProxy({"AMQP_URI": scoring.config["AMQP_URI"]}, timeout=30) as proxy:
        racing = proxy.scoring.judge.call_async(ident, "judge-2", {"activity_id": b, **marks, "effect": 20})
        time.sleep(0.5)
        started = time.monotonic()
        reviewed = proxy.scoring.first_review(ident, {"shortlist": [a, b]})
        waited = time.monotonic() - started
        assert racing.result()["total"] == 60
    assert reviewed["stage"] == "second_review"
    assert waited > 0.5, "the first review waited for the judgement under way instead of closing judging under it"
    monkeypatch.undo()

    judged = {c["activity_id"]: c["judged"] for c in call(scoring, "evaluation", ident)["candidates"]}
    assert judged[b]["total"] == 60.0, "the judgement that won the race is counted"
    refused("EVALUATION_STAGE", call, scoring, "judge", ident, "judge-1", {"activity_id": a, **marks, "theme": 20})
    refused("EVALUATION_STAGE", call, scoring, "judge", ident, "judge-3", {"activity_id": b, **marks})
    outcomes = concurrently(scoring, "judge", [(ident, f"judge-{i}", {"activity_id": a, **marks}) for i in range(8)])
    assert outcomes == ["EVALUATION_STAGE"] * 8
    after = {c["activity_id"]: c["judged"] for c in call(scoring, "evaluation", ident)["candidates"]}
    assert after == judged, "neither a revision nor a new judgement changed the marks after the review"


def test_every_mutating_rpc_answers_a_repeated_idempotency_key_with_its_first_answer(scoring, generous_vote_limits):
    a, b = approve(scoring, "A"), approve(scoring, "B")
    close(scoring, a, "A")
    close(scoring, b, "B")

    def twice(method, *args):
        """The call, and again with the same key: the first answer, where without the key it would be refused."""
        first = call(scoring, method, *args, idempotency_key=f"{method}-1")
        assert call(scoring, method, *args, idempotency_key=f"{method}-1") == first, method
        return first

    twice("like", a, "f0")
    refused("ALREADY_LIKED", call, scoring, "like", a, "f0", idempotency_key="like-2")
    refused("IDEMPOTENCY_KEY_REUSED", call, scoring, "like", b, "f0", idempotency_key="like-1")
    scored = twice("set_superior_score", a, {"score": 80}, "2026-12-09T00:00:00+08:00")
    assert scored["indicators"]["superior_score"] == 0.8
    refused(
        "IDEMPOTENCY_KEY_REUSED",
        call,
        scoring,
        "set_superior_score",
        b,
        {"score": 80},
        "2026-12-09T00:00:00+08:00",
        idempotency_key="set_superior_score-1",
    )

    comment = call(scoring, "add_comment", a, "m1", {"text": "不当言论"})["comment_id"]
    assert twice("report_comment", comment, "m2", {"reason": "spam"})["reports"] == 1
    for reporter in ("m3", "m4"):
        call(scoring, "report_comment", comment, reporter, {})
    assert twice("moderate", comment, {"decision": "restore"}, "admin")["status"] == "visible"

    campaign = twice(
        "create_campaign", {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 1}
    )["campaign_id"]
    assert twice("vote", campaign, "member:m1", {"activity_id": a}, ADDRESS)["votes_left"] == 0
    refused(
        "ALREADY_VOTED",
        call,
        scoring,
        "vote",
        campaign,
        "member:m1",
        {"activity_id": a},
        ADDRESS,
        idempotency_key="vote-2",
    )
    assert call(scoring, "campaign_results", campaign)["total_votes"] == 1

    ident = twice(
        "create_evaluation", {"org_id": "town", "kind": "monthly", "period": MONTH, "eligibility": ANY_ACTIVITY}
    )["evaluation_id"]
    marks = {"activity_id": a, "theme": 20, "content": 10, "form": 10, "organisation": 10, "effect": 10}
    twice("judge", ident, "judge-1", marks)
    refused(
        "IDEMPOTENCY_KEY_REUSED",
        call,
        scoring,
        "judge",
        ident,
        "judge-1",
        {**marks, "theme": 5},
        idempotency_key="judge-1",
    )
    assert twice("first_review", ident, {"shortlist": [a, b]})["stage"] == "second_review"
    assert twice("second_review", ident, {"best": [a], "excellent": [b]})["stage"] == "decided"
    assert twice("publish_evaluation", ident)["stage"] == "published"

    engine = make_engine(scoring.url)
    with engine.connect() as connection:
        kept = (
            connection.execute(
                select(metadata.tables["idempotency_keys"]).where(
                    metadata.tables["idempotency_keys"].c.operation == "vote"
                )
            )
            .mappings()
            .one()
        )
    engine.dispose()
    assert "m1" not in json.dumps(dict(kept), default=str), "the key's record names no voter"


def test_an_event_without_what_scoring_reads_is_dead_lettered_at_once_and_the_next_is_scored(scoring):
    activity = approve(scoring)
    amqp_uri = scoring.config["AMQP_URI"]
    node = branch("A")
    send(
        scoring,
        "attendance",
        "activity_closed",
        {
            "activity_id": activity,
            "branch_id": node["org_id"],
            "branch_path": node["path"],
            "expected": 10,
            "expected_mobile": 2,
        },
    )
    send(
        scoring,
        "media",
        "detail_score_changed",
        {
            "activity_id": activity,
            "branch_id": node["org_id"],
            "branch_path": node["path"],
            "detail_score": 101,
            "at": "2026-12-08T00:00:00+00:00",
        },
    )
    wait_until(lambda: deadletters.count(amqp_uri) == 2, message="both dead-lettered")
    letters = deadletters.inspect(amqp_uri)
    assert [letter["reason"] for letter in letters] == ["contract_violation"] * 2
    assert {letter["queue"] for letter in letters} == {
        "evt-attendance-activity_closed--scoring.on_activity_closed",
        "evt-media-detail_score_changed--scoring.on_detail_score_changed",
    }
    assert close(scoring, activity)["total"] == 73.68


def test_a_member_sees_whether_they_liked_and_a_voter_sees_their_votes_used_and_left(scoring):
    activity, other = approve(scoring, "A"), approve(scoring, "B")
    assert call(scoring, "like_state", activity, "m1") == {"activity_id": activity, "liked": False, "likes": 0}
    call(scoring, "like", activity, "m2")
    call(scoring, "like", activity, "m1")
    assert call(scoring, "like_state", activity, "m1") == {"activity_id": activity, "liked": True, "likes": 2}
    assert call(scoring, "like_state", activity, "m3")["liked"] is False
    refused("ACTIVITY_NOT_FOUND", call, scoring, "like_state", uuid.uuid4().hex, "m1")

    campaign = call(
        scoring,
        "create_campaign",
        {**VOTING, "org_id": "town", "month": MONTH, "title": "打Call", "votes_per_voter": 2},
    )["campaign_id"]
    fresh = call(scoring, "ballot", campaign, "member:m1")
    assert fresh == {
        "campaign_id": campaign,
        "votes_per_voter": 2,
        "votes_used": 0,
        "votes_left": 2,
        "voted": [],
        "voting": "open",
    }
    call(scoring, "vote", campaign, "member:m1", {"activity_id": activity}, ADDRESS)
    call(scoring, "vote", campaign, "public:13900000000", {"activity_id": other}, ADDRESS)
    mine = call(scoring, "ballot", campaign, "member:m1")
    assert (mine["votes_used"], mine["votes_left"], mine["voted"]) == (1, 1, [activity])
    call(scoring, "vote", campaign, "member:m1", {"activity_id": other}, ADDRESS)
    spent = call(scoring, "ballot", campaign, "member:m1")
    assert (spent["votes_used"], spent["votes_left"], sorted(spent["voted"])) == (2, 0, sorted([activity, other]))
    assert call(scoring, "ballot", campaign, "public:13900000000")["voted"] == [other]
    refused("CAMPAIGN_NOT_FOUND", call, scoring, "ballot", uuid.uuid4().hex, "member:m1")


def test_a_campaigns_opening_is_announced_once_however_many_rounds_run_at_once(scoring):
    later = {"opens_at": "2099-01-01T00:00:00+08:00", "closes_at": "2099-02-01T00:00:00+08:00"}
    opening = [
        call(
            scoring,
            "create_campaign",
            {**later, "org_id": org, "month": "2098-12", "title": "打Call", "votes_per_voter": 1},
        )
        for org in ("city", "town")
    ]
    past = {"opens_at": "2026-01-01T00:00:00+08:00", "closes_at": "2026-02-01T00:00:00+08:00"}
    call(scoring, "create_campaign", {**past, "org_id": "b-A", "month": "2026-01", "title": "旧", "votes_per_voter": 1})
    assert call(scoring, "announce_opened_campaigns", now="2098-12-31T23:59:59+08:00") == {"opened": 0}
    rounds = concurrently(scoring, "announce_opened_campaigns", [("2099-01-01T00:00:01+08:00",)] * 8)
    assert sum(found["opened"] for found in rounds) == 2, rounds
    assert call(scoring, "announce_opened_campaigns", now="2099-01-02T00:00:00+08:00") == {"opened": 0}
    engine = make_engine(scoring.url)
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        opened = connection.execute(select(outbox.c.body).where(outbox.c.event_type == "campaign_opened")).scalars()
        announced = sorted(body["data"]["campaign_id"] for body in opened)
    engine.dispose()
    assert announced == sorted(found["campaign_id"] for found in opening), "each once; a closed one never"
