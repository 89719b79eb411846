"""Integrity rules as plain functions: a corpus of forged patterns, each refused, claimed or flagged, and a corpus
of honest variations, none flagged (issue 19)."""

import base64
import json
import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from partyday_attendance import device_keys, signals, tokens
from partyday_attendance.rules import is_claim, windows
from partyday_attendance.settings import AttendanceSettings
from partyday_common.errors import DomainError

VENUE_LAT, VENUE_LON = 31.2304, 121.4737
KEYS = {"k1": "secret"}
STARTS = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
WINDOW = windows(
    STARTS, STARTS + timedelta(hours=2), {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}
)
SETTINGS = AttendanceSettings()


def _near_venue(metres: float, bearing_deg: float) -> tuple[float, float]:
    d_lat = metres * math.cos(math.radians(bearing_deg)) / 111_194.9
    d_lon = metres * math.sin(math.radians(bearing_deg)) / (111_194.9 * math.cos(math.radians(VENUE_LAT)))
    return VENUE_LAT + d_lat, VENUE_LON + d_lon


def _around(**changes) -> signals.Around:
    base = {
        "venue_lat": VENUE_LAT,
        "venue_lon": VENUE_LON,
        "others_on_device": [],
        "other_positions": {},
        "previous_fix": None,
        "last_device": None,
    }
    return signals.Around(**{**base, **changes})


def _verdict(fix, around=None, device="phone-a", request_at=None, fix_at=None, mocked=None) -> dict:
    found = signals.found_on(
        fix,
        device,
        request_at or fix.at,
        fix_at,
        mocked,
        around or _around(),
        SETTINGS.stale_fix_after_s,
        SETTINGS.max_speed_kmh,
    )
    return signals.weigh(found, SETTINGS.signal_weights, SETTINGS.flag_threshold)


def _fix(metres=20.0, bearing=45.0, accuracy=15.0, at=STARTS) -> signals.Fix:
    return signals.Fix(*_near_venue(metres, bearing), accuracy, at)


def _names(verdict) -> set[str]:
    return {item["signal"] for item in verdict["items"]}


# --- the forged corpus ---------------------------------------------------------------------------------------------


def test_a_backdated_poster_scan_sent_after_sign_in_closed_is_a_claim():
    after_close = WINDOW.sign_in_closes + timedelta(hours=20)
    assert is_claim(offline=True, rotating=False, now=after_close, window=WINDOW)


def test_a_rotating_token_outside_its_step_is_refused_offline():
    shown = STARTS + timedelta(minutes=3)
    token = tokens.sign("act-1", KEYS, shown + timedelta(minutes=5), tokens.step_of(shown))
    with pytest.raises(DomainError) as refused:
        tokens.verify(token, "act-1", KEYS, shown - timedelta(minutes=2), offline=True)
    assert refused.value.code == "SCAN_TIME_MISMATCH"
    assert (
        refused.value.details["code_shown_at"]
        == datetime.fromtimestamp(tokens.step_of(shown) * tokens.STEP_SECONDS, timezone.utc).isoformat()
    )
    with pytest.raises(DomainError) as refused:
        tokens.verify(token, "act-1", KEYS, shown + timedelta(seconds=75), offline=True)
    assert refused.value.code == "SCAN_TIME_MISMATCH"


def test_one_device_signing_in_three_members_flags_each_of_them():
    for member, others in (("m2", ["m1"]), ("m3", ["m1", "m2"])):
        verdict = _verdict(_fix(), _around(others_on_device=others), device="shared-phone")
        assert verdict["flagged"], member
        assert verdict["items"][0]["evidence"] == {"device_id": "shared-phone", "other_members": others}


def test_coordinates_copied_from_the_venue_are_flagged():
    verdict = _verdict(signals.Fix(VENUE_LAT, VENUE_LON, 10.0, STARTS))
    assert verdict["flagged"] and _names(verdict) == {"venue_coordinates"}


def test_members_at_exactly_one_position_are_flagged_with_each_other():
    lat, lon = _near_venue(30, 10)
    verdict = _verdict(
        signals.Fix(lat, lon, 10.0, STARTS), _around(other_positions={"m1": (lat, lon)}), device="phone-b"
    )
    assert _names(verdict) == {"no_spread"}
    assert verdict["items"][0]["evidence"]["same_position_as"] == ["m1"]
    # the same position alone may be one Wi-Fi access point's: with another signal it flags
    assert not verdict["flagged"]
    assert _verdict(signals.Fix(lat, lon, 0.0, STARTS), _around(other_positions={"m1": (lat, lon)}), device="phone-b")[
        "flagged"
    ]


def test_a_batch_with_fix_times_hours_from_its_scans_is_flagged():
    for scan_at in (STARTS, STARTS + timedelta(minutes=1)):
        verdict = _verdict(_fix(at=scan_at), request_at=scan_at, fix_at=scan_at - timedelta(hours=3))
        assert verdict["flagged"] and _names(verdict) == {"stale_fix"}
        assert verdict["items"][0]["evidence"]["apart_s"] >= 3 * 3600


def test_accuracy_reported_as_exactly_zero_is_flagged():
    assert _names(_verdict(_fix(accuracy=0.0))) == {"zero_accuracy"}


