"""Every event consumer of every service against its producer's published schema.

Each `event_consumer` names the model it expects; the producer's contracts (`partyday_<source>_contracts.events`)
publish the event type's model in EVENTS; what that model writes satisfies what the consumer expects
(tests/contracts/compatibility.py); and each producer's SUBSCRIBED, the event types its outbox publishes
`mandatory`, is exactly the set of its event types some service consumes.
"""

from importlib import import_module

import pytest
from pydantic import BaseModel

from partyday_common.consumer import EventConsumer
from partyday_common.settings import SERVICES
from partyday_dev.services import load_service_class
from tests.contracts.compatibility import unmet_expectations


def event_consumers() -> list[tuple[str, str, EventConsumer]]:
    """(service, method, subscription) of every event consumer of every service class."""
    found = []
    for service in SERVICES:
        service_cls = load_service_class(service)
        for method_name in dir(service_cls):
            for entrypoint in getattr(getattr(service_cls, method_name), "nameko_entrypoints", ()):
                if isinstance(entrypoint, EventConsumer):
                    found.append((service, method_name, entrypoint))
    return found


def published(source: str):
    """The producer's event contracts: EVENTS (event type -> model) and SUBSCRIBED."""
    return import_module(f"partyday_{source}_contracts.events")


CONSUMERS = event_consumers()


@pytest.mark.parametrize(
    "service, method, subscription",
    CONSUMERS,
    ids=[
        f"{service}.{method}<-{subscription.source_service}.{subscription.event_type}"
        for service, method, subscription in CONSUMERS
    ],
)
def test_each_consumer_expects_no_more_than_its_producer_publishes(service, method, subscription):
    expects = subscription.expects
    assert isinstance(expects, type) and issubclass(expects, BaseModel), (
        f"{service}.{method} names no model it expects (event_consumer(..., expects=Model))"
    )
    assert subscription.source_service in SERVICES, f"{service}.{method} consumes from an unknown service"
    events = published(subscription.source_service).EVENTS
    assert subscription.event_type in events, (
        f"partyday_{subscription.source_service}_contracts.events.EVENTS has no {subscription.event_type}"
    )
    assert unmet_expectations(expects, events[subscription.event_type]) == []


@pytest.mark.parametrize("source", SERVICES)
def test_each_producer_publishes_mandatory_exactly_the_events_services_consume(source):
    contracts = published(source)
    consumed = {subscription.event_type for _, _, subscription in CONSUMERS if subscription.source_service == source}
    assert contracts.SUBSCRIBED == consumed
    assert contracts.SUBSCRIBED <= set(contracts.EVENTS)
