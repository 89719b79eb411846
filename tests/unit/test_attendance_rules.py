"""The attendance rules and QR tokens, each checked at its boundary (pure functions: no database, no network)."""

import math
from datetime import datetime, timedelta, timezone

import pytest

from partyday_attendance import tokens
from partyday_attendance.rules import (
    check_offline,
    check_position,
    check_reflection,
    check_sign_in_time,
    check_sign_out_time,
    closing_status,
    distance_m,
    screen_state,
    windows,
)
from partyday_common.errors import DomainError

CST = timezone(timedelta(hours=8))
METRES_PER_DEGREE_LAT = 111_194.9

VENUE_LAT, VENUE_LON = 33.0700, 107.0300
RADIUS_M = 300.0


def _raises(code, fn, *args):
    with pytest.raises(DomainError) as raised:
        fn(*args)
    assert raised.value.code == code
    assert raised.value.status == 422
    return raised.value


def _north_of_venue(metres: float) -> tuple[float, float]:
    """A point `metres` north of the venue along its meridian (checked against distance_m)."""
    point = (VENUE_LAT + metres / METRES_PER_DEGREE_LAT, VENUE_LON)
    assert distance_m(VENUE_LAT, VENUE_LON, *point) == pytest.approx(metres, abs=0.05)
    return point


def _position(metres: float, accuracy_m: float) -> float:
    return check_position(VENUE_LAT, VENUE_LON, RADIUS_M, *_north_of_venue(metres), accuracy_m)


# --- distance ---------------------------------------------------------------------------------------------------


def test_one_degree_of_latitude_is_about_111_195_metres():
    assert distance_m(33.0, 107.0, 34.0, 107.0) == pytest.approx(111_195, abs=10)


def test_distance_across_longitudes_shrinks_with_latitude():
    expected = METRES_PER_DEGREE_LAT * 0.01 * math.cos(math.radians(33.0))  # ≈ 932.6 m along the parallel
    assert distance_m(33.0, 107.0, 33.0, 107.01) == pytest.approx(expected, abs=0.5)


def test_distance_is_zero_at_the_same_point_and_symmetric():
    assert distance_m(VENUE_LAT, VENUE_LON, VENUE_LAT, VENUE_LON) == 0
    there = (33.08, 107.05)
    assert distance_m(VENUE_LAT, VENUE_LON, *there) == pytest.approx(distance_m(*there, VENUE_LAT, VENUE_LON))


# --- geofence ---------------------------------------------------------------------------------------------------


def test_one_metre_inside_the_fence_plus_accuracy_is_accepted():
    assert _position(309, accuracy_m=10) == pytest.approx(309, abs=0.05)


def test_one_metre_outside_the_fence_plus_accuracy_is_refused_with_details():
    error = _raises("GEOFENCE_OUTSIDE", _position, 311, 10)
    assert error.details["distance_m"] == pytest.approx(311, abs=0.1)
    assert error.details["allowed_m"] == 310


def test_accuracy_allowance_is_capped_at_50_metres():
    assert _position(349, accuracy_m=80) == pytest.approx(349, abs=0.05)
    error = _raises("GEOFENCE_OUTSIDE", _position, 351, 80)
    assert error.details["allowed_m"] == 350


def test_accuracy_of_exactly_100_metres_is_accepted():
    assert check_position(VENUE_LAT, VENUE_LON, RADIUS_M, VENUE_LAT, VENUE_LON, 100.0) == 0


def test_accuracy_worse_than_100_metres_is_refused_even_at_the_venue():
    error = _raises(
        "LOCATION_TOO_INACCURATE", check_position, VENUE_LAT, VENUE_LON, RADIUS_M, VENUE_LAT, VENUE_LON, 100.01
    )
    assert error.details["accuracy_m"] == 100.01


def test_inaccurate_fix_is_refused_before_the_fence_is_checked():
    far_away = _north_of_venue(5_000)
    _raises("LOCATION_TOO_INACCURATE", check_position, VENUE_LAT, VENUE_LON, RADIUS_M, *far_away, 100.01)


# --- time windows -----------------------------------------------------------------------------------------------

STARTS = datetime(2026, 12, 7, 9, 0, tzinfo=CST)
ENDS = datetime(2026, 12, 7, 11, 0, tzinfo=CST)
DEFAULT_RULES = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60}
NO_SLACK = {"opens_before_min": 0, "grace_min": 0, "sign_out_window_min": 0}


