"""Rules of a campaign's voting, as plain functions: the rate of vote attempts."""
import math
from datetime import datetime

from partyday_common.errors import DomainError

RATE_WINDOW_S = 60


def rate_window(now: datetime) -> int:
    """The start (seconds since the epoch) of the fixed one-minute window `now` falls in."""
    return int(now.timestamp()) // RATE_WINDOW_S * RATE_WINDOW_S


def check_attempts(counted: dict[str, int], limits: dict[str, int], now: datetime) -> None:
    """429 VOTE_RATE_LIMITED when an attempt, counted with the others of its window per account and per address
    (`counted`), goes beyond that kind's limit; Retry-After is when the window ends."""
    for kind in ("account", "address"):
        if counted[kind] > limits[kind]:
            retry_after = max(1, math.ceil(rate_window(now) + RATE_WINDOW_S - now.timestamp()))
            raise DomainError("VOTE_RATE_LIMITED", f"too many votes from this {kind}; slow down", 429,
                              {"per": kind, "limit": limits[kind], "retry_after": retry_after})
