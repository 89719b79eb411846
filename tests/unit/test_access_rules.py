"""The directory's login and password rules, as plain functions."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_common.errors import DomainError
from partyday_directory import access

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def test_an_address_tries_at_once_after_a_few_failures_then_waits_longer_each_time():
    assert access.login_delayed_until([ago(3), ago(2)], NOW) is None
    assert access.login_delayed_until([ago(3), ago(2), ago(1)], NOW) == ago(1) + timedelta(seconds=2)
    assert access.login_delayed_until([ago(4), ago(3), ago(2), ago(1)], NOW) == ago(1) + timedelta(seconds=4)
    assert access.login_delayed_until([ago(30), ago(20), ago(10)], NOW) is None, "the wait has passed"
    many = [ago(n) for n in range(1, 40)]
    assert access.login_delayed_until(many, NOW) == ago(1) + access.LOGIN_FAILURE_WINDOW, "at most the window"
    assert access.login_delayed_until([ago(1000), ago(999), ago(998)], NOW) is None, "out of the window"


def test_a_phone_failed_from_many_addresses_or_many_times_asks_for_a_second_factor():
    assert not access.second_factor_needed([("a", ago(5)), ("b", ago(4))], NOW)
    assert access.second_factor_needed([("a", ago(5)), ("b", ago(4)), ("c", ago(3))], NOW)
    assert not access.second_factor_needed([("a", ago(5)), ("b", ago(4)), ("c", ago(1000))], NOW)
    assert access.second_factor_needed([("a", ago(n)) for n in range(10)], NOW)


def test_an_address_counts_its_failures_within_a_minute():
    assert access.address_limited_until([ago(n) for n in range(29)], NOW, 30) is None
    assert access.address_limited_until([ago(n) for n in range(30)], NOW, 30) == ago(29) + timedelta(minutes=1)
    assert access.address_limited_until([ago(61)] * 50, NOW, 30) is None


@pytest.mark.parametrize(
    "password, code",
    [
        ("short1", "PASSWORD_TOO_SHORT"),
        ("x" * 129, "PASSWORD_TOO_LONG"),
        ("Password123", "PASSWORD_TOO_COMMON"),
        ("WOAINI1314", "PASSWORD_TOO_COMMON"),
        ("aaaaaaaaaa", "PASSWORD_TOO_COMMON"),
    ],
)
def test_a_chosen_password_is_long_enough_and_not_common(password, code):
    with pytest.raises(DomainError) as raised:
        access.check_new_password(password, 8)
    assert (raised.value.code, raised.value.status) == (code, 422)


def test_a_good_password_passes_unless_it_is_the_current_one():
    access.check_new_password("river-lantern-42", 8)
    with pytest.raises(DomainError) as raised:
        access.check_new_password("river-lantern-42", 8, old_hash_matches=True)
    assert raised.value.code == "PASSWORD_UNCHANGED"