def _at(hour, minute, second=0):
    return datetime(2026, 12, 7, hour, minute, second, tzinfo=CST)


def test_windows_are_derived_from_the_schedule_and_rules():
    w = windows(STARTS, ENDS, DEFAULT_RULES)
    assert (w.sign_in_opens, w.sign_in_closes) == (_at(8, 30), _at(9, 15))
    assert (w.sign_out_opens, w.sign_out_closes) == (_at(11, 0), _at(12, 0))


def test_sign_in_one_second_before_the_window_opens_is_refused():
    _raises("WINDOW_NOT_OPEN", check_sign_in_time, _at(8, 29, 59), windows(STARTS, ENDS, DEFAULT_RULES))


@pytest.mark.parametrize("at", [_at(8, 30), _at(9, 0), _at(9, 15)], ids=["opens", "start", "closes"])
def test_sign_in_within_the_window_inclusive_is_accepted(at):
    check_sign_in_time(at, windows(STARTS, ENDS, DEFAULT_RULES))


def test_sign_in_one_second_after_the_grace_period_is_refused():
    _raises("WINDOW_CLOSED", check_sign_in_time, _at(9, 15, 1), windows(STARTS, ENDS, DEFAULT_RULES))


def test_sign_in_of_an_activity_shorter_than_its_grace_closes_at_its_end():
    w = windows(STARTS, _at(9, 10), DEFAULT_RULES)
    assert w.sign_in_closes == _at(9, 10)
    check_sign_in_time(_at(9, 10), w)
    _raises("WINDOW_CLOSED", check_sign_in_time, _at(9, 10, 1), w)


def test_sign_out_one_second_before_the_end_is_too_early():
    _raises("TOO_EARLY", check_sign_out_time, _at(10, 59, 59), windows(STARTS, ENDS, DEFAULT_RULES))


@pytest.mark.parametrize("at", [_at(11, 0), _at(12, 0)], ids=["opens", "closes"])
def test_sign_out_within_the_window_inclusive_is_accepted(at):
    check_sign_out_time(at, windows(STARTS, ENDS, DEFAULT_RULES))


def test_sign_out_one_second_after_the_window_is_refused():
    _raises("WINDOW_CLOSED", check_sign_out_time, _at(12, 0, 1), windows(STARTS, ENDS, DEFAULT_RULES))


def test_windows_compare_instants_not_wall_clocks():
    w = windows(STARTS, ENDS, DEFAULT_RULES)
    check_sign_in_time(datetime(2026, 12, 7, 0, 30, tzinfo=timezone.utc), w)  # 08:30 in UTC+8
    _raises("WINDOW_NOT_OPEN", check_sign_in_time, datetime(2026, 12, 7, 0, 29, 59, tzinfo=timezone.utc), w)


def test_zero_slack_sign_in_is_only_at_the_start():
    w = windows(STARTS, ENDS, NO_SLACK)
    check_sign_in_time(_at(9, 0), w)
    _raises("WINDOW_NOT_OPEN", check_sign_in_time, _at(8, 59, 59), w)
    _raises("WINDOW_CLOSED", check_sign_in_time, _at(9, 0, 1), w)


def test_zero_slack_sign_out_is_only_at_the_end():
    w = windows(STARTS, ENDS, NO_SLACK)
    check_sign_out_time(_at(11, 0), w)
    _raises("TOO_EARLY", check_sign_out_time, _at(10, 59, 59), w)
    _raises("WINDOW_CLOSED", check_sign_out_time, _at(11, 0, 1), w)


# --- reflection -------------------------------------------------------------------------------------------------

TEN_CHINESE = "认真学习党章党规心得"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "          ",
        "a" * 9,
        "  " + "a" * 9 + "   ",
        "\n" + TEN_CHINESE[:9] + "\t",
        "\u200b" * 10,
        TEN_CHINESE[:9] + "\u200b\u200d\ufeff\u2060",
        "\u3000" * 10 + "a",
    ],
    ids=[
        "none",
        "empty",
        "blank",
        "nine",
        "nine-padded",
        "nine-chinese-padded",
        "zero-width",
        "nine-and-zero-width",
        "wide-spaces",
    ],
)
def test_reflection_of_fewer_than_ten_visible_characters_is_refused(text):
    error = _raises("REFLECTION_REQUIRED", check_reflection, text)
    assert error.details["min_length"] == 10


def test_reflection_of_ten_chinese_characters_is_accepted():
    assert len(TEN_CHINESE) == 10
    assert check_reflection(TEN_CHINESE) == TEN_CHINESE


