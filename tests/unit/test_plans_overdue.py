"""Plans' overdue list on SQLite: the branches that missed a deadline are found and paged by one query, and
agree branch by branch with the deadline rules applied to each branch's own schedule."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.tables import OUTBOX
from partyday_plans import deadlines, overdue, schedules
from partyday_plans.lifecycle import SUBMITTED, SUMMARIZED
from partyday_plans.models import OrgSchedule, Plan, metadata, org_nodes

MONTH = "2026-12"
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
# (id, parent, level, name); a branch's path is its parent's with its own id.
TREE = [
    ("c", None, "city", "市委"),
    ("k", "c", "county", "区委"),
    ("t", "k", "township", "街道"),
    ("b1", "t", "branch", "一支部"),
    ("b2", "t", "branch", "二支部"),
    ("b3", "t", "branch", "三支部"),
    ("u", "k", "township", "镇"),
    ("b4", "u", "branch", "四支部"),
    ("b6", "u", "branch", "六支部"),
    ("b5", "k", "branch", "五支部"),
]
SHANGHAI_DAY_ENDS = "T00:00:00+08:00"


def _paths() -> dict[str, str]:
    paths = {}
    for org_id, parent, _, _ in TREE:
        paths[org_id] = (paths[parent] if parent else "/") + f"{org_id}/"
    return paths


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/plans.sqlite3")
    metadata.create_all(engine)
    paths = _paths()
    with Session(engine) as session:
        session.info.update(service="plans", outbox_table=metadata.tables[OUTBOX], metadata=metadata)
        session.execute(
            insert(org_nodes),
            [
                {
                    "org_id": org_id,
                    "parent_id": parent,
                    "path": paths[org_id],
                    "code": org_id,
                    "name": name,
                    "level": level,
                    "domain": "community",
                    "kind": "regular",
                    "updated_at": NOW,
                }
                for org_id, parent, level, name in TREE
            ],
        )
        # b3 answers to a schedule of its own (a later plan deadline); the township u to one in another zone.
        session.add_all(
            [
                OrgSchedule(org_id="b3", plan_deadline_day=10, summary_deadline_day=27, updated_at=NOW),
                OrgSchedule(org_id="u", time_zone="America/New_York", updated_at=NOW),
            ]
        )
        for branch, status in (("b1", "submitted"), ("b4", "summarized")):
            session.add(
                Plan(
                    id=f"p-{branch}",
                    branch_id=branch,
                    branch_path=paths[branch],
                    month=MONTH,
                    theme="t",
                    starts_at=NOW,
                    ends_at=NOW,
                    venue_name="v",
                    venue_lat=0,
                    venue_lon=0,
                    radius_m=300,
                    required_actions=[],
                    optional_actions=[],
                    attendance_rules={},
                    status=status,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        yield session
    engine.dispose()


def _one_by_one(session: Session, now: datetime) -> list[tuple[str, list[str]]]:
    """The overdue list as the rules give it for each branch alone, with its own path's schedule."""
    statuses = dict(session.execute(select(Plan.branch_id, Plan.status)).all())
    found = []
    for row in session.execute(
        select(org_nodes).where(org_nodes.c.level == "branch").order_by(org_nodes.c.name, org_nodes.c.org_id)
    ):
        schedule = schedules.schedule_for(session, row.path, [])
        status = statuses.get(row.org_id)
        missing = deadlines.missing_items(
            MONTH,
            now,
            status in SUBMITTED,
            status in SUMMARIZED,
            schedule.plan_deadline_day,
            schedule.summary_deadline_day,
            schedule.time_zone,
        )
        if missing:
            found.append((row.org_id, missing))
    return found


@pytest.mark.parametrize(
    "now",
    [
        "2026-12-05T23:59:59+08:00",
        "2026-12-06" + SHANGHAI_DAY_ENDS,
        "2026-12-06T13:00:00+00:00",
        "2026-12-11" + SHANGHAI_DAY_ENDS,
        "2026-12-26" + SHANGHAI_DAY_ENDS,
        "2026-12-28" + SHANGHAI_DAY_ENDS,
    ],
)
def test_the_overdue_query_agrees_with_the_rules_for_every_branch(session, now):
    at = datetime.fromisoformat(now)
    page = overdue.overdue_page(session, "c", MONTH, 1, 100, at)
    assert [(item["branch_id"], item["missing"]) for item in page["items"]] == _one_by_one(session, at)
    assert page["total"] == len(page["items"])


def test_a_branch_with_a_schedule_of_its_own_keeps_its_own_deadlines(session):
    page = overdue.overdue_page(session, "c", MONTH, 1, 100, datetime.fromisoformat("2026-12-06T20:00:00+08:00"))
    assert [(item["name"], item["missing"]) for item in page["items"]] == [
        ("二支部", ["plan"]),
        ("五支部", ["plan"]),
        ("六支部", ["plan"]),
    ], "六支部 by New York's midnight"


def test_overdue_branches_are_paged_in_name_order(session):
    at = datetime.fromisoformat("2026-12-28" + SHANGHAI_DAY_ENDS)
    pages = [overdue.overdue_page(session, "k", MONTH, page, 2, at) for page in (1, 2, 3)]
    assert [page["total"] for page in pages] == [5, 5, 5]
    assert [[item["name"] for item in page["items"]] for page in pages] == [
        ["一支部", "三支部"],
        ["二支部", "五支部"],
        ["六支部"],
    ]
    assert pages[0]["items"][0] == {"branch_id": "b1", "name": "一支部", "parent_id": "t", "missing": ["summary"]}


def test_each_missed_deadline_is_announced_once_with_the_branchs_own_deadline(session):
    at = datetime.fromisoformat("2026-12-11" + SHANGHAI_DAY_ENDS)
    assert overdue.mark_overdue(session, MONTH, at) == 4
    assert overdue.mark_overdue(session, MONTH, at) == 0
    outbox = metadata.tables[OUTBOX]
    announced = {
        row.body["data"]["branch_id"]: (row.event_type, datetime.fromisoformat(row.body["data"]["deadline"]))
        for row in session.execute(select(outbox.c.event_type, outbox.c.body))
    }
    assert announced == {
        "b2": ("plan_overdue", datetime(2026, 12, 5, 16, tzinfo=timezone.utc)),
        "b3": ("plan_overdue", datetime(2026, 12, 10, 16, tzinfo=timezone.utc)),
        "b5": ("plan_overdue", datetime(2026, 12, 5, 16, tzinfo=timezone.utc)),
        "b6": ("plan_overdue", datetime(2026, 12, 6, 5, tzinfo=timezone.utc)),
    }
