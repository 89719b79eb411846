"""Attendance's own settings, read from the same environment variables as before they moved."""

from partyday_attendance.settings import AttendanceSettings


def test_qr_keys_come_in_their_order_the_first_signing(monkeypatch):
    monkeypatch.setenv("PARTYDAY_QR_KEYS", " new:second-secret , old:first-secret,")
    assert list(AttendanceSettings().qr_signing_keys().items()) == [("new", "second-secret"), ("old", "first-secret")]


def test_without_qr_keys_one_is_derived_from_the_secret():
    keys = AttendanceSettings(secret_key="one secret").qr_signing_keys()
    assert list(keys) == ["k0"] and keys != AttendanceSettings(secret_key="another secret").qr_signing_keys()


def test_the_timer_threshold_and_address_are_named_by_the_environment(monkeypatch):
    monkeypatch.setenv("PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S", "1")
    monkeypatch.setenv("PARTYDAY_ABSENCE_FLAG_AFTER", "5")
    monkeypatch.setenv("PARTYDAY_PUBLIC_URL", "https://partyday.example")
    settings = AttendanceSettings()
    assert (settings.attendance_timer_interval_s, settings.absence_flag_after, settings.public_url) == (
        1.0,
        5,
        "https://partyday.example",
    )
