"""The events the gateway follows against their producers' published schemas, as tests/contracts/test_events.py
checks the services' consumers: each subscription's expected model is satisfied by what the producer writes."""

from importlib import import_module

import pytest

from partyday_gateway.sessions import EndedSessions, SessionFeed
from tests.contracts.compatibility import unmet_expectations
from tests.gateway.fakes import FakeRpc


def gateway_subscriptions():
    """(source, event type, expected model) of every subscription a gateway process makes."""
    rpc = FakeRpc()
    SessionFeed(rpc, EndedSessions(900))
    return [
        (subscription.source, event_type, model)
        for subscription in rpc.subscriptions
        for event_type, model in subscription.expects.items()
    ]


SUBSCRIPTIONS = gateway_subscriptions()


@pytest.mark.parametrize(
    "source, event_type, expected",
    SUBSCRIPTIONS,
    ids=[f"gateway<-{source}.{event_type}" for source, event_type, _ in SUBSCRIPTIONS],
)
def test_the_gateway_expects_no_more_than_the_producer_publishes(source, event_type, expected):
    events = import_module(f"partyday_{source}_contracts.events").EVENTS
    assert event_type in events, f"partyday_{source}_contracts.events.EVENTS has no {event_type}"
    assert unmet_expectations(expected, events[event_type]) == []


def test_the_gateway_follows_the_directorys_ended_sessions():
    assert [(source, event_type) for source, event_type, _ in SUBSCRIPTIONS] == [("directory", "session_ended")]
