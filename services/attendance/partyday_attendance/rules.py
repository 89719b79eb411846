"""The sign-in and sign-out rules, as plain functions. Every rule is enforced on the server."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from partyday_common.errors import DomainError
from partyday_common.text import visible_length

EARTH_RADIUS_M = 6_371_008.8
WORST_ACCURACY_M = 100.0
ACCURACY_ALLOWANCE_M = 50.0
MIN_REFLECTION = 10
OFFLINE_GRACE = timedelta(hours=48)
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Windows:
    sign_in_opens: datetime
    sign_in_closes: datetime
    sign_out_opens: datetime
    sign_out_closes: datetime


def windows(starts_at: datetime, ends_at: datetime, rules: dict) -> Windows:
    """Sign-in from `opens_before_min` before the start to `grace_min` after it, and never after the end (an
    activity shorter than its grace takes no sign-in once it is over); sign-out from the end to
    `sign_out_window_min` after it."""
    return Windows(
        sign_in_opens=starts_at - timedelta(minutes=rules["opens_before_min"]),
        sign_in_closes=min(starts_at + timedelta(minutes=rules["grace_min"]), ends_at),
        sign_out_opens=ends_at,
        sign_out_closes=ends_at + timedelta(minutes=rules["sign_out_window_min"]),
    )


def screen_state(now: datetime, window: Windows, closed: bool) -> tuple[str, datetime | None]:
    """What a venue's screen shows now, and until when: `sign_in` or `sign_out` while that window is open (its
    close), `not_open` before sign-in or between the two windows (when the next one opens), `closed` after the
    last (nothing follows)."""
    if closed or now > window.sign_out_closes:
        return "closed", None
    if now < window.sign_in_opens:
        return "not_open", window.sign_in_opens
    if now <= window.sign_in_closes:
        return "sign_in", window.sign_in_closes
    if now < window.sign_out_opens:
        return "not_open", window.sign_out_opens
    return "sign_out", window.sign_out_closes


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def check_position(
    venue_lat: float, venue_lon: float, radius_m: float, lat: float, lon: float, accuracy_m: float
) -> float:
    """The distance to the venue, if the fix is good enough and inside the fence (with a bounded
    allowance for the fix's own accuracy); otherwise the reason it is refused."""
    if accuracy_m > WORST_ACCURACY_M:
        raise DomainError(
            "LOCATION_TOO_INACCURATE",
            f"the position is only accurate to {accuracy_m:.0f} m; at most {WORST_ACCURACY_M:.0f} m is accepted",
            422,
            {"accuracy_m": accuracy_m},
        )
    distance = distance_m(venue_lat, venue_lon, lat, lon)
    allowed = radius_m + min(accuracy_m, ACCURACY_ALLOWANCE_M)
    if distance > allowed:
        raise DomainError(
            "GEOFENCE_OUTSIDE",
            f"you are {distance:.0f} m from the venue; at most {allowed:.0f} m is inside",
            422,
            {"distance_m": round(distance, 1), "allowed_m": round(allowed, 1)},
        )
    return distance


def check_sign_in_time(at: datetime, window: Windows) -> None:
    if at < window.sign_in_opens:
        raise DomainError(
            "WINDOW_NOT_OPEN", "sign-in has not opened yet", 422, {"opens_at": window.sign_in_opens.isoformat()}
        )
    if at > window.sign_in_closes:
        raise DomainError(
            "WINDOW_CLOSED",
            "sign-in has closed: late sign-in is not allowed",
            422,
            {"closed_at": window.sign_in_closes.isoformat()},
        )


def check_sign_out_time(at: datetime, window: Windows) -> None:
    if at < window.sign_out_opens:
        raise DomainError(
            "TOO_EARLY", "sign-out opens when the activity ends", 422, {"opens_at": window.sign_out_opens.isoformat()}
        )
    if at > window.sign_out_closes:
        raise DomainError(
            "WINDOW_CLOSED", "sign-out has closed", 422, {"closed_at": window.sign_out_closes.isoformat()}
        )


def check_reflection(text: str | None) -> str:
    cleaned = (text or "").strip()
    if visible_length(cleaned) < MIN_REFLECTION:
        raise DomainError(
            "REFLECTION_REQUIRED",
            f"signing out needs a reflection of at least {MIN_REFLECTION} visible characters",
            422,
            {"min_length": MIN_REFLECTION},
        )
    return cleaned


def check_offline(closes_at: datetime, scanned_at: datetime, now: datetime) -> None:
    """An offline scan claims no time in the future (beyond the phone's clock skew) and is sent within
    `OFFLINE_GRACE` of the activity's close."""
    if scanned_at > now + CLOCK_SKEW:
        raise DomainError("SCAN_IN_FUTURE", "this scan claims a time in the future", 422)
    if now > closes_at + OFFLINE_GRACE:
        raise DomainError("BATCH_TOO_LATE", "offline scans are accepted up to 48 hours after the activity closes", 422)


def is_claim(offline: bool, rotating: bool, now: datetime, window: Windows, proven_device: bool = True) -> bool:
    """An offline sign-in with the printed code, sent once sign-in has closed, proves nothing about when it was
    made (the poster's code stays valid for offline scans), and one from a device the member never registered
    (though they registered another) nothing about where it was queued: a claim for a superior to decide."""
    return offline and (not proven_device or (not rotating and now > window.sign_in_closes))


def closing_status(signed_in: bool, signed_out: bool, excused: bool) -> str:
    """A member's final status when the activity closes."""
    if signed_in:
        return "signed_out" if signed_out else "no_sign_out"
    return "excused" if excused else "absent"
