"""The bus conventions, proved with real messages on RabbitMQ and a real PostgreSQL."""

import time
from datetime import timedelta
from unittest import mock

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from nameko.testing.services import entrypoint_hook
from prometheus_client import REGISTRY
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from partyday_common import deadletters
from partyday_common.consumer import event_consumer
from partyday_common.db import Database, emit, make_engine
from partyday_common.envelope import Envelope
from partyday_common.outbox import OutboxRelay
from partyday_common.rpc import RpcTimeout, TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_common.tables import add_bus_tables
from tests.services.helpers import publish_event, wait_until

producer_metadata = MetaData()
add_bus_tables(producer_metadata)

counter_metadata = MetaData()
add_bus_tables(counter_metadata)
tallies = Table(
    "tallies", counter_metadata, Column("name", String(50), primary_key=True), Column("value", Integer, nullable=False)
)

seen_correlation_ids = []
attempts_by_event = {}


class Producer(PartydayService):
    name = "producer"
    db = Database(producer_metadata, subscribed=frozenset())

    @rpc
    def make(self, label: str, explode: bool = False, flaky: bool = False) -> str:
        with self.db.transaction() as session:
            envelope = emit(session, "thing_made", {"label": label, "explode": explode, "flaky": flaky})
        return envelope.event_id


class ThingMade(BaseModel):
    """What the tally reads of `thing_made`."""

    label: str
    explode: bool
    flaky: bool


class Tally(PartydayService):
    name = "tally"
    db = Database(counter_metadata, subscribed=frozenset())

    @event_consumer("producer", "thing_made", expects=ThingMade)
    def on_thing_made(self, event, thing):
        attempts_by_event[event.event_id] = attempts_by_event.get(event.event_id, 0) + 1
        if thing.explode:
            raise ValueError("this event can never be handled")
        if thing.flaky and attempts_by_event[event.event_id] == 1:
            raise ConnectionError("a passing failure")
        seen_correlation_ids.append(self.correlation)
        with self.db.transaction() as session:
            label = thing.label
            row = session.execute(select(tallies).where(tallies.c.name == label)).first()
            if row:
                session.execute(tallies.update().where(tallies.c.name == label).values(value=tallies.c.value + 1))
            else:
                session.execute(tallies.insert().values(name=label, value=1))


def tally(config, label):
    engine = make_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        value = connection.execute(select(tallies.c.value).where(tallies.c.name == label)).scalar()
    engine.dispose()
    return value or 0


def outbox_rows(config):
    engine = make_engine(config["DATABASE_URL"])
    table = producer_metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        rows = connection.execute(select(table)).mappings().all()
    engine.dispose()
    return rows


@pytest.fixture
def services(container_factory, make_config):
    tally_config = make_config("tally", counter_metadata)
    producer_config = make_config("producer", producer_metadata)
    tally_container = container_factory(Tally, tally_config)
    tally_container.start()
    return producer_config, tally_config, tally_container


def backlog(service="producer"):
    return REGISTRY.get_sample_value("partyday_outbox_backlog", {"service": service})


def test_an_event_survives_its_publisher_crashing_between_commit_and_publish(container_factory, services):
    producer_config, tally_config, _ = services
    crashed = container_factory(Producer, producer_config)
    with mock.patch.object(OutboxRelay, "_publish", return_value=[]):
        crashed.start()
        with entrypoint_hook(crashed, "make") as make:
            make("survivor")
        wait_until(lambda: backlog() == 1, message="the backlog shows the unpublished event")
        crashed.kill()

    rows = outbox_rows(producer_config)
    assert [(row["event_type"], row["published_at"]) for row in rows] == [("thing_made", None)]
    eventlet.sleep(0.5)
    assert tally(tally_config, "survivor") == 0

    restarted = container_factory(Producer, producer_config)
    restarted.start()
    wait_until(lambda: tally(tally_config, "survivor") == 1, message="the event reached its consumer")
    assert outbox_rows(producer_config)[0]["published_at"] is not None
    wait_until(lambda: backlog() == 0)


