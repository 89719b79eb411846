"""The gateway's list of ended sessions: filled on connect, kept current by events, forgotten in time; and what the
gateway does with an event it follows that it cannot take in."""

import asyncio
import json
import logging
from unittest import mock

import pytest
from prometheus_client import REGISTRY

from partyday_common.envelope import Envelope
from partyday_gateway import sessions
from partyday_gateway.expectations import SessionEnded
from partyday_gateway.rpc import Subscription, take_event
from partyday_gateway.sessions import EndedSessions, SessionFeed
from tests.gateway.fakes import FakeRpc


def event(data, event_type="session_ended"):
    return Envelope(event_type=event_type, source="directory", data=data).to_message()


def deliver(subscription, body) -> None:
    """As the broker hands the gateway's queue a message."""
    take_event(subscription, body if isinstance(body, bytes) else json.dumps(body).encode())


def dropped(reason: str) -> float:
    return (
        REGISTRY.get_sample_value("partyday_gateway_events_dropped_total", {"source": "directory", "reason": reason})
        or 0.0
    )


def test_an_ended_session_is_kept_for_an_access_tokens_lifetime_then_forgotten():
    ended = EndedSessions(keep_s=900)
    with mock.patch.object(sessions.time, "monotonic", return_value=1000.0):
        ended.end("old")
    with mock.patch.object(sessions.time, "monotonic", return_value=1899.0):
        ended.end("new")
        assert ended.ended("old") and ended.ended("new")
    with mock.patch.object(sessions.time, "monotonic", return_value=1901.0):
        ended.end("newer")
    assert not ended.ended("old") and ended.ended("new") and ended.ended("newer")


def test_the_feed_follows_session_ended_and_ignores_what_is_not_an_envelope():
    rpc, forgotten = FakeRpc(), []
    feed = SessionFeed(rpc, EndedSessions(900), forgotten.append)
    (subscription,) = rpc.subscriptions
    assert (subscription.source, subscription.event_types) == ("directory", ("session_ended",))
    deliver(subscription, event({"session_id": "s1", "subject": "m1", "reason": "logout"}))
    deliver(subscription, {"data": {"session_id": "s2"}})
    assert feed.ended.ended("s1") and not feed.ended.ended("s2")
    assert forgotten == ["s1"]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"\xff not json", "envelope"),
        ({"data": {"session_id": "s2"}}, "envelope"),
        (event({"subject": "m1", "reason": "logout"}), "payload"),
        (event({"session_id": 42}), "payload"),
        (event({"session_id": None}), "payload"),
        (event({"session_id": "s2"}, event_type="member_left"), "event_type"),
    ],
    ids=["undecodable", "no envelope", "no session", "a number", "null", "another event type"],
)
def test_an_event_the_gateway_cannot_take_in_is_dropped_with_a_warning_and_counted(body, reason, caplog):
    rpc, forgotten = FakeRpc(), []
    feed = SessionFeed(rpc, EndedSessions(900), forgotten.append)
    (subscription,) = rpc.subscriptions
    before = dropped(reason)
    with caplog.at_level(logging.WARNING, logger="partyday_gateway.rpc"):
        deliver(subscription, body)
    assert dropped(reason) == before + 1
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    assert forgotten == [] and not feed.ended.ended("s2")
    deliver(subscription, event({"session_id": "s3", "reason": "logout", "extra": {"ignored": True}}))
    assert forgotten == ["s3"], "the next event is taken in, fields the gateway does not read ignored"


def test_a_failing_handler_is_logged_and_counted_and_the_next_event_still_arrives(caplog):
    taken = []

    def take(envelope, payload):
        if payload.session_id == "bad":
            raise RuntimeError("boom")
        taken.append(payload.session_id)

    failing = Subscription("directory", {"session_ended": SessionEnded}, take, lambda: None, lambda: None)
    before = dropped("handler")
    with caplog.at_level(logging.ERROR, logger="partyday_gateway.rpc"):
        deliver(failing, event({"session_id": "bad"}))
    deliver(failing, event({"session_id": "good"}))
    assert dropped("handler") == before + 1 and "boom" in caplog.text and taken == ["good"]


def test_on_connect_the_feed_learns_recent_endings_before_it_trusts_tokens_and_retries_until_it_can():
    async def scenario():
        rpc = FakeRpc().answer("directory", "ended_sessions", ConnectionError("directory away"), ["s1", "s2"])
        feed = SessionFeed(rpc, EndedSessions(900))
        (subscription,) = rpc.subscriptions
        with mock.patch.object(sessions, "FILL_RETRY_S", 0.01):
            subscription.on_subscribed()
            assert not feed.ended.synced
            await asyncio.wait_for(feed._filling, 2)
        assert feed.ended.synced and feed.ended.ended("s1") and feed.ended.ended("s2")
        assert [call[:2] for call in rpc.calls] == [("directory", "ended_sessions")] * 2
        subscription.on_lost()
        assert not feed.ended.synced

    asyncio.run(scenario())
