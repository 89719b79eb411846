"""Rankings and evaluation candidates ordered and paged by the database, on PostgreSQL and SQLite alike: the
same order, the same rounding (half away from zero at the decimals shown), the same tie-breaks, whatever page
is asked for."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.migrations import upgrade
from partyday_scoring import evaluations, rankings
from partyday_scoring.models import Evaluation, GoldenIdea, Judgement, PlanProgress, ScoredActivity, org_nodes

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
MONTH = "2026-12"


@pytest.fixture(params=["postgresql", "sqlite"])
def session(request, databases, tmp_path):
    url = databases.create("scoring") if request.param == "postgresql" else f"sqlite:///{tmp_path}/scoring.db"
    upgrade("scoring", url)
    engine = make_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def node(org_id: str, parent: str | None, path: str, code: str, level: str, domain: str = "urban") -> dict:
    return {
        "org_id": org_id,
        "parent_id": parent,
        "path": path,
        "code": code,
        "name": f"组织{code}",
        "level": level,
        "domain": domain,
        "kind": "regular",
        "updated_at": NOW,
    }


def scored(activity_id: str, branch: dict, total: float, rate: float | None, month: str = MONTH) -> dict:
    return {
        "closed": True,
        "theme": f"主题{activity_id}",
        "activity_id": activity_id,
        "branch_id": branch["org_id"],
        "branch_path": branch["path"],
        "month": month,
        "total": total,
        "sign_in_rate": rate,
    }


def city(session: Session) -> None:
    """Two townships; branches whose shown scores tie so that each tie-break decides somewhere."""
    tree = [
        node("c", None, "/c/", "C", "city"),
        node("t1", "c", "/c/t1/", "T1", "township"),
        node("t2", "c", "/c/t2/", "T2", "township"),
        node("b-a", "t1", "/c/t1/b-a/", "A", "branch"),
        node("b-b", "t1", "/c/t1/b-b/", "B", "branch"),
        node("b-c", "t2", "/c/t2/b-c/", "C1", "branch"),
        node("b-d", "t2", "/c/t2/b-d/", "D", "branch", domain="rural"),
        node("b-e", "t2", "/c/t2/b-e/", "E", "branch"),
    ]
    session.execute(insert(org_nodes), tree)
    by_id = {row["org_id"]: row for row in tree}
    session.execute(
        insert(ScoredActivity.__table__),
        [
            # b-a: (80.0 + 80.01) / 2 = 80.005, shown as 80.01 (half away from zero), ties with b-b's 80.01
            scored("a1", by_id["b-a"], 80.0, 0.9),
            scored("a2", by_id["b-a"], 80.01, 0.9),
            scored("b1", by_id["b-b"], 80.01, 0.95),
            # b-c and b-d tie on score and rate: the code decides
            scored("c1", by_id["b-c"], 70.0, 0.8),
            scored("d1", by_id["b-d"], 70.0, 0.8),
            scored("d2", by_id["b-d"], 99.0, 1.0, month="2026-11"),
            # b-e: no score this month
        ],
    )
    session.flush()


def places(answer: dict) -> list[tuple]:
    return [(item["org_id"], item["rank"], item["score"]) for item in answer["items"]]


def test_branches_are_ranked_by_the_score_as_shown_then_rate_then_code(session):
    city(session)
    answer = rankings.ranking(session, "c", MONTH)
    assert places(answer) == [("b-b", 1, 80.01), ("b-a", 2, 80.01), ("b-c", 3, 70.0), ("b-d", 4, 70.0)]
    assert answer["unscored"] == 1
    assert answer["items"][1] == {
        "org_id": "b-a",
        "name": "组织A",
        "code": "A",
        "domain": "urban",
        "score": 80.01,
        "sign_in_rate": 0.9,
        "activities": 2,
        "rank": 2,
    }


def test_a_page_keeps_the_ranks_of_the_whole_ranking(session):
    city(session)
    second = rankings.ranking_page(session, "c", MONTH, None, "branches", None, 2, 2)
    assert places(second) == [("b-c", 3, 70.0), ("b-d", 4, 70.0)]
    assert (second["total"], second["page"], second["page_size"], second["unscored"]) == (4, 2, 2, 1)
    assert rankings.ranking_page(session, "c", MONTH, None, "branches", None, 3, 2)["items"] == []


def test_children_are_ranked_by_the_mean_of_their_branches_and_filters_narrow_the_branches(session):
    city(session)
    children = rankings.ranking(session, "c", MONTH, group="children")
    assert places(children) == [("t1", 1, 80.01), ("t2", 2, 70.0)]
    assert (children["items"][1]["branches"], children["items"][1]["activities"]) == (2, 2)
    quarter = rankings.ranking(session, "t2", "2026-Q4")
    assert places(quarter) == [("b-d", 1, 84.5), ("b-c", 2, 70.0)]
    rural = rankings.ranking(session, "c", MONTH, domain="rural")
    assert (places(rural), rural["unscored"]) == ([("b-d", 1, 70.0)], 0)


def marks(activity_id: str, judge_id: str, *values: int) -> dict:
    names = ("theme", "content", "form", "organisation", "effect")
    return {"evaluation_id": "e-1", "activity_id": activity_id, "judge_id": judge_id, "judged_at": NOW} | dict(
        zip(names, values)
    )


def test_candidates_are_ordered_by_the_judges_mean_as_shown_then_votes_then_score_then_code(session):
    city(session)
    session.add(
        Evaluation(
            id="e-1",
            org_id="c",
            org_path="/c/",
            kind="monthly",
            period=MONTH,
            stage="judging",
            best_slots=1,
            excellent_slots=2,
            shortlist=["b1"],
            best=[],
            excellent=[],
            created_at=NOW,
        )
    )
    session.execute(
        insert(Judgement),
        [
            # a2: (81 + 80 + 80) / 3 = 80.333, shown 80.33; the unjudged follow by their automatic score
            marks("a2", "j-1", 17, 16, 16, 16, 16),
            marks("a2", "j-2", 16, 16, 16, 16, 16),
            marks("a2", "j-3", 16, 16, 16, 16, 16),
            marks("b1", "j-1", 20, 20, 20, 20, 20),
        ],
    )
    session.flush()
    found = evaluations.view(session, "e-1", 1, 10)
    order = [candidate["activity_id"] for candidate in found["candidates"]]
    assert order == ["b1", "a2", "a1", "c1", "d1"], "judged first, then by score (a1 80.0 before c1 70.0), then code"
    assert found["total"] == 5
    assert found["candidates"][1]["judged"] == {
        "judges": 3,
        "criteria": {"theme": 16.33, "content": 16.0, "form": 16.0, "organisation": 16.0, "effect": 16.0},
        "total": 80.33,
    }
    assert found["candidates"][0]["shortlisted"] and not found["candidates"][1]["shortlisted"]
    assert found["candidates"][2]["judged"] == {
        "judges": 0,
        "criteria": {"theme": None, "content": None, "form": None, "organisation": None, "effect": None},
        "total": None,
    }
    assert [c["activity_id"] for c in evaluations.view(session, "e-1", 2, 2)["candidates"]] == ["a1", "c1"]


def test_proposed_ideas_rank_among_the_activities_with_their_eligibility(session):
    city(session)
    session.add(
        Evaluation(
            id="e-2",
            org_id="c",
            org_path="/c/",
            kind="golden_ideas",
            period="2026-Q4",
            stage="judging",
            best_slots=1,
            excellent_slots=0,
            min_sign_in_rate=0.85,
            summary_required=True,
            shortlist=[],
            best=[],
            excellent=[],
            created_at=NOW,
        )
    )
    session.add(
        PlanProgress(
            plan_id="p-b1", branch_id="b-b", branch_path="/c/t1/b-b/", month=MONTH, activity_id="b1", summarized=True
        )
    )
    session.add(
        GoldenIdea(
            id="idea-1",
            evaluation_id="e-2",
            branch_id="b-c",
            branch_path="/c/t2/b-c/",
            title="红色驿站",
            text="工地上的流动党员驿站",
            media_ids=["m1"],
            proposed_by="sec",
            proposed_at=NOW,
        )
    )
    session.flush()
    session.execute(insert(Judgement), [{**marks("idea-1", "j-1", 20, 20, 20, 20, 20), "evaluation_id": "e-2"}])
    session.flush()
    found = {c["candidate_id"]: c for c in evaluations.view(session, "e-2", 1, 10)["candidates"]}
    assert list(found)[0] == "idea-1", "judged first"
    idea = found["idea-1"]
    assert (idea["kind"], idea["activity_id"], idea["theme"], idea["votes"], idea["score"]) == (
        "idea",
        None,
        "红色驿站",
        0,
        None,
    )
    assert idea["idea"]["media_ids"] == ["m1"] and idea["ineligible_because"] == [] and idea["judged"]["total"] == 100
    assert found["b1"]["summarized"] is True and found["b1"]["ineligible_because"] == []
    assert found["a1"]["ineligible_because"] == [{"condition": "summary", "required": True, "actual": False}]
    assert [failed["condition"] for failed in found["c1"]["ineligible_because"]] == ["sign_in_rate", "summary"]
