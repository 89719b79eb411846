"""The gateway's list of ended sessions: filled on connect, kept current by events, forgotten in time."""
import asyncio
from unittest import mock

from partyday_common.envelope import Envelope
from partyday_gateway import sessions
from partyday_gateway.sessions import EndedSessions, SessionFeed


class FakeRpc:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []
        self.subscriptions = []

    def subscribe(self, subscription):
        self.subscriptions.append(subscription)

    async def call(self, service, method, *args):
        self.calls.append((service, method, *args))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def event(data):
    return Envelope(event_type="session_ended", source="directory", data=data).to_message()


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
    rpc, forgotten = FakeRpc([]), []
    feed = SessionFeed(rpc, EndedSessions(900), forgotten.append)
    (subscription,) = rpc.subscriptions
    assert (subscription.source, subscription.event_types) == ("directory", ("session_ended",))
    subscription.on_event(event({"session_id": "s1", "subject": "m1", "reason": "logout"}))
    subscription.on_event({"data": {"session_id": "s2"}})
    assert feed.ended.ended("s1") and not feed.ended.ended("s2")
    assert forgotten == ["s1"]


def test_on_connect_the_feed_learns_recent_endings_before_it_trusts_tokens_and_retries_until_it_can():
    async def scenario():
        rpc = FakeRpc([ConnectionError("directory away"), ["s1", "s2"]])
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