def test_the_relay_publishes_right_after_commit(container_factory, services):
    producer_config, tally_config, _ = services
    producer = container_factory(Producer, producer_config)
    producer.start()
    relay = next(dependency for dependency in producer.dependencies if isinstance(dependency, Database)).relay
    relay.poll_interval = 60
    eventlet.sleep(0.5)
    started = time.monotonic()
    with entrypoint_hook(producer, "make") as make:
        make("prompt")
    wait_until(lambda: tally(tally_config, "prompt") == 1, timeout=5)
    assert time.monotonic() - started < 2


def test_a_duplicate_delivery_has_no_second_effect(services):
    _, tally_config, tally_container = services
    amqp_uri = tally_config["AMQP_URI"]
    envelope = Envelope(
        event_type="thing_made", source="producer", data={"label": "once", "explode": False, "flaky": False}
    )
    before = (
        REGISTRY.get_sample_value(
            "partyday_duplicate_events_total", {"service": "tally", "consumer": "tally.on_thing_made"}
        )
        or 0
    )
    for _ in range(3):
        publish_event(amqp_uri, "producer", envelope)
    wait_until(
        lambda: (
            (
                REGISTRY.get_sample_value(
                    "partyday_duplicate_events_total", {"service": "tally", "consumer": "tally.on_thing_made"}
                )
                or 0
            )
            - before
            == 2
        ),
        message="both duplicates were acknowledged",
    )
    assert tally(tally_config, "once") == 1


def test_a_poison_message_is_dead_lettered_and_does_not_block_the_next(services):
    _, tally_config, _ = services
    amqp_uri = tally_config["AMQP_URI"]
    publish_event(amqp_uri, "producer", event_type="thing_made", raw=b"{this is not json")
    publish_event(amqp_uri, "producer", event_type="thing_made", raw=b"<xml/>", content_type="application/xml")
    publish_event(amqp_uri, "producer", event_type="thing_made", raw=b'{"hello": "world"}')
    publish_event(
        amqp_uri,
        "producer",
        Envelope(event_type="thing_made", source="producer", data={"label": "after", "explode": False, "flaky": False}),
    )

    wait_until(lambda: tally(tally_config, "after") == 1, message="the message after the poison was handled")
    wait_until(lambda: deadletters.count(amqp_uri) == 3, message="three dead letters")
    letters = deadletters.inspect(amqp_uri)
    assert sorted(letter["reason"] for letter in letters) == ["malformed_envelope", "undecodable", "undecodable"]
    assert {letter["queue"] for letter in letters} == {"evt-producer-thing_made--tally.on_thing_made"}
    assert b"{this is not json".decode() in [letter["body"] for letter in letters]
    assert deadletters.count(amqp_uri) == 3, "inspecting leaves the letters in place"


def test_a_failing_handler_is_retried_then_dead_lettered(services):
    _, tally_config, _ = services
    amqp_uri = tally_config["AMQP_URI"]
    doomed = Envelope(
        event_type="thing_made", source="producer", data={"label": "doomed", "explode": True, "flaky": False}
    )
    publish_event(amqp_uri, "producer", doomed)
    publish_event(
        amqp_uri,
        "producer",
        Envelope(event_type="thing_made", source="producer", data={"label": "next", "explode": False, "flaky": False}),
    )
    wait_until(lambda: tally(tally_config, "next") == 1)
    wait_until(lambda: deadletters.count(amqp_uri) == 1, message="the failing event was dead-lettered")
    [letter] = deadletters.inspect(amqp_uri)
    assert letter["reason"] == "handler_failed"
    assert letter["attempts"] == 3
    assert "ValueError" in letter["error"]
    assert attempts_by_event[doomed.event_id] == 3


def test_a_passing_failure_is_retried_and_then_succeeds(services):
    _, tally_config, _ = services
    amqp_uri = tally_config["AMQP_URI"]
    flaky = Envelope(
        event_type="thing_made", source="producer", data={"label": "flaky", "explode": False, "flaky": True}
    )
    publish_event(amqp_uri, "producer", flaky)
    wait_until(lambda: tally(tally_config, "flaky") == 1)
    assert attempts_by_event[flaky.event_id] == 2
    assert deadletters.count(amqp_uri) == 0


