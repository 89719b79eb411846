"""The scoring routes with the services faked: who may do what, bad input, charts, vote rate limits."""

import pytest

from tests.gateway.fakes import FakeRpc

RANKING = {
    "org_id": "town",
    "name": "北关街道",
    "period": "2026-12",
    "domain": None,
    "kind": None,
    "group": "branches",
    "unscored": 0,
    "total": 1,
    "page": 1,
    "page_size": 100,
    "items": [
        {
            "rank": 1,
            "org_id": "b1",
            "name": "北关社区第一党支部",
            "code": "B1",
            "domain": "community",
            "score": 91.5,
            "sign_in_rate": 1.0,
            "activities": 1,
        }
    ],
}
SCORE = {
    "activity_id": "a1",
    "branch_id": "b1",
    "month": "2026-12",
    "status": "scored",
    "total": 85.83,
    "indicators": {
        "sign_in_rate": 1.0,
        "mobile_like_rate": 0.5,
        "upload_detail": 0.6,
        "comments": 0.1667,
        "superior_score": 0.8,
    },
    "weights": {"sign_in_rate": 70, "mobile_like_rate": 10, "upload_detail": 10, "comments": 5, "superior_score": 5},
    "not_applicable": [],
    "frozen_at": None,
    "scored_at": None,
}


def context(roles, org_id="b1", kind="member", member_id="m1"):
    return {
        "session_active": True,
        "kind": kind,
        "subject": member_id or "p1",
        "member_id": member_id,
        "name": "x",
        "org_id": org_id,
        "org_path": f"/root/town/{org_id}/" if org_id else None,
        "roles": [{"role": role, "org_id": node, "org_path": path, "grant_id": "g"} for role, node, path in roles],
    }


MEMBER = context([])
TOWN_ADMIN = context([("org_admin", "town", "/root/town/")], org_id="t-office")
BRANCH_ADMIN = context([("branch_admin", "b1", "/root/town/b1/")])
AUDITOR = context([("auditor", "town", "/root/town/")], org_id="t-office")
COMMENT = {
    "comment_id": "c1",
    "activity_id": "a1",
    "member_id": "m2",
    "text": "好",
    "status": "visible",
    "reports": 0,
    "created_at": "2026-12-08T00:00:00+00:00",
}
EVALUATION = {
    "evaluation_id": "e1",
    "org_id": "town",
    "kind": "monthly",
    "period": "2026-12",
    "stage": "judging",
    "best_slots": 1,
    "excellent_slots": 1,
    "eligibility": {"min_sign_in_rate": 0.8, "summary_required": True},
    "shortlist": [],
    "best": [],
    "excellent": [],
    "published_at": None,
}
WINDOW = {"opens_at": "2026-11-30T16:00:00+00:00", "closes_at": "2027-01-10T16:00:00+00:00"}
PUBLIC = context([], org_id=None, kind="public", member_id=None)
PATHS = {"root": "/root/", "town": "/root/town/", "b1": "/root/town/b1/", "b2": "/root/town/b2/"}


