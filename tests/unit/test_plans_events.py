"""Plans' events contract: a model per event type, and every announcement built through it."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.tables import OUTBOX
from partyday_plans.announcements import announce
from partyday_plans.models import metadata
from partyday_plans_contracts.events import EVENTS, SUBSCRIBED, PlanHeld, PlanOverdue, RectificationIssued


def test_every_event_type_has_a_model_of_its_own():
    assert len(set(EVENTS.values())) == len(EVENTS)
    assert SUBSCRIBED <= set(EVENTS)


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/plans.sqlite3")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info.update(service="plans", outbox_table=metadata.tables[OUTBOX], metadata=metadata)
        yield session
    engine.dispose()


def test_an_announcement_is_the_event_type_its_model_names_with_the_payload_as_json(session):
    announce(session, PlanHeld(plan_id="p", branch_id="b", branch_path="/c/b/", month="2026-12", status="held"))
    announce(
        session,
        PlanOverdue(
            branch_id="b",
            branch_path="/c/b/",
            month="2026-12",
            kind="plan",
            deadline=datetime(2026, 12, 5, 16, tzinfo=timezone.utc),
        ),
    )
    announce(
        session,
        RectificationIssued(
            rectification_id="r", branch_id="b", branch_path="/c/b/", issue="x", due_on=date(2026, 12, 10)
        ),
    )
    outbox = metadata.tables[OUTBOX]
    rows = session.execute(select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all()
    assert [row.event_type for row in rows] == ["plan_held", "plan_overdue", "rectification_issued"]
    assert rows[0].body["data"]["summary_chars"] == 0 and rows[2].body["data"]["due_on"] == "2026-12-10"
    assert EVENTS["plan_overdue"].model_validate(rows[1].body["data"]).deadline == datetime(
        2026, 12, 5, 16, tzinfo=timezone.utc
    )
