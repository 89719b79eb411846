"""How the gateway is served: uvicorn's h11 protocol, closing a connection that does not finish a request's headers
within `PARTYDAY_HEADER_TIMEOUT_S` (uvicorn's keep-alive timeout runs only between requests, so a client sending
its headers a byte at a time would hold a connection for ever).

`uvicorn partyday_gateway.app:app --http partyday_gateway.serving:HeaderTimeoutProtocol`
"""

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from partyday_gateway.settings import get_gateway_settings


class HeaderTimeoutProtocol(H11Protocol):
    """H11Protocol with a deadline for each request's headers, from the connection's start or from the first
    byte after the previous request: a connection with no new request head by then is closed."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.header_timeout = get_gateway_settings().header_timeout_s
        self._header_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._header_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_overdue, self.cycle)

    def _headers_overdue(self, cycle_when_armed) -> None:
        self._header_deadline = None
        if self.cycle is cycle_when_armed and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