IDEA = {
    "idea_id": "idea-1",
    "evaluation_id": "e1",
    "branch_id": "b1",
    "title": "红色驿站",
    "text": "在工地设流动党员驿站",
    "media_ids": [],
    "proposed_by": "m1",
    "proposed_at": "2026-12-08T00:00:00+00:00",
}
ANSWERS = {
    ("scoring", "get_activity"): {"activity_id": "a1", "branch_id": "b1", "month": "2026-12", "theme": "t"},
    ("scoring", "evaluation_candidate"): {"candidate_id": "a1", "kind": "activity", "branch_id": "b1"},
    ("scoring", "propose_idea"): IDEA,
    ("scoring", "score"): SCORE,
    ("scoring", "set_superior_score"): SCORE,
    ("scoring", "ranking"): RANKING,
    ("scoring", "vote"): {"campaign_id": "c1", "activity_id": "a1", "votes_left": 0},
    ("scoring", "like"): {"activity_id": "a1", "liked": True, "likes": 1},
    ("scoring", "moderation_queue"): {"items": [], "total": 0, "page": 1, "page_size": 50},
    ("scoring", "comment_scope"): {"comment_id": "c1", "activity_id": "a1", "branch_id": "b1"},
    ("scoring", "comments"): {"items": [COMMENT], "total": 1, "page": 1, "page_size": 50},
    ("scoring", "authored_comments"): {
        "items": [{**COMMENT, "member_id": "m1", "status": "hidden"}],
        "total": 1,
        "page": 1,
        "page_size": 50,
    },
    ("scoring", "add_comment"): COMMENT,
    ("scoring", "moderate"): COMMENT,
    ("scoring", "report_comment"): {"comment_id": "c1", "reports": 1, "status": "visible"},
    ("scoring", "evaluation"): {
        **EVALUATION,
        "candidates": [],
        "total": 0,
        "page": 1,
        "page_size": 100,
        "marked_by_me": 0,
    },
    ("scoring", "first_review"): EVALUATION,
    ("scoring", "second_review"): EVALUATION,
    ("scoring", "publish_evaluation"): EVALUATION,
    ("scoring", "create_evaluation"): EVALUATION,
    ("scoring", "report"): {
        "org_id": "town",
        "name": "北关街道",
        "kind": "inspection",
        "title": "主题党日月度督查",
        "period": "2026-12",
        "months": [],
        "summary": {
            "branches": 1,
            "months": 1,
            "branch_months": 1,
            "planned": 1,
            "approved": 1,
            "held": 0,
            "documented": 0,
            "scored": 0,
            "held_rate": 0.0,
            "scored_branches": 0,
            "unscored": 1,
            "mean_score": None,
            "best": [],
            "weakest": [],
            "previous": None,
        },
        "ranking": [],
        "columns": ["name", "score"],
        "rows": [{"name": "第一党支部", "score": None}],
    },
    ("scoring", "judge"): {
        "evaluation_id": "e1",
        "activity_id": "a1",
        "theme": 20,
        "content": 20,
        "form": 20,
        "organisation": 20,
        "effect": 20,
        "total": 100,
    },
    ("scoring", "campaign_results"): {
        "campaign_id": "c1",
        "org_id": "town",
        "month": "2026-12",
        "title": "t",
        "votes_per_voter": 1,
        **WINDOW,
        "total_votes": 0,
        "total": 1,
        "page": 1,
        "page_size": 20,
        "items": [{"activity_id": "a1", "branch_id": "b1", "name": "一支部", "theme": "t", "votes": 0}],
    },
    ("media", "activity_media_page"): {
        "items": [
            {"media_id": "p1", "kind": "image", "status": "approved", "caption": "合影"},
            {"media_id": "v1", "kind": "video", "status": "approved", "caption": None},
        ],
        "total": 2,
        "page": 1,
        "page_size": 50,
    },
    ("media", "get_media"): lambda media_id, **kwargs: {
        "media_id": media_id,
        "activity_id": "elsewhere",
        "kind": "image",
        "status": "approved",
    },
    ("scoring", "is_candidate"): False,
    ("scoring", "create_campaign"): {
        "campaign_id": "c1",
        "org_id": "town",
        "month": "2026-12",
        "title": "t",
        "votes_per_voter": 3,
        **WINDOW,
    },
}
ANSWERS[("scoring", "campaign")] = ANSWERS[("scoring", "change_campaign")] = ANSWERS[("scoring", "close_campaign")] = (
    ANSWERS[("scoring", "create_campaign")]
)


def node(org_id):
    return {"path": PATHS[org_id], "level": "branch", "name": "x"} if org_id in PATHS else None


def scoring_rpc(who) -> FakeRpc:
    """Scoring (and media, for campaign photos) as these tests fake them; a method not listed answers {}."""
    fake = FakeRpc(caller=who, nodes=node, default={})
    for (service, method), outcome in ANSWERS.items():
        fake.answer(service, method, outcome)
    return fake


@pytest.fixture
def gateway(gateway):
    """`gateway.acting_as(who)`: `who` calls (a directory `auth_context`), and the fake it will ask is returned."""
    gateway.acting_as = lambda who: gateway.use(scoring_rpc(who))
    return gateway


def code(response):
    return response.json()["error"]["code"]


def test_members_of_the_branch_read_the_score_and_like_but_only_a_superior_scores(gateway):
    gateway.acting_as(MEMBER)
    assert gateway.get("/api/v1/activities/a1/score").json()["total"] == 85.83
    assert gateway.post("/api/v1/activities/a1/likes").status_code == 201
    refused = gateway.post("/api/v1/activities/a1/superior-score", json={"score": 90})
    assert refused.status_code == 403 and code(refused) == "FORBIDDEN"
    own = gateway.acting_as(context([("org_admin", "b1", "/root/town/b1/")]))
    assert code(gateway.post("/api/v1/activities/a1/superior-score", json={"score": 90})) == "OWN_BRANCH"
    assert not own.called("set_superior_score")
    superior = gateway.acting_as(TOWN_ADMIN)
    answer = gateway.post("/api/v1/activities/a1/superior-score", json={"score": 90}, headers={"Idempotency-Key": "k1"})
    assert answer.status_code == 200, answer.text
    assert superior.calls[-1] == ("scoring", "set_superior_score", ("a1", {"score": 90}), {"idempotency_key": "k1"})


@pytest.mark.parametrize("body", [{"score": 101}, {"score": -1}, {"score": "high"}, {}, {"score": 50, "x": 1}])
def test_a_bad_superior_score_is_400(gateway, body):
    gateway.acting_as(TOWN_ADMIN)
    response = gateway.post("/api/v1/activities/a1/superior-score", json=body)
    assert response.status_code == 400 and code(response) == "VALIDATION_FAILED"