def test_dead_letters_can_be_replayed_after_a_fix(services):
    _, tally_config, _ = services
    amqp_uri = tally_config["AMQP_URI"]
    publish_event(amqp_uri, "producer", event_type="thing_made", raw=b'{"not": "an envelope"}')
    wait_until(lambda: deadletters.count(amqp_uri) == 1)
    assert deadletters.replay(amqp_uri) == 1
    wait_until(lambda: deadletters.count(amqp_uri) == 1, message="still malformed, so back again")


def test_the_correlation_id_travels_from_the_call_into_the_event(container_factory, services):
    producer_config, tally_config, _ = services
    producer = container_factory(Producer, producer_config)
    producer.start()
    with entrypoint_hook(producer, "make", context_data={"correlation_id": "req-42"}) as make:
        make("correlated")
    wait_until(lambda: tally(tally_config, "correlated") == 1)
    assert "req-42" in seen_correlation_ids
    assert outbox_rows(producer_config)[0]["correlation_id"] == "req-42"
    assert outbox_rows(producer_config)[0]["body"]["correlation_id"] == "req-42"


class Sleepy(PartydayService):
    name = "sleepy"
    db = Database(producer_metadata, subscribed=frozenset())

    @rpc
    def nap(self, seconds: float):
        eventlet.sleep(seconds)
        return self.correlation


class Caller(PartydayService):
    name = "caller"
    db = Database(producer_metadata, subscribed=frozenset())
    sleepy = TimedRpcProxy("sleepy", timeout=0.5)

    @rpc
    def ask(self, seconds: float):
        return self.sleepy.nap(seconds)


def test_every_rpc_between_services_has_a_timeout(container_factory, make_config):
    config = make_config("rpc", producer_metadata)
    container_factory(Sleepy, config).start()
    caller = container_factory(Caller, config)
    caller.start()
    with entrypoint_hook(caller, "ask", context_data={"correlation_id": "rpc-7"}) as ask:
        assert ask(0) == "rpc-7", "the correlation id travels over RPC"
        started = time.monotonic()
        with pytest.raises(RpcTimeout, match="sleepy.nap"):
            ask(3)
        assert time.monotonic() - started < 2


def test_entrypoints_are_timed_and_failures_counted(container_factory, services):
    producer_config, tally_config, _ = services
    producer = container_factory(Producer, producer_config)
    producer.start()
    labels = {"service": "producer", "entrypoint": "make"}
    before = REGISTRY.get_sample_value("partyday_entrypoint_duration_seconds_count", labels) or 0
    with entrypoint_hook(producer, "make") as make:
        make("timed")
    assert REGISTRY.get_sample_value("partyday_entrypoint_duration_seconds_count", labels) == before + 1

    error_labels = {"service": "tally", "entrypoint": "on_thing_made", "error": "ValueError"}
    errors_before = REGISTRY.get_sample_value("partyday_entrypoint_errors_total", error_labels) or 0
    dead_labels = {
        "service": "tally",
        "queue": "evt-producer-thing_made--tally.on_thing_made",
        "reason": "handler_failed",
    }
    dead_before = REGISTRY.get_sample_value("partyday_dead_letters_total", dead_labels) or 0
    publish_event(
        tally_config["AMQP_URI"],
        "producer",
        Envelope(event_type="thing_made", source="producer", data={"label": "x", "explode": True, "flaky": False}),
    )
    wait_until(lambda: REGISTRY.get_sample_value("partyday_entrypoint_errors_total", error_labels) == errors_before + 3)
    wait_until(lambda: (REGISTRY.get_sample_value("partyday_dead_letters_total", dead_labels) or 0) == dead_before + 1)


class Unroutable(PartydayService):
    name = "lonely"
    db = Database(producer_metadata, subscribed=frozenset())

    @rpc
    def shout(self, times: int) -> None:
        with self.db.transaction() as session:
            for n in range(times):
                emit(session, "nobody_listens", {"n": n})
            emit(session, "thing_made", {"label": "heard", "explode": False, "flaky": False})


