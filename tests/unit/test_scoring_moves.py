"""A moved branch's scores, plans, comments, campaigns and evaluations follow it; a stale announcement of a node
is ignored."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from partyday_common.envelope import Envelope
from partyday_common.orgtree import get_node
from partyday_scoring import activities, dashboard, plan_progress, rankings, tree
from partyday_scoring.expectations import AttendanceCounted, PlanApproved, PlanProgressed
from partyday_scoring.models import Campaign, Comment, PlanProgress, ScoredActivity, metadata, org_nodes

T0 = datetime(2026, 12, 8, tzinfo=timezone.utc)


def node(org_id, parent_id, path, level="township"):
    return {
        "org_id": org_id,
        "parent_id": parent_id,
        "path": path,
        "code": org_id.upper(),
        "name": org_id,
        "level": level,
        "domain": "community",
        "kind": "regular",
    }


def announce(session, data, at: datetime, event_type="org_updated") -> bool:
    return tree.node_changed(
        session, Envelope(event_type=event_type, source="directory", data=data, occurred_at=at.isoformat())
    )


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info.update(service="scoring", outbox_table=metadata.tables["outbox_messages"])
        for data in (
            node("city", None, "/city/", "city"),
            node("east", "city", "/city/east/"),
            node("west", "city", "/city/west/"),
            node("b1", "east", "/city/east/b1/", "branch"),
            node("b2", "east", "/city/east/b2/", "branch"),
        ):
            announce(session, data, T0, "org_created")
        for branch, signed_in in (("b1", 9), ("b2", 5)):
            data = {
                "activity_id": f"a-{branch}",
                "plan_id": f"p-{branch}",
                "branch_id": branch,
                "branch_path": f"/city/east/{branch}/",
                "month": "2026-12",
            }
            plan_progress.advanced(session, "plan_submitted", PlanProgressed(**data))
            approval = PlanApproved(**data, theme="学习党章", roster=[])
            plan_progress.advanced(session, "plan_approved", approval)
            activities.approved(session, approval, T0)
            activities.attendance_counted(
                session,
                AttendanceCounted.model_validate(
                    {
                        **data,
                        "expected": 10,
                        "expected_mobile": 0,
                        "members": {"signed_out": signed_in, "no_sign_out": 0, "absent": 10 - signed_in, "excused": 0},
                    }
                ),
                T0,
            )
        session.add(
            Comment(
                id="c1",
                activity_id="a-b1",
                branch_path="/city/east/b1/",
                member_id="m1",
                text="好",
                status="visible",
                reports=0,
                created_at=T0,
            )
        )
        session.add(
            Campaign(
                id="k1",
                org_id="east",
                org_path="/city/east/",
                month="2026-12",
                title="t",
                votes_per_voter=1,
                opens_at=T0,
                closes_at=T0,
                created_at=T0,
            )
        )
        session.flush()
        yield session
    engine.dispose()


def ranked(session, org_id):
    return [item["org_id"] for item in rankings.ranking(session, org_id, "2026-12")["items"]]


def test_a_moved_branch_ranks_under_its_new_parent_and_no_longer_under_the_old_one(session):
    assert ranked(session, "east") == ["b1", "b2"] and ranked(session, "west") == []
    assert announce(session, node("b1", "west", "/city/west/b1/", "branch"), T0 + timedelta(minutes=1))
    assert ranked(session, "west") == ["b1"] and ranked(session, "east") == ["b2"]
    assert ranked(session, "city") == ["b1", "b2"]
    children = rankings.ranking(session, "city", "2026-12", group="children")["items"]
    assert {(item["org_id"], item["branches"]) for item in children} == {("east", 1), ("west", 1)}
    assert session.get(ScoredActivity, "a-b1").branch_path == "/city/west/b1/"
    assert session.get(PlanProgress, "p-b1").branch_path == "/city/west/b1/"
    assert session.get(Comment, "c1").branch_path == "/city/west/b1/"
    assert dashboard.progress(session, "west", "2026-12")["scored"] == 1


def test_a_moved_organisation_takes_its_campaigns_along_and_each_moved_node_its_own_paths(session):
    later = T0 + timedelta(minutes=1)
    for data in (
        node("b2", "east", "/city/west/east/b2/", "branch"),
        node("east", "west", "/city/west/east/"),
        node("b1", "east", "/city/west/east/b1/", "branch"),
    ):
        announce(session, data, later)
    assert session.get(Campaign, "k1").org_path == "/city/west/east/"
    assert ranked(session, "west") == ["b1", "b2"] and ranked(session, "east") == ["b1", "b2"]


def test_an_announcement_older_than_the_applied_one_is_ignored(session):
    assert announce(session, node("b1", "west", "/city/west/b1/", "branch"), T0 + timedelta(minutes=2))
    assert not announce(session, node("b1", "east", "/city/east/b1/", "branch"), T0 + timedelta(minutes=1))
    assert get_node(session, org_nodes, "b1")["path"] == "/city/west/b1/"
    assert session.get(ScoredActivity, "a-b1").branch_path == "/city/west/b1/"
    assert announce(
        session, {**node("b1", "west", "/city/west/b1/", "branch"), "name": "一支部"}, T0 + timedelta(minutes=2)
    ), "an announcement as new as the applied one is applied"
    assert get_node(session, org_nodes, "b1")["name"] == "一支部"


def test_an_event_with_a_branchs_old_path_does_not_take_its_scores_back(session):
    announce(session, node("b1", "west", "/city/west/b1/", "branch"), T0 + timedelta(minutes=1))
    activities.attendance_counted(
        session,
        AttendanceCounted.model_validate(
            {
                "activity_id": "a-b1",
                "branch_id": "b1",
                "branch_path": "/city/east/b1/",
                "counts_version": 2,
                "expected": 10,
                "expected_mobile": 0,
                "members": {"signed_out": 10, "no_sign_out": 0, "absent": 0, "excused": 0},
            }
        ),
        T0,
    )
    assert session.get(ScoredActivity, "a-b1").branch_path == "/city/west/b1/"
    assert session.scalar(select(ScoredActivity.signed_in).where(ScoredActivity.activity_id == "a-b1")) == 10