def test_outsiders_and_public_voters_cannot_like_or_comment(gateway):
    gateway.acting_as(context([], org_id="b2"))
    assert code(gateway.post("/api/v1/activities/a1/likes")) == "FORBIDDEN"
    gateway.acting_as(PUBLIC)
    assert code(gateway.post("/api/v1/activities/a1/comments", json={"text": "好"})) == "MEMBERS_ONLY"
    gateway.acting_as(MEMBER)
    assert code(gateway.post("/api/v1/activities/a1/comments", json={"text": ""})) == "VALIDATION_FAILED"
    assert code(gateway.post("/api/v1/activities/a1/comments", json={"text": "x" * 2001})) == "VALIDATION_FAILED"


def test_auditors_read_comments_but_never_like_comment_or_report(gateway):
    gateway.acting_as(AUDITOR)
    assert gateway.get("/api/v1/activities/a1/score").status_code == 200
    assert gateway.get("/api/v1/activities/a1/comments").json()["total"] == 1
    auditor = gateway.acting_as(context([("auditor", "town", "/root/town/")], org_id="t-office", member_id="m7"))
    assert code(gateway.post("/api/v1/activities/a1/likes")) == "FORBIDDEN"
    assert code(gateway.post("/api/v1/activities/a1/comments", json={"text": "好"})) == "FORBIDDEN"
    assert code(gateway.post("/api/v1/comments/c1/reports", json={})) == "FORBIDDEN"
    assert not [call for call in auditor.calls if call.method in ("like", "add_comment", "report_comment")]
    member = gateway.acting_as(context([], member_id="m8"))
    assert gateway.post("/api/v1/activities/a1/comments", json={"text": "好"}).status_code == 201
    assert gateway.post("/api/v1/comments/c1/reports", json={}).status_code == 201
    assert [call.method for call in member.calls if call.method in ("add_comment", "report_comment")] == [
        "add_comment",
        "report_comment",
    ]


def test_moderation_is_for_superiors_of_the_branch_only(gateway):
    gateway.acting_as(MEMBER)
    assert code(gateway.get("/api/v1/moderation/comments", params={"org_id": "b1"})) == "FORBIDDEN"
    branch_admin = gateway.acting_as(BRANCH_ADMIN)
    assert code(gateway.get("/api/v1/moderation/comments", params={"org_id": "b1"})) == "FORBIDDEN"
    assert code(gateway.post("/api/v1/comments/c1/moderation", json={"decision": "remove"})) == "FORBIDDEN"
    own = gateway.acting_as(context([("org_admin", "town", "/root/town/")], org_id="b1"))
    assert code(gateway.get("/api/v1/moderation/comments", params={"org_id": "b1"})) == "OWN_BRANCH"
    assert code(gateway.post("/api/v1/comments/c1/moderation", json={"decision": "remove"})) == "OWN_BRANCH"
    assert gateway.get("/api/v1/moderation/comments", params={"org_id": "town"}).status_code == 200
    assert own.calls[-1] == (
        "scoring",
        "moderation_queue",
        ("town",),
        {"page": 1, "page_size": 50, "exclude_path": "/root/town/b1/"},
    )
    assert not branch_admin.called("moderate") + own.called("moderate")
    superior = gateway.acting_as(TOWN_ADMIN)
    assert gateway.post("/api/v1/comments/c1/moderation", json={"decision": "remove"}).status_code == 200
    assert superior.calls[-1].method == "moderate"
    assert code(gateway.post("/api/v1/comments/c1/moderation", json={"decision": "delete"})) == "VALIDATION_FAILED"