def test_an_impossible_move_between_a_members_two_scans_is_flagged():
    elsewhere = signals.Fix(VENUE_LAT + 0.5, VENUE_LON, 20.0, STARTS - timedelta(minutes=10))  # 55 km, 10 min
    verdict = _verdict(_fix(), _around(previous_fix=elsewhere))
    assert verdict["flagged"] and _names(verdict) == {"impossible_move"}
    assert verdict["items"][0]["evidence"]["speed_kmh"] > 300


def test_a_position_the_browser_calls_mocked_is_flagged():
    assert _verdict(_fix(), mocked=True)["flagged"]


# --- the honest corpus ---------------------------------------------------------------------------------------------


def test_gps_noise_of_5_to_40_metres_is_never_flagged():
    noise = random.Random(19)
    positions: dict[str, tuple[float, float]] = {}
    for index in range(40):
        fix = _fix(metres=noise.uniform(5, 40), bearing=noise.uniform(0, 360), accuracy=noise.uniform(5, 40))
        verdict = _verdict(fix, _around(other_positions=dict(positions)), device=f"phone-{index}")
        assert not verdict["items"], verdict
        positions[f"m{index}"] = (fix.lat, fix.lon)


def test_a_new_phone_once_is_noted_but_not_flagged():
    verdict = _verdict(_fix(), _around(last_device="old-phone"), device="new-phone")
    assert _names(verdict) == {"device_changed"}
    assert not verdict["flagged"]


def test_twenty_members_behind_one_wifi_address_are_not_flagged():
    # a shared client address is no signal: each member's own phone and own fix
    noise = random.Random(20)
    seen: dict[str, tuple[float, float]] = {}
    for index in range(20):
        fix = _fix(metres=noise.uniform(5, 40), bearing=noise.uniform(0, 360))
        assert not _verdict(fix, _around(other_positions=dict(seen)), device=f"phone-{index}")["flagged"]
        seen[f"m{index}"] = (fix.lat, fix.lon)


def test_a_scan_queued_in_a_basement_and_sent_ten_minutes_later_is_not_flagged_nor_claimed():
    scanned_at = STARTS + timedelta(minutes=2)
    sent_at = scanned_at + timedelta(minutes=10)
    verdict = _verdict(_fix(at=scanned_at), request_at=scanned_at, fix_at=scanned_at - timedelta(seconds=40))
    assert not verdict["items"]
    # the screen's code proves its time offline; the poster's does while sign-in is still open
    token = tokens.sign("act-1", KEYS, scanned_at + timedelta(minutes=5), tokens.step_of(scanned_at))
    assert tokens.verify(token, "act-1", KEYS, scanned_at + timedelta(seconds=20), offline=True).step is not None
    assert not is_claim(offline=True, rotating=True, now=sent_at + timedelta(hours=5), window=WINDOW)
    assert not is_claim(offline=True, rotating=False, now=sent_at, window=WINDOW)


def test_signing_in_and_out_at_the_same_venue_is_no_move():
    sign_in = _fix(metres=35, bearing=0, at=STARTS)
    verdict = _verdict(_fix(metres=30, bearing=180, at=STARTS + timedelta(hours=2)), _around(previous_fix=sign_in))
    assert not verdict["items"]


def test_the_weights_and_threshold_are_settings(monkeypatch):
    monkeypatch.setenv("PARTYDAY_SIGNAL_WEIGHTS", '{"device_changed": 1.5}')
    monkeypatch.setenv("PARTYDAY_FLAG_THRESHOLD", "1.2")
    settings = AttendanceSettings()
    found = [signals.device_changed("old", "new")]
    assert signals.weigh(found, settings.signal_weights, settings.flag_threshold)["flagged"]


def test_a_scan_signed_with_another_devices_key_or_changed_after_signing_does_not_verify():
    def spki(key):
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()

    def webcrypto_signature(key, text):
        r, s = decode_dss_signature(key.sign(text.encode(), ec.ECDSA(hashes.SHA256())))
        return base64.urlsafe_b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode().rstrip("=")

    mine, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    scan = {
        "activity_id": "act-1",
        "kind": "sign_in",
        "token": "t.t",
        "scanned_at": STARTS,
        "lat": VENUE_LAT,
        "lon": VENUE_LON,
        "accuracy_m": 12,
        "nonce": "n" * 16,
        "device_id": "phone-1",
    }
    payload = json.dumps({**scan, "scanned_at": "2026-12-01T22:00:00+08:00"})
    assert device_keys._verifies(spki(mine), payload, webcrypto_signature(mine, payload))
    assert device_keys.covers(payload, scan)
    assert not device_keys._verifies(spki(mine), payload, webcrypto_signature(other, payload))
    assert not device_keys.covers(payload, {**scan, "scanned_at": STARTS - timedelta(minutes=1)})
    assert not device_keys.covers(payload, {**scan, "device_id": "phone-2"})
    with pytest.raises(DomainError) as refused:
        device_keys._public_key(base64.b64encode(b"not a key").decode())
    assert refused.value.code == "DEVICE_KEY_INVALID"
