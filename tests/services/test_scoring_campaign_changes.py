"""Managing a campaign over RabbitMQ and PostgreSQL: its title and voting window change, its voting closes now, its
opening is still announced once, and each act is in the audit log."""

from datetime import datetime, timezone

from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_scoring.models import metadata
from tests.services.test_scoring import VOTING, call, refused, scoring  # noqa: F401  (the service with its tree)


def outbox(container, event_type: str) -> list[dict]:
    engine = make_engine(container.url)
    table = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        bodies = connection.execute(select(table.c.body).where(table.c.event_type == event_type)).scalars().all()
    engine.dispose()
    return [body["data"] for body in bodies]


def test_a_start_moved_later_is_announced_once_when_it_comes_and_each_change_is_audited(scoring):  # noqa: F811
    made = call(
        scoring,
        "create_campaign",
        {
            "org_id": "town",
            "month": "2099-03",
            "title": "打Call",
            "votes_per_voter": 2,
            "opens_at": "2099-03-01T00:00:00+08:00",
            "closes_at": "2099-04-01T00:00:00+08:00",
        },
    )
    change = {"title": "三月打Call", "opens_at": "2099-03-10T00:00:00+08:00"}
    changed = call(scoring, "change_campaign", made["campaign_id"], change, idempotency_key="k-change")
    assert changed["title"] == "三月打Call"
    assert changed["opens_at"] == "2099-03-09T16:00:00+00:00" and changed["closes_at"] == made["closes_at"]
    assert call(scoring, "campaign", made["campaign_id"]) == changed
    again = call(scoring, "change_campaign", made["campaign_id"], change, idempotency_key="k-change")
    assert again == changed
    refused(
        "IDEMPOTENCY_KEY_REUSED",
        call,
        scoring,
        "change_campaign",
        made["campaign_id"],
        {"title": "x"},
        idempotency_key="k-change",
    )
    refused(
        "VOTING_WINDOW_INVALID",
        call,
        scoring,
        "change_campaign",
        made["campaign_id"],
        {"closes_at": "2099-03-05T00:00:00+08:00"},
    )
    refused("CAMPAIGN_NOT_OPEN", call, scoring, "close_campaign", made["campaign_id"])
    refused("VALIDATION_FAILED", call, scoring, "change_campaign", made["campaign_id"], {})

    assert call(scoring, "announce_opened_campaigns", now="2099-03-02T00:00:00+08:00") == {"opened": 0}
    assert call(scoring, "announce_opened_campaigns", now="2099-03-10T00:00:01+08:00") == {"opened": 1}
    assert call(scoring, "announce_opened_campaigns", now="2099-03-11T00:00:00+08:00") == {"opened": 0}
    opened = [found for found in outbox(scoring, "campaign_opened") if found["campaign_id"] == made["campaign_id"]]
    assert [datetime.fromisoformat(found["opens_at"]) for found in opened] == [
        datetime(2099, 3, 9, 16, tzinfo=timezone.utc)
    ], "once, with the moved start"

    acts = [(act["action"], act["target_id"]) for act in outbox(scoring, "administrative_act")]
    assert acts.count(("campaign.change", made["campaign_id"])) == 1, "a repeated key is not a second act"


def test_voting_closes_now_is_never_reopened_and_keeps_its_start(scoring):  # noqa: F811
    made = call(
        scoring,
        "create_campaign",
        {"org_id": "town", "month": "2026-12", "title": "打Call", "votes_per_voter": 2, **VOTING},
    )
    campaign_id = made["campaign_id"]
    refused(
        "VOTING_ALREADY_OPEN", call, scoring, "change_campaign", campaign_id, {"opens_at": "2026-02-01T00:00:00+08:00"}
    )
    refused(
        "VOTING_WINDOW_PAST", call, scoring, "change_campaign", campaign_id, {"closes_at": "2026-02-01T00:00:00+08:00"}
    )
    before = datetime.now(timezone.utc)
    closed = call(scoring, "close_campaign", campaign_id, idempotency_key="k-close")
    assert before <= datetime.fromisoformat(closed["closes_at"]) <= datetime.now(timezone.utc)
    assert closed["opens_at"] == made["opens_at"]
    assert call(scoring, "close_campaign", campaign_id, idempotency_key="k-close") == closed
    refused("CAMPAIGN_CLOSED", call, scoring, "close_campaign", campaign_id)
    error = refused(
        "CAMPAIGN_CLOSED", call, scoring, "change_campaign", campaign_id, {"closes_at": VOTING["closes_at"]}
    )
    assert error.status == 409
    refused("VOTING_CLOSED", call, scoring, "vote", campaign_id, "member:m1", {"activity_id": "a1"}, "127.0.0.1")
    assert call(scoring, "change_campaign", campaign_id, {"title": "十二月打Call"})["title"] == "十二月打Call"
    assert call(scoring, "ballot", campaign_id, "member:m1")["voting"] == "closed"
    refused("CAMPAIGN_NOT_FOUND", call, scoring, "close_campaign", "nowhere")

    acts = [(act["action"], act["target_id"]) for act in outbox(scoring, "administrative_act")]
    assert acts.count(("campaign.close", campaign_id)) == 1 and ("campaign.change", campaign_id) in acts
