"""Production refuses to start on a default that suits one machine only: each process's settings class names what it
needs (`production_variables()`), and `check_production_safety()` refuses a process that lacks any of it."""

import os

import pytest

from partyday_attendance.settings import AttendanceSettings
from partyday_common.settings import Settings
from partyday_directory.settings import DirectorySettings
from partyday_gateway.settings import GatewaySettings
from partyday_media.settings import MediaSettings
from partyday_plans.settings import PlansSettings
from partyday_scoring.settings import ScoringSettings

COMPLETE = {
    "PARTYDAY_ENV": "production",
    "PARTYDAY_SECRET_KEY": "a production secret of well over thirty-two characters",
    "PARTYDAY_AMQP_URI": "amqp://partyday:secret@rabbitmq:5672/",
    "PARTYDAY_MEDIA_STORAGE": "s3",
    "PARTYDAY_PUBLIC_URL": "https://partyday.example.gov.cn",
    "PARTYDAY_ADMIN_PHONE": "13900000000",
    "PARTYDAY_ADMIN_PASSWORD": "a long first password",
}
CLASSES = [
    Settings,
    GatewaySettings,
    DirectorySettings,
    PlansSettings,
    AttendanceSettings,
    MediaSettings,
    ScoringSettings,
]


@pytest.fixture
def environment(monkeypatch):
    """Only the PARTYDAY_ variables a test sets."""
    for key in list(os.environ):
        if key.startswith("PARTYDAY_"):
            monkeypatch.delenv(key)

    def use(values: dict[str, str]) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return use


def complete_for(settings_class) -> dict[str, str]:
    values = dict(COMPLETE)
    if settings_class.service:
        values[f"PARTYDAY_{settings_class.service.upper()}_DATABASE_URL"] = (
            f"postgresql+psycopg2://db/{settings_class.service}"
        )
    return values


@pytest.mark.parametrize("settings_class", CLASSES, ids=lambda c: c.__name__)
def test_production_starts_with_every_variable_and_refuses_without_any_one(environment, monkeypatch, settings_class):
    values = complete_for(settings_class)
    environment(values)
    settings = settings_class()
    settings.check_production_safety()
    assert set(settings.production_variables()) <= set(values)
    assert {"PARTYDAY_SECRET_KEY", "PARTYDAY_AMQP_URI"} <= set(settings.production_variables())
    for name in settings.production_variables():
        with monkeypatch.context() as without:
            without.delenv(name)
            with pytest.raises(RuntimeError, match=name):
                settings_class().check_production_safety()
    monkeypatch.setenv("PARTYDAY_ENV", "development")
    for name in settings.production_variables():
        monkeypatch.delenv(name, raising=False)
    settings_class().check_production_safety()


def test_what_each_process_needs_beyond_the_shared_keys(environment):
    environment({"PARTYDAY_MEDIA_STORAGE": "s3"})
    extra = {c.__name__: set(c().production_variables()) - set(Settings().production_variables()) for c in CLASSES}
    assert extra == {
        "Settings": set(),
        "GatewaySettings": {"PARTYDAY_MEDIA_STORAGE"},
        "DirectorySettings": {
            "PARTYDAY_DIRECTORY_DATABASE_URL",
            "PARTYDAY_MEDIA_STORAGE",
            "PARTYDAY_ADMIN_PHONE",
            "PARTYDAY_ADMIN_PASSWORD",
        },
        "PlansSettings": {"PARTYDAY_PLANS_DATABASE_URL"},
        "AttendanceSettings": {"PARTYDAY_ATTENDANCE_DATABASE_URL", "PARTYDAY_PUBLIC_URL"},
        "MediaSettings": {"PARTYDAY_MEDIA_DATABASE_URL", "PARTYDAY_MEDIA_STORAGE"},
        "ScoringSettings": {"PARTYDAY_SCORING_DATABASE_URL"},
    }


def test_media_in_a_folder_needs_a_folder_every_process_shares(environment):
    environment({**complete_for(MediaSettings), "PARTYDAY_MEDIA_STORAGE": "local"})
    with pytest.raises(RuntimeError, match="PARTYDAY_MEDIA_DIR"):
        MediaSettings().check_production_safety()
    environment({"PARTYDAY_MEDIA_DIR": "/srv/partyday-media"})
    MediaSettings().check_production_safety()


def test_production_opens_no_sqlite_database(environment):
    environment(complete_for(PlansSettings))
    assert PlansSettings().database_url("plans") == "postgresql+psycopg2://db/plans"
    with pytest.raises(RuntimeError, match="PARTYDAY_SCORING_DATABASE_URL"):
        Settings().database_url("scoring")
    environment({"PARTYDAY_PLANS_DATABASE_URL": "sqlite:////data/plans.sqlite3"})
    with pytest.raises(RuntimeError, match="not SQLite"):
        PlansSettings().check_production_safety()


def test_printed_codes_never_point_at_this_machine(environment):
    environment({**complete_for(AttendanceSettings), "PARTYDAY_PUBLIC_URL": "http://127.0.0.1:8000"})
    with pytest.raises(RuntimeError, match="PARTYDAY_PUBLIC_URL"):
        AttendanceSettings().check_production_safety()


@pytest.mark.parametrize("password", ["partyday-admin", "change-me"])
def test_the_first_admin_has_neither_the_development_password_nor_a_short_one(environment, password):
    environment({**complete_for(DirectorySettings), "PARTYDAY_ADMIN_PASSWORD": password})
    with pytest.raises(RuntimeError, match="PARTYDAY_ADMIN_PASSWORD"):
        DirectorySettings().check_production_safety()
