"""The directory's own settings."""

from partyday_directory.settings import DirectorySettings


def test_development_has_a_demo_admin_and_production_has_none():
    assert DirectorySettings().admin_phone == "13800000000"
    assert DirectorySettings(env="production", secret_key="s" * 40).admin_phone is None


def test_the_city_made_on_first_start_is_named_by_the_environment(monkeypatch):
    monkeypatch.setenv("PARTYDAY_CITY_NAME", "安康市委")
    monkeypatch.setenv("PARTYDAY_CITY_CODE", "AK")
    settings = DirectorySettings()
    assert (settings.city_name, settings.city_code, settings.code_sender) == ("安康市委", "AK", "log")
