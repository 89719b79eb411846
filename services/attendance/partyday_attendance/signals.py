"""The signals of a forged record, as plain functions: each looks at one accepted scan and what attendance knows
around it, and answers a signal with its evidence, or None. No signal refuses anything: their weights add up,
and a record whose score reaches the threshold is flagged for a superior to decide (`integrity.py`)."""

from dataclasses import dataclass
from datetime import datetime

from partyday_attendance.rules import distance_m

# A position this close to the venue's published pin was copied from it: an honest fix is 5-40 m off.
VENUE_PIN_M = 0.5
# Two members' positions this close are the same position: honest fixes always spread.
NO_SPREAD_M = 0.01
# A move shorter than both fixes' accuracies and this much is GPS noise, however quick.
MOVE_ALLOWANCE_M = 500.0


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    accuracy_m: float
    at: datetime


def shared_device(device_id: str, other_members: list[str]) -> dict | None:
    """One device (its id, or its registered key) signed in other members of the same activity."""
    if not other_members:
        return None
    return {"signal": "shared_device", "evidence": {"device_id": device_id, "other_members": sorted(other_members)}}


def venue_coordinates(lat: float, lon: float, venue_lat: float, venue_lon: float) -> dict | None:
    """The position is the venue's published coordinates, which every member's plan shows."""
    off = distance_m(venue_lat, venue_lon, lat, lon)
    if off > VENUE_PIN_M:
        return None
    return {"signal": "venue_coordinates", "evidence": {"distance_from_pin_m": round(off, 3)}}


def no_spread(lat: float, lon: float, others: dict[str, tuple[float, float]]) -> dict | None:
    """Other members of the activity reported exactly this position."""
    same = sorted(
        member for member, (o_lat, o_lon) in others.items() if distance_m(lat, lon, o_lat, o_lon) <= NO_SPREAD_M
    )
    if not same:
        return None
    return {"signal": "no_spread", "evidence": {"same_position_as": same, "lat": lat, "lon": lon}}


def stale_fix(fix_at: datetime | None, request_at: datetime, limit_s: float) -> dict | None:
    """The position was fixed long before or after the scan it came with."""
    if fix_at is None:
        return None
    apart = abs((request_at - fix_at).total_seconds())
    if apart <= limit_s:
        return None
    return {
        "signal": "stale_fix",
        "evidence": {"fix_at": fix_at.isoformat(), "scan_at": request_at.isoformat(), "apart_s": round(apart)},
    }


def zero_accuracy(accuracy_m: float) -> dict | None:
    """No receiver reports a perfect fix; a typed or replayed position does."""
    if accuracy_m != 0:
        return None
    return {"signal": "zero_accuracy", "evidence": {"accuracy_m": accuracy_m}}


def impossible_move(previous: Fix | None, current: Fix, max_speed_kmh: float) -> dict | None:
    """The member's previous scan is too far from this one for the time between them."""
    if previous is None:
        return None
    moved = distance_m(previous.lat, previous.lon, current.lat, current.lon)
    if moved <= previous.accuracy_m + current.accuracy_m + MOVE_ALLOWANCE_M:
        return None
    seconds = max(abs((current.at - previous.at).total_seconds()), 1.0)
    speed_kmh = moved / seconds * 3.6
    if speed_kmh <= max_speed_kmh:
        return None
    return {
        "signal": "impossible_move",
        "evidence": {
            "moved_m": round(moved),
            "seconds": round(seconds),
            "speed_kmh": round(speed_kmh),
            "previous_at": previous.at.isoformat(),
        },
    }


def device_changed(previous_device: str | None, device_id: str) -> dict | None:
    """Another device than at the member's last party day (the honest case is a new phone: weighed lightly)."""
    if previous_device is None or previous_device == device_id:
        return None
    return {"signal": "device_changed", "evidence": {"previous_device": previous_device, "device_id": device_id}}


def mocked_position(position_mocked: bool | None) -> dict | None:
    """The browser itself said the position came from an emulator or a mocked provider."""
    if not position_mocked:
        return None
    return {"signal": "mocked_position", "evidence": {"position_mocked": True}}


@dataclass(frozen=True)
class Around:
    """What attendance knows around one accepted scan: the venue's pin, the activity's other members on the
    same device and at the same position, the member's previous scan and last party day's device."""

    venue_lat: float
    venue_lon: float
    others_on_device: list[str]
    other_positions: dict[str, tuple[float, float]]
    previous_fix: Fix | None
    last_device: str | None


def found_on(
    fix: Fix,
    device_id: str,
    request_at: datetime,
    fix_at: datetime | None,
    position_mocked: bool | None,
    around: Around,
    stale_fix_after_s: float,
    max_speed_kmh: float,
) -> list[dict]:
    """Every signal found on a scan whose position is `fix`, made (or, offline, queued) at `request_at`."""
    found = [
        shared_device(device_id, around.others_on_device),
        venue_coordinates(fix.lat, fix.lon, around.venue_lat, around.venue_lon),
        no_spread(fix.lat, fix.lon, around.other_positions),
        stale_fix(fix_at, request_at, stale_fix_after_s),
        zero_accuracy(fix.accuracy_m),
        impossible_move(around.previous_fix, fix, max_speed_kmh),
        device_changed(around.last_device, device_id),
        mocked_position(position_mocked),
    ]
    return [signal for signal in found if signal is not None]


def weigh(found: list[dict], weights: dict[str, float], threshold: float) -> dict:
    """The signals with their weights, their score, and whether it reaches the threshold (flagged)."""
    items = [{**signal, "weight": weights.get(signal["signal"], 1.0)} for signal in found]
    score = round(sum(item["weight"] for item in items), 3)
    return {"score": score, "threshold": threshold, "flagged": score >= threshold, "items": items}