def test_unroutable_events_back_off_without_holding_up_the_rest(container_factory, make_config):
    config = make_config("lonely", producer_metadata)
    lonely = container_factory(Unroutable, config)
    lonely.start()
    relay = next(dependency for dependency in lonely.dependencies if isinstance(dependency, Database)).relay
    relay.subscribed = {"nobody_listens", "thing_made"}
    relay.batch_size = 5
    published = []
    real_publish = relay.publisher.publish

    def spy(batch):
        published.extend(item.routing_key for item in batch)
        return real_publish(batch)

    relay.publisher.publish = spy
    with Connection(config["AMQP_URI"]) as connection:
        Queue(
            "lonely-listener", exchange=get_event_exchange("lonely", {}), routing_key="thing_made", durable=True
        ).bind(connection.default_channel).declare()
    with entrypoint_hook(lonely, "shout") as shout:
        shout(12)

    def rows():
        engine = make_engine(config["DATABASE_URL"])
        with engine.connect() as connection:
            found = connection.execute(select(producer_metadata.tables["outbox_messages"])).mappings().all()
        engine.dispose()
        return found

    wait_until(
        lambda: any(r["event_type"] == "thing_made" and r["published_at"] for r in rows()),
        message="the routable event behind twelve unroutable ones went out",
    )
    eventlet.sleep(1)
    assert 12 <= published.count("nobody_listens") <= 24, "unroutable events back off instead of spinning"
    unroutable = [r for r in rows() if r["event_type"] == "nobody_listens"]
    assert all(r["published_at"] is None and r["next_attempt_at"] and r["attempts"] >= 1 for r in unroutable)
    assert backlog("lonely") == 12


def test_unroutable_events_are_abandoned_after_the_give_up_time_not_marked_published(container_factory, make_config):
    config = make_config("lonely", producer_metadata)
    lonely = container_factory(Unroutable, config)
    lonely.start()
    relay = next(dependency for dependency in lonely.dependencies if isinstance(dependency, Database)).relay
    relay.subscribed = {"nobody_listens"}
    relay.give_up_after = timedelta(0)
    with entrypoint_hook(lonely, "shout") as shout:
        shout(1)
    engine = make_engine(config["DATABASE_URL"])
    table = producer_metadata.tables["outbox_messages"]

    def abandoned():
        with engine.connect() as connection:
            return connection.execute(select(table).where(table.c.event_type == "nobody_listens")).mappings().first()

    row = wait_until(lambda: (r := abandoned()) and r["abandoned_at"] and r)
    engine.dispose()
    assert row["published_at"] is None and "no queue" in row["last_error"]
    assert (
        REGISTRY.get_sample_value(
            "partyday_outbox_abandoned_total", {"service": "lonely", "event_type": "nobody_listens"}
        )
        >= 1
    )


def test_an_event_type_nobody_subscribes_to_is_published_once_and_done(container_factory, make_config):
    config = make_config("lonely", producer_metadata)
    lonely = container_factory(Unroutable, config)
    lonely.start()
    with entrypoint_hook(lonely, "shout") as shout:
        shout(3)
    engine = make_engine(config["DATABASE_URL"])
    table = producer_metadata.tables["outbox_messages"]

    def published():
        with engine.connect() as connection:
            return connection.execute(select(table.c.published_at, table.c.attempts)).all()

    rows = wait_until(lambda: (found := published()) and all(p for p, _ in found) and found)
    engine.dispose()
    assert [attempts for _, attempts in rows] == [1, 1, 1, 1]
    assert backlog("lonely") == 0


class TwoStep(PartydayService):
    name = "twostep"
    db = Database(counter_metadata, subscribed=frozenset())

    @event_consumer("producer", "thing_made", expects=ThingMade)
    def on_thing_made(self, event, thing):
        with self.db.transaction():
            pass
        with self.db.transaction():
            pass


def test_an_event_handler_may_not_split_its_work_over_two_transactions(container_factory, make_config):
    config = make_config("twostep", counter_metadata)
    container = container_factory(TwoStep, config)
    container.start()
    labels = {"service": "twostep", "entrypoint": "on_thing_made", "error": "SecondEventTransaction"}
    publish_event(
        config["AMQP_URI"],
        "producer",
        Envelope(event_type="thing_made", source="producer", data={"label": "x", "explode": False, "flaky": False}),
    )
    wait_until(lambda: REGISTRY.get_sample_value("partyday_entrypoint_errors_total", labels))


def test_psycopg2_is_cooperative_under_the_monkey_patch():
    import psycopg2.extensions

    assert psycopg2.extensions.get_wait_callback() is not None
