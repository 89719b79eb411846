"""The settings only quizzes reads (PARTYDAY_* variables)."""

from functools import lru_cache

from pydantic import Field

from partyday_common.settings import Settings


class QuizzesSettings(Settings):
    service = "quizzes"

    quizzes_grace_s: float = Field(
        30.0, ge=0, description="seconds after an attempt's deadline its answers are still taken (the network's delay)"
    )
    quizzes_max_import_rows: int = Field(2000, ge=1, description="questions one XLSX may hold")


@lru_cache
def get_settings() -> QuizzesSettings:
    settings = QuizzesSettings()
    settings.check_production_safety()
    return settings