def test_accepted_reflection_is_returned_stripped():
    assert check_reflection("  \n" + TEN_CHINESE + " \t") == TEN_CHINESE


# --- offline scans ----------------------------------------------------------------------------------------------

CLOSES = _at(12, 0)


@pytest.mark.parametrize(
    "scanned_at, now",
    [
        (_at(9, 2), _at(9, 0)),
        (_at(9, 0), CLOSES + timedelta(hours=48)),
    ],
    ids=["two-minutes-ahead", "48-hours-after-the-close"],
)
def test_an_offline_scan_at_the_limits_is_judged(scanned_at, now):
    check_offline(CLOSES, scanned_at, now)


def test_an_offline_scan_claiming_a_time_beyond_the_clock_skew_is_refused():
    _raises("SCAN_IN_FUTURE", check_offline, CLOSES, _at(9, 2, 1), _at(9, 0))


def test_an_offline_scan_sent_more_than_48_hours_after_the_close_is_refused():
    _raises("BATCH_TOO_LATE", check_offline, CLOSES, _at(9, 0), CLOSES + timedelta(hours=48, seconds=1))


# --- closing status ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signed_in, signed_out, excused, status",
    [
        (True, True, False, "signed_out"),
        (True, True, True, "signed_out"),
        (True, False, False, "no_sign_out"),
        (True, False, True, "no_sign_out"),
        (False, False, True, "excused"),
        (False, False, False, "absent"),
    ],
)
def test_closing_status(signed_in, signed_out, excused, status):
    assert closing_status(signed_in, signed_out, excused) == status


# --- tokens -----------------------------------------------------------------------------------------------------

KEYS = {"k1": "first-secret"}
ROTATED = {"k2": "second-secret", "k1": "first-secret"}
ACTIVITY = "act-0001"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=CST)  # a whole minute: the start of a 30 s step
EXPIRES = NOW + timedelta(hours=2)
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _invalid(token, activity=ACTIVITY, keys=KEYS, now=NOW):
    _raises("TOKEN_INVALID", tokens.verify, token, activity, keys, now)


def _expired(token, activity=ACTIVITY, keys=KEYS, now=NOW):
    _raises("TOKEN_EXPIRED", tokens.verify, token, activity, keys, now)


def _with_char_changed(text: str, index: int) -> str:
    """`text` with one base64url character replaced by its neighbour (the smallest possible change)."""
    changed = B64_ALPHABET[B64_ALPHABET.index(text[index]) ^ 1]
    return text[:index] + changed + text[index + 1 :]


def test_signed_token_verifies_with_its_claims():
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    claims = tokens.verify(token, ACTIVITY, KEYS, NOW)
    assert claims.activity_id == ACTIVITY
    assert claims.key_id == "k1"
    assert claims.expires_at == EXPIRES
    assert claims.expires_at.tzinfo is not None
    assert claims.step is None
    assert len(claims.token_id) == 32


def test_token_id_is_stable_for_a_token_and_differs_between_tokens():
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    other = tokens.sign(ACTIVITY, KEYS, EXPIRES + timedelta(seconds=1))
    first = tokens.verify(token, ACTIVITY, KEYS, NOW).token_id
    assert tokens.verify(token, ACTIVITY, KEYS, NOW + timedelta(minutes=5)).token_id == first
    assert tokens.verify(other, ACTIVITY, KEYS, NOW).token_id != first


def test_token_for_another_activity_is_invalid():
    _invalid(tokens.sign(ACTIVITY, KEYS, EXPIRES), activity="act-0002")


