"""Which sessions have ended before their access tokens expire, as this gateway process knows it.

The directory announces every revoked session with `session_ended`. A process follows those events
on its own queue and, on every connect, first asks the directory for the sessions ended within one
access-token lifetime, so nothing revoked while it was away slips through. While it is caught up
(`synced`), a member's access token is trusted for the member it names, and the routes a member uses
only as themselves (signing in and out) need no call to the directory; a revocation takes effect as
soon as its event arrives. Other routes still ask the directory for the member's roles.
"""

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from prometheus_client import Gauge

from partyday_common.envelope import Envelope
from partyday_gateway.expectations import SessionEnded
from partyday_gateway.rpc import NamekoRpcClient, Subscription

log = logging.getLogger(__name__)

# A token's `iat` comes from the clock of whichever gateway issued it.
CLOCK_SKEW = timedelta(seconds=60)
FILL_RETRY_S = 1.0

FOLLOWING = Gauge(
    "partyday_gateway_following_ended_sessions",
    "1 while this gateway process follows ended sessions (members sign in without a directory call), else 0.",
)


class EndedSessions:
    """Session ids that must be refused, each kept for as long as an access token of it could live."""

    def __init__(self, keep_s: float):
        self.keep_s = keep_s
        self.synced = False
        self._ended: OrderedDict[str, float] = OrderedDict()

    def end(self, session_id: str) -> None:
        now = time.monotonic()
        self._ended[session_id] = now + self.keep_s
        self._ended.move_to_end(session_id)
        while self._ended:
            oldest, forget_at = next(iter(self._ended.items()))
            if forget_at > now:
                break
            del self._ended[oldest]

    def ended(self, session_id: str) -> bool:
        return session_id in self._ended


class SessionFeed:
    """Keeps an `EndedSessions` current from the directory's events and its `ended_sessions` RPC."""

    def __init__(self, rpc: NamekoRpcClient, ended: EndedSessions, on_ended=None):
        self.rpc = rpc
        self.ended = ended
        self.on_ended = on_ended or (lambda _session_id: None)
        self._filling: asyncio.Task | None = None
        rpc.subscribe(
            Subscription("directory", {"session_ended": SessionEnded}, self._take, self._catch_up, self._lose)
        )

    def _take(self, _envelope: Envelope, ended: SessionEnded) -> None:
        self._end(ended.session_id)

    def _end(self, session_id: str) -> None:
        self.ended.end(session_id)
        self.on_ended(session_id)

    def _lose(self) -> None:
        self.ended.synced = False
        FOLLOWING.set(0)
        if self._filling is not None:
            self._filling.cancel()

    def _catch_up(self) -> None:
        self.ended.synced = False
        FOLLOWING.set(0)
        self._filling = asyncio.get_running_loop().create_task(self._fill())

    async def _fill(self) -> None:
        since = datetime.now(timezone.utc) - timedelta(seconds=self.ended.keep_s) - CLOCK_SKEW
        while True:
            try:
                for session_id in await self.rpc.call("directory", "ended_sessions", since.isoformat()):
                    self._end(session_id)
            except Exception as exc:
                log.warning(
                    "could not learn the recently ended sessions yet (%s); the directory is asked "
                    "on every request until then",
                    exc,
                )
                await asyncio.sleep(FILL_RETRY_S)
                continue
            self.ended.synced = True
            FOLLOWING.set(1)
            log.info("following ended sessions")
            return

    async def close(self) -> None:
        if self._filling is not None:
            self._filling.cancel()
