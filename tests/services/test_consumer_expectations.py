"""event_consumer(expects=Model): the handler gets the payload as its model, and a payload that is not what it
expects is dead-lettered at once, without calling the handler, and without holding up the message behind it."""

import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel, ConfigDict
from sqlalchemy import MetaData, select

from partyday_common import deadletters
from partyday_common.consumer import event_consumer
from partyday_common.db import Database, make_engine
from partyday_common.envelope import Envelope
from partyday_common.service import PartydayService
from partyday_common.tables import PROCESSED, add_bus_tables
from tests.services.helpers import publish_event, wait_until

metadata = MetaData()
add_bus_tables(metadata)
handled = []


class ThingExpected(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label: str
    count: int


class Strict(PartydayService):
    name = "strict"
    db = Database(metadata, subscribed=frozenset())

    @event_consumer("producer", "thing_made", expects=ThingExpected)
    def on_thing_made(self, event, thing):
        handled.append((event.event_id, thing))
        with self.db.transaction():
            pass


@pytest.fixture
def strict(container_factory, make_config):
    config = make_config("strict", metadata)
    container_factory(Strict, config).start()
    return config


def thing_made(**data) -> Envelope:
    return Envelope(event_type="thing_made", source="producer", data=data)


def processed(config) -> set[str]:
    engine = make_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        found = set(connection.execute(select(metadata.tables[PROCESSED].c.event_id)).scalars())
    engine.dispose()
    return found


def test_the_handler_gets_the_payload_as_the_model_it_expects(strict):
    event = thing_made(label="lamp", count="3", colour="red")
    publish_event(strict["AMQP_URI"], "producer", event)
    wait_until(lambda: event.event_id in processed(strict), message="the event was handled")
    [(event_id, thing)] = [entry for entry in handled if entry[0] == event.event_id]
    assert thing == ThingExpected(label="lamp", count=3), "validated by the model, fields it does not read ignored"


def test_a_payload_that_violates_the_expectation_is_dead_lettered_at_once_and_never_handled(strict):
    amqp_uri = strict["AMQP_URI"]
    labels = {
        "service": "strict",
        "queue": "evt-producer-thing_made--strict.on_thing_made",
        "reason": "contract_violation",
    }
    before = REGISTRY.get_sample_value("partyday_dead_letters_total", labels) or 0
    missing, mistyped, good = (
        thing_made(label="lamp"),
        thing_made(label="lamp", count="many"),
        thing_made(label="lamp", count=1),
    )
    for event in (missing, mistyped, good):
        publish_event(amqp_uri, "producer", event)

    wait_until(lambda: good.event_id in processed(strict), message="the event behind the violations was handled")
    wait_until(lambda: deadletters.count(amqp_uri) == 2, message="both violations were dead-lettered")
    letters = deadletters.inspect(amqp_uri)
    assert [(letter["reason"], letter["attempts"], letter["queue"]) for letter in letters] == [
        ("contract_violation", 1, labels["queue"])
    ] * 2, "no retry: no attempt could ever succeed"
    assert {"count"} <= {word for letter in letters for word in letter["error"].split()}, (
        "the dead letter names the field that broke the contract"
    )
    assert [event_id for event_id, _ in handled if event_id in (missing.event_id, mistyped.event_id)] == []
    assert processed(strict).isdisjoint({missing.event_id, mistyped.event_id})
    assert REGISTRY.get_sample_value("partyday_dead_letters_total", labels) == before + 2