@pytest.mark.parametrize("part", [0, 1], ids=["body", "signature"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_token_with_one_character_changed_is_invalid(part, where):
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    pieces = token.split(".")
    index = {"first": 0, "middle": len(pieces[part]) // 2, "last": len(pieces[part]) - 1}[where]
    pieces[part] = _with_char_changed(pieces[part], index)
    _invalid(".".join(pieces))


def test_signature_cannot_be_re_encoded_into_a_new_token_id():
    """Padding after the signature decodes to the same MAC; accepting it would mint a second token_id."""
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    _invalid(token + "=")
    _invalid(token + "==")


def test_token_signed_with_an_unknown_key_is_invalid():
    _invalid(tokens.sign(ACTIVITY, {"k9": "unknown-secret"}, EXPIRES))


def test_token_signed_with_a_different_secret_under_a_known_key_id_is_invalid():
    _invalid(tokens.sign(ACTIVITY, {"k1": "forged-secret"}, EXPIRES))


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "a.b", ".", "..", "!!!.@@@", "é.ü", "%%%%.????", "eyJhIjoxfQ", "eyJhIjoxfQ."]
)
def test_garbage_strings_are_invalid(garbage):
    _invalid(garbage)


def _forged(raw_claims: bytes) -> str:
    """A well-formed token whose body is `raw_claims` and whose signature is someone else's."""
    return tokens._b64(raw_claims) + "." + tokens.sign(ACTIVITY, KEYS, EXPIRES).split(".")[1]


@pytest.mark.parametrize(
    "raw_claims",
    [
        b"not json",
        b"[1, 2, 3]",
        b'"a string"',
        b"42",
        b"{}",
        b'{"a": "act-0001", "k": ["k1"], "e": 1}',
        b'{"a": "act-0001", "k": "k1", "e": "soon"}',
        b'{"a": "act-0001", "k": "k1", "e": Infinity}',
        b'{"a": "act-0001", "k": "k1", "e": 1e999}',
        b"[" * 5000,
    ],
    ids=[
        "text",
        "list",
        "string",
        "number",
        "empty",
        "unhashable-key-id",
        "text-expiry",
        "infinite-expiry",
        "overflowing-expiry",
        "deeply-nested",
    ],
)
def test_forged_bodies_are_invalid_never_another_exception(raw_claims):
    _invalid(_forged(raw_claims))


def test_token_is_valid_at_its_expiry_instant():
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    assert tokens.verify(token, ACTIVITY, KEYS, EXPIRES).expires_at == EXPIRES


def test_token_one_second_after_expiry_is_expired():
    _expired(tokens.sign(ACTIVITY, KEYS, EXPIRES), now=EXPIRES + timedelta(seconds=1))


def test_token_signed_before_rotation_still_verifies_after_it():
    old = tokens.sign(ACTIVITY, KEYS, EXPIRES)
    assert tokens.verify(old, ACTIVITY, ROTATED, NOW).key_id == "k1"


def test_new_tokens_after_rotation_use_the_first_key():
    new = tokens.sign(ACTIVITY, ROTATED, EXPIRES)
    assert tokens.verify(new, ACTIVITY, ROTATED, NOW).key_id == "k2"
    _invalid(new, keys=KEYS)


def test_step_of_counts_30_second_steps():
    assert tokens.step_of(NOW + timedelta(seconds=30)) == tokens.step_of(NOW) + 1
    assert tokens.step_of(NOW + timedelta(seconds=29)) == tokens.step_of(NOW)


@pytest.mark.parametrize("later", [0, 29, 30, 59], ids=["current", "current-end", "previous", "previous-end"])
def test_rotating_token_verifies_in_its_step_and_the_next(later):
    step = tokens.step_of(NOW)
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES, step=step)
    assert tokens.verify(token, ACTIVITY, KEYS, NOW + timedelta(seconds=later)).step == step


def test_rotating_token_two_steps_old_is_expired():
    token = tokens.sign(ACTIVITY, KEYS, EXPIRES, step=tokens.step_of(NOW))
    _expired(token, now=NOW + timedelta(seconds=60))


def test_rotating_token_from_a_future_step_is_expired():
    _expired(tokens.sign(ACTIVITY, KEYS, EXPIRES, step=tokens.step_of(NOW) + 1))


@pytest.mark.parametrize(
    ("at", "closed", "state", "until"),
    [
        ("08:29:59", False, "not_open", "08:30"),
        ("08:30:00", False, "sign_in", "09:15"),
        ("09:15:00", False, "sign_in", "09:15"),
        ("09:15:01", False, "not_open", "11:00"),
        ("11:00:00", False, "sign_out", "12:00"),
        ("12:00:01", False, "closed", None),
        ("08:45:00", True, "closed", None),
    ],
)
def test_a_venue_screen_shows_the_open_window_until_it_closes_and_otherwise_when_the_next_opens(
    at, closed, state, until
):
    day = "2026-12-07T"
    window = windows(
        datetime.fromisoformat(f"{day}09:00+08:00"),
        datetime.fromisoformat(f"{day}11:00+08:00"),
        {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60},
    )
    shown, shown_until = screen_state(datetime.fromisoformat(f"{day}{at}+08:00"), window, closed)
    assert shown == state
    assert shown_until == (datetime.fromisoformat(f"{day}{until}+08:00") if until else None)
