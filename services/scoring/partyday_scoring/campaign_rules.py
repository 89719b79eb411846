"""Rules of a campaign's voting, as plain functions: when votes are taken, and the rate of vote attempts."""

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from partyday_common.errors import DomainError
from partyday_scoring import formula

RATE_WINDOW_S = 60


def voting_window(
    month: str, opens_at: datetime | None, closes_at: datetime | None, time_zone: str, grace_days: int
) -> tuple[datetime, datetime]:
    """When a campaign of `month` takes votes. By default from the month's first day (in `time_zone`) until its
    activities' scores stop changing (the next month's start plus the grace days), so that a party day held on
    the month's last day is shown for as long as one held on its first; either end may be given instead.
    422 VOTING_WINDOW_INVALID unless it opens before it closes."""
    year, number = map(int, month.split("-"))
    opens = opens_at or datetime(year, number, 1, tzinfo=ZoneInfo(time_zone))
    closes = closes_at or formula.period_closes_at(month, time_zone, grace_days)
    return opens_before_closing(opens, closes)


def opens_before_closing(opens: datetime, closes: datetime) -> tuple[datetime, datetime]:
    """The window, if it opens before it closes; 422 VOTING_WINDOW_INVALID otherwise."""
    if opens >= closes:
        raise DomainError(
            "VOTING_WINDOW_INVALID",
            "voting must open before it closes",
            422,
            {"opens_at": opens.isoformat(), "closes_at": closes.isoformat()},
        )
    return opens, closes


def changed_window(
    now: datetime,
    opens_at: datetime,
    closes_at: datetime,
    new_opens_at: datetime | None,
    new_closes_at: datetime | None,
) -> tuple[datetime, datetime]:
    """The voting window after a change of either end, at `now`. A closed campaign is never reopened (409
    CAMPAIGN_CLOSED); once voting has opened its start stays (422 VOTING_ALREADY_OPEN), so no vote cast falls
    before it and members are told of the opening once; a changed end is not in the past (422 VOTING_WINDOW_PAST),
    so no vote cast falls after it either; and it opens before it closes (422 VOTING_WINDOW_INVALID)."""
    if now >= closes_at and (new_opens_at is not None or new_closes_at is not None):
        raise DomainError(
            "CAMPAIGN_CLOSED",
            "voting in this campaign has closed and cannot be reopened",
            409,
            {"closes_at": closes_at.isoformat()},
        )
    if new_opens_at is not None and new_opens_at != opens_at and now >= opens_at:
        raise DomainError(
            "VOTING_ALREADY_OPEN", "voting has opened; only its end can move", 422, {"opens_at": opens_at.isoformat()}
        )
    for field, moved, current in (("opens_at", new_opens_at, opens_at), ("closes_at", new_closes_at, closes_at)):
        if moved is not None and moved != current and moved < now:
            raise DomainError(
                "VOTING_WINDOW_PAST", f"{field} cannot be moved into the past", 422, {field: moved.isoformat()}
            )
    opens, closes = new_opens_at or opens_at, new_closes_at or closes_at
    return opens_before_closing(opens, closes)


def closed_now(now: datetime, opens_at: datetime, closes_at: datetime) -> datetime:
    """When voting closes if it is closed now: 409 CAMPAIGN_NOT_OPEN before it has opened (move its window
    instead), CAMPAIGN_CLOSED once it has closed."""
    if now < opens_at:
        raise DomainError(
            "CAMPAIGN_NOT_OPEN",
            "voting has not opened yet; change its window instead",
            409,
            {"opens_at": opens_at.isoformat()},
        )
    if now >= closes_at:
        raise DomainError(
            "CAMPAIGN_CLOSED", "voting in this campaign has closed already", 409, {"closes_at": closes_at.isoformat()}
        )
    return now


def voting_state(now: datetime, opens_at: datetime, closes_at: datetime) -> str:
    """`not_open` before the window, `open` in it, `closed` from its end on."""
    if now < opens_at:
        return "not_open"
    return "open" if now < closes_at else "closed"


def check_voting_open(now: datetime, opens_at: datetime, closes_at: datetime) -> None:
    """422 VOTING_NOT_OPEN before the window, VOTING_CLOSED from its end on."""
    if now < opens_at:
        raise DomainError(
            "VOTING_NOT_OPEN", "voting in this campaign has not opened yet", 422, {"opens_at": opens_at.isoformat()}
        )
    if now >= closes_at:
        raise DomainError(
            "VOTING_CLOSED", "voting in this campaign has closed", 422, {"closes_at": closes_at.isoformat()}
        )


def rate_window(now: datetime) -> int:
    """The start (seconds since the epoch) of the fixed one-minute window `now` falls in."""
    return int(now.timestamp()) // RATE_WINDOW_S * RATE_WINDOW_S


def check_attempts(counted: dict[str, int], limits: dict[str, int], now: datetime) -> None:
    """429 VOTE_RATE_LIMITED when an attempt, counted with the others of its window per account and per address
    (`counted`), goes beyond that kind's limit; Retry-After is when the window ends."""
    for kind in ("account", "address"):
        if counted[kind] > limits[kind]:
            retry_after = max(1, math.ceil(rate_window(now) + RATE_WINDOW_S - now.timestamp()))
            raise DomainError(
                "VOTE_RATE_LIMITED",
                f"too many votes from this {kind}; slow down",
                429,
                {"per": kind, "limit": limits[kind], "retry_after": retry_after},
            )