def test_rankings_as_json_svg_and_png_with_checked_periods(gateway):
    gateway.acting_as(TOWN_ADMIN)
    assert (
        gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026-12"}).json()["items"][0]["rank"] == 1
    )
    for period in ("2026-13", "26-12", "2026-Q5", "December"):
        response = gateway.get("/api/v1/rankings", params={"org_id": "town", "period": period})
        assert response.status_code == 400 and code(response) == "VALIDATION_FAILED", period
    assert (
        code(gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026", "domain": "moon"}))
        == "VALIDATION_FAILED"
    )
    assert (
        code(gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026", "kind": "club"}))
        == "VALIDATION_FAILED"
    )
    fake = gateway.acting_as(TOWN_ADMIN)
    gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026-Q4", "kind": "joint"})
    assert fake.calls[-1] == (
        "scoring",
        "ranking",
        ("town", "2026-Q4"),
        {"domain": None, "group": "branches", "kind": "joint", "page": 1, "page_size": 100},
    )
    svg = gateway.get("/api/v1/rankings/chart", params={"org_id": "town", "period": "2026-12", "format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and "北关社区第一党支部" in svg.text
    png = gateway.get("/api/v1/rankings/chart", params={"org_id": "town", "period": "2026-Q4", "format": "png"})
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert (
        code(gateway.get("/api/v1/rankings/chart", params={"org_id": "town", "period": "2026-12", "format": "gif"}))
        == "VALIDATION_FAILED"
    )
    gateway.acting_as(MEMBER)
    assert code(gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026-12"})) == "FORBIDDEN"


def test_only_organisation_admins_open_campaigns_and_a_bad_one_is_400(gateway):
    body = {"org_id": "town", "month": "2026-12", "title": "我为主题党日打Call", "votes_per_voter": 3}
    gateway.acting_as(BRANCH_ADMIN)
    assert code(gateway.post("/api/v1/campaigns", json=body)) == "FORBIDDEN"
    gateway.acting_as(TOWN_ADMIN)
    assert gateway.post("/api/v1/campaigns", json=body).status_code == 201
    assert code(gateway.post("/api/v1/campaigns", json={**body, "votes_per_voter": 0})) == "VALIDATION_FAILED"


def test_a_nodes_readers_list_its_campaigns_a_page_and_a_month_at_a_time(gateway):
    listed = {"campaign_id": "c1", "org_id": "town", "month": "2026-12", "title": "t", "votes_per_voter": 3, **WINDOW}
    fake = gateway.acting_as(BRANCH_ADMIN)
    fake.answer("scoring", "campaigns", {"items": [listed], "total": 1, "page": 2, "page_size": 5})
    answer = gateway.get("/api/v1/campaigns", params={"org_id": "b1", "month": "2026-12", "page": 2, "page_size": 5})
    assert answer.status_code == 200 and answer.json()["items"] == [listed]
    assert fake.called("campaigns")[-1].args == ("b1",)
    assert fake.called("campaigns")[-1].kwargs == {"page": 2, "page_size": 5, "month": "2026-12"}
    assert code(gateway.get("/api/v1/campaigns", params={"org_id": "town"})) == "FORBIDDEN"
    assert code(gateway.get("/api/v1/campaigns", params={"org_id": "b1", "month": "2026-13"})) == "VALIDATION_FAILED"
    assert gateway.get("/api/v1/campaigns").status_code == 400
    gateway.acting_as(MEMBER)
    assert code(gateway.get("/api/v1/campaigns", params={"org_id": "b1"})) == "FORBIDDEN"


def test_a_campaign_names_its_voting_window_which_must_carry_an_offset(gateway):
    body = {"org_id": "town", "month": "2026-12", "title": "我为主题党日打Call", "votes_per_voter": 3}
    fake = gateway.acting_as(TOWN_ADMIN)
    opened = gateway.post("/api/v1/campaigns", json=body)
    assert opened.status_code == 201 and opened.json()["closes_at"] == WINDOW["closes_at"]
    assert fake.calls[-1].args == (body,), "without a window, scoring's default applies"
    gateway.post("/api/v1/campaigns", json={**body, "opens_at": "2026-12-05T08:00:00+08:00"})
    assert fake.calls[-1].args == ({**body, "opens_at": "2026-12-05T08:00:00+08:00"},)
    naive = gateway.post("/api/v1/campaigns", json={**body, "closes_at": "2026-12-31T23:59:59"})
    assert naive.status_code == 400 and code(naive) == "VALIDATION_FAILED"


def test_who_runs_campaigns_over_its_organisation_changes_and_closes_a_campaign(gateway):
    change = {"title": "新标题", "closes_at": "2026-12-20T20:00:00+08:00"}
    gateway.acting_as(BRANCH_ADMIN)
    assert code(gateway.patch("/api/v1/campaigns/c1", json=change)) == "FORBIDDEN"
    assert code(gateway.post("/api/v1/campaigns/c1/close")) == "FORBIDDEN"
    fake = gateway.acting_as(TOWN_ADMIN)
    changed = gateway.patch("/api/v1/campaigns/c1", json=change, headers={"Idempotency-Key": "k1"})
    assert changed.status_code == 200, changed.text
    assert fake.calls[-1] == ("scoring", "change_campaign", ("c1", change), {"idempotency_key": "k1"})
    assert code(gateway.patch("/api/v1/campaigns/c1", json={})) == "VALIDATION_FAILED"
    assert code(gateway.patch("/api/v1/campaigns/c1", json={"opens_at": "2026-12-20T20:00:00"})) == (
        "VALIDATION_FAILED"
    ), "a time without an offset"
    assert code(gateway.patch("/api/v1/campaigns/c1", json={"votes_per_voter": 5})) == "VALIDATION_FAILED"
    assert gateway.post("/api/v1/campaigns/c1/close").status_code == 200
    assert fake.calls[-1].method == "close_campaign" and fake.calls[-1].args == ("c1",)


def test_a_vote_names_its_account_and_client_address_to_scoring_which_limits_them(gateway):
    fake = gateway.acting_as(PUBLIC)
    assert gateway.post("/api/v1/campaigns/c1/votes", json={"activity_id": "a1"}).status_code == 201
    assert fake.calls[-1] == (
        "scoring",
        "vote",
        ("c1", "public:m1", {"activity_id": "a1"}, "testclient"),
        {"idempotency_key": None},
    ), "a public voter is their account"
    gateway.acting_as(MEMBER)
    gateway.post("/api/v1/campaigns/c1/votes", json={"activity_id": "a1"})
    assert gateway.app_state.rpc.calls[-1].args[1] == "member:m1"


MARKS = {"activity_id": "a1", "theme": 20, "content": 20, "form": 20, "organisation": 20, "effect": 20}
WORKING_GROUP = context([("working_group", "town", "/root/town/")], org_id="t-office")
COMMITTEE = context([("committee", "root", "/root/")], org_id="c-office")
MUTATIONS = [  # who may, the route, its body, and the RPC it asks
    (MEMBER, "/api/v1/activities/a1/likes", None, "like"),
    (MEMBER, "/api/v1/activities/a1/comments", {"text": "好"}, "add_comment"),
    (MEMBER, "/api/v1/comments/c1/reports", {}, "report_comment"),
    (TOWN_ADMIN, "/api/v1/comments/c1/moderation", {"decision": "restore"}, "moderate"),
    (TOWN_ADMIN, "/api/v1/activities/a1/superior-score", {"score": 90}, "set_superior_score"),
    (
        TOWN_ADMIN,
        "/api/v1/campaigns",
        {"org_id": "town", "month": "2026-12", "title": "打Call", "votes_per_voter": 1},
        "create_campaign",
    ),
    (MEMBER, "/api/v1/campaigns/c1/votes", {"activity_id": "a1"}, "vote"),
    (TOWN_ADMIN, "/api/v1/campaigns/c1/close", None, "close_campaign"),
    (
        TOWN_ADMIN,
        "/api/v1/evaluations",
        {"org_id": "town", "kind": "monthly", "period": "2026-12"},
        "create_evaluation",
    ),
    (TOWN_ADMIN, "/api/v1/evaluations/e1/judgements", MARKS, "judge"),
    (
        BRANCH_ADMIN,
        "/api/v1/evaluations/e1/ideas",
        {"branch_id": "b1", "title": "红色驿站", "text": "在工地设流动党员驿站"},
        "propose_idea",
    ),
    (WORKING_GROUP, "/api/v1/evaluations/e1/first-review", {"shortlist": ["a1"]}, "first_review"),
    (COMMITTEE, "/api/v1/evaluations/e1/second-review", {"best": ["a1"]}, "second_review"),
    (COMMITTEE, "/api/v1/evaluations/e1/publish", None, "publish_evaluation"),
]


@pytest.mark.parametrize("who, path, body, method", MUTATIONS, ids=[m[3] for m in MUTATIONS])
def test_every_mutating_scoring_route_hands_its_idempotency_key_to_scoring(gateway, who, path, body, method):
    fake = gateway.acting_as(who)
    answer = gateway.post(path, json=body, headers={"Idempotency-Key": f"key-{method}"})
    assert answer.status_code in (200, 201), answer.text
    assert fake.calls[-1].method == method and fake.calls[-1].kwargs["idempotency_key"] == f"key-{method}"
    gateway.post(path, json=body)
    assert fake.calls[-1].method == method and fake.calls[-1].kwargs["idempotency_key"] is None, "no key, none passed"
    refused = gateway.post(path, json=body, headers={"Idempotency-Key": "k" * 201})
    assert refused.status_code == 400 and code(refused) == "VALIDATION_FAILED"


def test_scorings_vote_rate_limit_is_429_with_retry_after(gateway):
    from partyday_gateway.rpc import RemoteError

    fake = gateway.acting_as(MEMBER)
    fake.answer(
        "scoring",
        "vote",
        RemoteError(
            "scoring",
            "vote",
            {
                "exc_type": "DomainError",
                "value": "x",
                "exc_args": [
                    "VOTE_RATE_LIMITED",
                    "too many votes from this address; slow down",
                    429,
                    {"per": "address", "limit": 120, "retry_after": 17},
                ],
            },
        ),
    )
    refused = gateway.post("/api/v1/campaigns/c1/votes", json={"activity_id": "a1"})
    assert refused.status_code == 429 and code(refused) == "VOTE_RATE_LIMITED"
    assert refused.headers["Retry-After"] == "17" and refused.json()["error"]["details"]["per"] == "address"


def test_the_progress_dashboard_checks_its_month(gateway):
    fake = gateway.acting_as(TOWN_ADMIN)
    gateway.get("/api/v1/dashboards/progress", params={"org_id": "town", "month": "2026-12"})
    assert fake.calls[-1] == ("scoring", "progress", ("town",), {"month": "2026-12", "domain": None})
    assert (
        code(gateway.get("/api/v1/dashboards/progress", params={"org_id": "town", "month": "2026-1"}))
        == "VALIDATION_FAILED"
    )


def test_judges_are_organisation_admins_above_the_candidate_and_marks_are_checked(gateway):
    marks = {"activity_id": "a1", "theme": 20, "content": 20, "form": 20, "organisation": 20, "effect": 20}
    gateway.acting_as(BRANCH_ADMIN)
    assert code(gateway.post("/api/v1/evaluations/e1/judgements", json=marks)) == "FORBIDDEN"
    gateway.acting_as(context([("org_admin", "town", "/root/town/")], org_id="b1"))
    assert code(gateway.post("/api/v1/evaluations/e1/judgements", json=marks)) == "OWN_BRANCH"
    fake = gateway.acting_as(TOWN_ADMIN)
    assert gateway.post("/api/v1/evaluations/e1/judgements", json=marks).status_code == 200
    assert fake.calls[-1].method == "judge"
    assert code(gateway.post("/api/v1/evaluations/e1/judgements", json={**marks, "effect": 21})) == "VALIDATION_FAILED"
    assert (
        code(gateway.post("/api/v1/evaluations", json={"org_id": "town", "kind": "golden_ideas", "period": "2026-12"}))
        == "VALIDATION_FAILED"
    )
    assert code(gateway.post("/api/v1/evaluations/e1/first-review", json={"shortlist": []})) == "VALIDATION_FAILED"


def test_the_evaluation_answers_the_calling_judge_their_own_marks_only(gateway):
    mine = {"theme": 18, "content": 17, "form": 16, "organisation": 19, "effect": 15, "total": 85}
    candidate = {
        "candidate_id": "a1",
        "kind": "activity",
        "activity_id": "a1",
        "branch_id": "b2",
        "name": "第二党支部",
        "theme": "t",
        "score": 80.0,
        "votes": 0,
        "sign_in_rate": 1.0,
        "summarized": True,
        "ineligible_because": [],
        "idea": None,
        "judged": {"judges": 2, "criteria": {"theme": 10.0}, "total": 80.0},
        "mine": {**mine, "judged_at": "2026-12-08T00:00:00+00:00"},
        "shortlisted": False,
        "award": None,
    }
    view = {**EVALUATION, "candidates": [candidate], "total": 1, "page": 1, "page_size": 100, "marked_by_me": 1}
    fake = gateway.acting_as(TOWN_ADMIN)
    fake.answer("scoring", "evaluation", view)
    answer = gateway.get("/api/v1/evaluations/e1", params={"page": 2, "page_size": 10})
    assert answer.status_code == 200, answer.text
    asked = fake.called("evaluation")[-1]
    assert asked.kwargs == {"page": 2, "page_size": 10, "judge_id": "m1"}, "the caller is the judge, never a parameter"
    body = answer.json()
    assert body["marked_by_me"] == 1 and body["candidates"][0]["mine"]["total"] == 85
    fake = gateway.acting_as(context([("org_admin", "town", "/root/town/")], org_id="t-office", member_id="m7"))
    gateway.get("/api/v1/evaluations/e1", params={"judge_id": "m1"})
    assert fake.called("evaluation")[-1].kwargs["judge_id"] == "m7", "no caller names another judge"
    fake = gateway.acting_as(MEMBER)
    assert code(gateway.get("/api/v1/evaluations/e1")) == "FORBIDDEN", "and nobody outside reads it"


def test_only_the_working_group_makes_the_first_review_and_only_the_committee_the_second_and_publishes(gateway):
    shortlist, winners = {"shortlist": ["a1"]}, {"best": ["a1"]}
    steps = (
        ("first-review", shortlist, "first_review"),
        ("second-review", winners, "second_review"),
        ("publish", None, "publish_evaluation"),
    )
    working_group = context([("working_group", "town", "/root/town/")], org_id="t-office")
    committee = context([("committee", "root", "/root/")], org_id="c-office")
    for who, allowed in (
        (TOWN_ADMIN, set()),
        (context([("city_admin", "root", "/root/")]), set()),
        (working_group, {"first-review"}),
        (committee, {"second-review", "publish"}),
        (context([("working_group", "b1", "/root/town/b1/")]), set()),
    ):
        fake = gateway.acting_as(who)
        for step, body, method in steps:
            answer = gateway.post(f"/api/v1/evaluations/e1/{step}", json=body)
            if step in allowed:
                assert answer.status_code == 200 and fake.calls[-1].method == method, (who, step, answer.text)
            else:
                expected = "WORKING_GROUP_ONLY" if step == "first-review" else "COMMITTEE_ONLY"
                assert answer.status_code == 403 and code(answer) == expected, (who, step)
                assert not fake.called(method)
    gateway.acting_as(working_group)
    assert gateway.get("/api/v1/evaluations/e1").status_code == 200, "the bodies read what they review"
    marks = {"activity_id": "a1", "theme": 20, "content": 20, "form": 20, "organisation": 20, "effect": 20}
    assert code(gateway.post("/api/v1/evaluations/e1/judgements", json=marks)) == "FORBIDDEN", "judges stay admins"
    gateway.acting_as(committee)
    assert gateway.get("/api/v1/evaluations/e1").status_code == 200


def test_reports_as_xlsx_pdf_and_json_for_readers_of_the_node(gateway):
    gateway.acting_as(TOWN_ADMIN)
    params = {"org_id": "town", "period": "2026-12"}
    xlsx = gateway.get("/api/v1/reports/inspection", params=params)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert 'filename="inspection-2026-12.xlsx"' in xlsx.headers["content-disposition"]
    pdf = gateway.get("/api/v1/reports/inspection", params={**params, "format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    preview = gateway.get("/api/v1/reports/inspection", params={**params, "format": "json"}).json()
    assert preview["rows"] and preview["heading"] == "关于2026年12月主题党日督查情况的报告"
    assert preview["summary_text"] == [
        "2026年12月，北关街道共有1个党支部，已报送方案1个，审批通过1个，已开展主题党日0个，开展率0.0%；已归档图文0个，已评分0个。",
        "本月尚无支部得分。",
        "上月没有可比的数据，暂不作比较。",
    ]
    assert code(gateway.get("/api/v1/reports/gazette", params=params)) == "VALIDATION_FAILED"
    assert code(gateway.get("/api/v1/reports/bulletin", params={**params, "period": "2026-Q9"})) == "VALIDATION_FAILED"
    gateway.acting_as(MEMBER)
    assert code(gateway.get("/api/v1/reports/inspection", params=params)) == "FORBIDDEN"


def test_campaign_candidates_show_their_approved_photos_and_nothing_else(gateway):
    fake = gateway.acting_as(PUBLIC)
    shown = gateway.get("/api/v1/campaigns/c1/candidates")
    assert shown.status_code == 200, shown.text
    photos = shown.json()["items"][0]["photos"]
    assert [(p["media_id"], p["thumbnail_url"]) for p in photos] == [
        ("p1", "/api/v1/campaigns/c1/photos/p1?variant=thumbnail")
    ]
    assert ("media", "activity_media_page", ("a1",), {"page": 1, "page_size": 50, "approved_only": True}) in fake.calls
    outside = gateway.get("/api/v1/campaigns/c1/photos/x9")
    assert outside.status_code == 404 and code(outside) == "MEDIA_NOT_FOUND"
    assert code(gateway.get("/api/v1/campaigns/c1/photos/p1", params={"variant": "original"})) == "VALIDATION_FAILED"


def test_rankings_are_paged_and_the_chart_asks_for_its_top_bars_only(gateway):
    fake = gateway.acting_as(TOWN_ADMIN)
    paged = gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026-12", "page": 3, "page_size": 50})
    assert paged.status_code == 200 and paged.json()["total"] == 1
    assert fake.calls[-1].kwargs["page"] == 3 and fake.calls[-1].kwargs["page_size"] == 50
    for bad in ({"page": 0}, {"page_size": 501}, {"page_size": "many"}):
        response = gateway.get("/api/v1/rankings", params={"org_id": "town", "period": "2026-12", **bad})
        assert response.status_code == 400 and code(response) == "VALIDATION_FAILED", bad
    gateway.get("/api/v1/rankings/chart", params={"org_id": "town", "period": "2026-12", "top": 7})
    assert fake.calls[-1].kwargs["page"] == 1 and fake.calls[-1].kwargs["page_size"] == 7


def test_campaign_candidates_and_results_are_paged(gateway):
    fake = gateway.acting_as(PUBLIC)
    assert gateway.get("/api/v1/campaigns/c1/candidates").status_code == 200
    assert fake.calls[0] == ("scoring", "campaign_results", ("c1",), {"page": 1, "page_size": 20})
    gateway.get("/api/v1/campaigns/c1/candidates", params={"page": 2, "page_size": 50})
    assert fake.called("campaign_results")[-1].kwargs == {"page": 2, "page_size": 50}
    assert code(gateway.get("/api/v1/campaigns/c1/candidates", params={"page_size": 51})) == "VALIDATION_FAILED"
    assert gateway.get("/api/v1/campaigns/c1/results", params={"page": 2}).json()["total"] == 1
    assert fake.calls[-1] == ("scoring", "campaign_results", ("c1",), {"page": 2, "page_size": 100})
    assert code(gateway.get("/api/v1/campaigns/c1/results", params={"page": 0})) == "VALIDATION_FAILED"


def test_a_candidate_media_does_not_know_has_no_photos_and_the_page_still_answers(gateway):
    from partyday_gateway.rpc import RemoteError

    fake = gateway.acting_as(PUBLIC)
    fake.answer(
        "media",
        "activity_media_page",
        RemoteError(
            "media",
            "activity_media_page",
            {
                "exc_type": "DomainError",
                "value": "x",
                "exc_args": ["ACTIVITY_NOT_FOUND", "activity a1 does not exist or is not approved", 404, {"id": "a1"}],
            },
        ),
    )
    shown = gateway.get("/api/v1/campaigns/c1/candidates")
    assert shown.status_code == 200, shown.text
    assert shown.json()["items"][0]["photos"] == []


def test_a_campaign_photo_is_served_after_a_cheap_candidate_check(gateway, monkeypatch):
    from fastapi.responses import Response

    async def served(found):
        return Response(b"jpeg", media_type="image/jpeg")

    monkeypatch.setattr("partyday_gateway.routes.campaigns.file_response", served)
    fake = gateway.acting_as(PUBLIC)
    refused = gateway.get("/api/v1/campaigns/c1/photos/p1")
    assert refused.status_code == 404 and code(refused) == "MEDIA_NOT_FOUND"
    assert ("scoring", "is_candidate", ("c1", "elsewhere"), {}) in fake.calls
    fake.answer("scoring", "is_candidate", True)
    assert gateway.get("/api/v1/campaigns/c1/photos/p1").content == b"jpeg"
    assert not fake.called("campaign_results"), "no results per thumbnail"
    assert [call.method for call in fake.calls][-3:] == ["get_media", "is_candidate", "media_file"]


def test_evaluation_candidates_are_paged(gateway):
    fake = gateway.acting_as(TOWN_ADMIN)
    assert gateway.get("/api/v1/evaluations/e1").json()["total"] == 0
    assert fake.calls[-1] == ("scoring", "evaluation", ("e1",), {"page": 1, "page_size": 100, "judge_id": "m1"})
    gateway.get("/api/v1/evaluations/e1", params={"page": 4, "page_size": 25})
    assert fake.calls[-1] == ("scoring", "evaluation", ("e1",), {"page": 4, "page_size": 25, "judge_id": "m1"})
    assert code(gateway.get("/api/v1/evaluations/e1", params={"page_size": 0})) == "VALIDATION_FAILED"


def test_an_author_reads_their_own_comments_with_their_status(gateway):
    rpc = gateway.acting_as(MEMBER)
    answer = gateway.get("/api/v1/me/comments", params={"page_size": 10})
    assert answer.status_code == 200 and answer.json()["items"][0]["status"] == "hidden"
    assert rpc.calls == [("scoring", "authored_comments", ("m1",), {"page": 1, "page_size": 10})]
    gateway.acting_as(PUBLIC)
    assert gateway.get("/api/v1/me/comments").json()["error"]["code"] == "MEMBERS_ONLY"


def test_only_the_branchs_own_admin_proposes_a_golden_idea(gateway):
    idea = {"branch_id": "b1", "title": "红色驿站", "text": "在工地设流动党员驿站"}
    for outsider in (MEMBER, TOWN_ADMIN, context([("branch_admin", "b2", "/root/town/b2/")], org_id="b2")):
        fake = gateway.acting_as(outsider)
        answer = gateway.post("/api/v1/evaluations/e1/ideas", json=idea)
        assert answer.status_code == 403 and answer.json()["error"]["details"]["needs"] == "propose_ideas"
        assert not [call for call in fake.calls if call.method == "propose_idea"]
    fake = gateway.acting_as(BRANCH_ADMIN)
    assert gateway.post("/api/v1/evaluations/e1/ideas", json=idea).json() == IDEA
    assert fake.calls[-1].args == ("e1", "m1", {**idea, "media_ids": []})


def test_the_evaluations_a_node_takes_part_in_are_for_its_readers(gateway):
    fake = gateway.acting_as(BRANCH_ADMIN)
    fake.answer("scoring", "evaluations", {"items": [EVALUATION], "total": 1, "page": 1, "page_size": 50})
    listed = gateway.get("/api/v1/evaluations", params={"org_id": "b1"})
    assert listed.status_code == 200 and listed.json()["items"][0]["eligibility"]["min_sign_in_rate"] == 0.8
    assert fake.calls[-1] == ("scoring", "evaluations", ("b1",), {"page": 1, "page_size": 50})
    gateway.acting_as(context([("branch_admin", "b2", "/root/town/b2/")], org_id="b2"))
    assert code(gateway.get("/api/v1/evaluations", params={"org_id": "b1"})) == "FORBIDDEN"
