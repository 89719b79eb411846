"""Media's rules as plain functions: a photo's evidence against its activity, near-duplicate
hashes, and the detail score (图文详尽程度), whose formula the README documents."""

import math
import statistics
from datetime import datetime

NEAR_VENUE_TOLERANCE_M = 200
HASH_BANDS = 8
BANDS_TO_SHARE = 2
NEAR_DISTANCE = 6

# A picture whose grey levels spread less than this (a standard deviation, 0-255) is flat: one colour, or nearly.
FLAT_SPREAD = 4.0

PHOTO_POINTS, SUMMARY_POINTS, ACTION_POINTS, SHEET_POINTS = 40, 30, 20, 10
PHOTOS_FOR_FULL, SUMMARY_CHARS_FOR_FULL = 6, 500


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    earth = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * earth * math.asin(math.sqrt(a))


def judge_evidence(exif: dict, starts_at: datetime | None, venue: tuple[float, float, int] | None) -> dict:
    """Was the photo taken on the activity's day, near its venue? None where the photo or the
    activity does not tell. A capture time without an offset is read in the activity's zone."""
    verdict = {
        "taken_at": exif.get("taken_at"),
        "on_activity_day": None,
        "lat": exif.get("lat"),
        "lon": exif.get("lon"),
        "distance_m": None,
        "near_venue": None,
    }
    if verdict["taken_at"] and starts_at is not None:
        taken = datetime.fromisoformat(verdict["taken_at"])
        if taken.tzinfo is None:
            taken = taken.replace(tzinfo=starts_at.tzinfo)
        verdict["on_activity_day"] = taken.astimezone(starts_at.tzinfo).date() == starts_at.date()
    if verdict["lat"] is not None and venue is not None:
        distance = distance_m(verdict["lat"], verdict["lon"], venue[0], venue[1])
        verdict["distance_m"] = round(distance)
        verdict["near_venue"] = distance <= venue[2] + NEAR_VENUE_TOLERANCE_M
    return verdict


def is_flat(grey_levels: list[int]) -> bool:
    """A flat picture (one colour, a blank page, a black frame) has a perceptual hash that says nothing: every
    other flat picture shares it. Such a picture is not taken for a reused photo."""
    return len(grey_levels) < 2 or statistics.pstdev(grey_levels) < FLAT_SPREAD


def hash_bands(phash: str) -> list[int]:
    """The 64-bit hash cut in 8-bit bands. Two hashes within NEAR_DISTANCE (6) bits differ in at
    most 6 of the 8 bands, so they share at least BANDS_TO_SHARE (2): candidates are found by an
    indexed match on the bands, then measured."""
    value = int(phash, 16)
    return [(value >> (8 * band)) & 0xFF for band in range(HASH_BANDS)]


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def detail_score(
    approved_photos: int,
    summary_chars: int,
    required_actions: list[str],
    evidenced_actions: set[str],
    sign_in_sheet: bool,
) -> tuple[int, dict]:
    """The detail score (0-100) and its breakdown:
    - photos: 40 × min(approved photos, 6) / 6;
    - summary: 30 × min(characters, 500) / 500;
    - required actions: 20 × (required actions shown by an approved photo) / (required actions),
      or, when the month requires none, 20 once there is an approved photo;
    - sign-in sheet: 10 once the activity's sheet is closed.
    """
    photos = PHOTO_POINTS * min(approved_photos, PHOTOS_FOR_FULL) / PHOTOS_FOR_FULL
    summary = SUMMARY_POINTS * min(summary_chars, SUMMARY_CHARS_FOR_FULL) / SUMMARY_CHARS_FOR_FULL
    required = sorted(set(required_actions))
    shown = sorted(set(required) & evidenced_actions)
    if required:
        actions = ACTION_POINTS * len(shown) / len(required)
    else:
        actions = ACTION_POINTS if approved_photos else 0
    sheet = SHEET_POINTS if sign_in_sheet else 0
    total = max(0, min(100, round(photos + summary + actions + sheet)))
    return total, {
        "approved_photos": approved_photos,
        "photos": round(photos, 1),
        "summary_chars": summary_chars,
        "summary": round(summary, 1),
        "required_actions": required,
        "evidenced_actions": shown,
        "actions": round(actions, 1),
        "sign_in_sheet": sign_in_sheet,
        "sheet": sheet,
    }


ELSEWHERE = "also used elsewhere"


def duplicates_seen_from(duplicates: list[dict], seen_from: list[str]) -> list[dict]:
    """An upload's earlier uses as a caller who reads the subtrees `seen_from` (materialised paths) may see them:
    in full inside those subtrees; elsewhere only that the picture was also used elsewhere, with how closely it
    matches, never whose or which it was."""
    return [
        item
        if any(item["branch_path"].startswith(root) for root in seen_from if root)
        else {
            "match": item["match"],
            "distance": item["distance"],
            "other_activity": True,
            "same_branch": False,
            "elsewhere": ELSEWHERE,
        }
        for item in duplicates
    ]
