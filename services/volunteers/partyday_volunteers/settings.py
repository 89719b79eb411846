"""The settings only volunteers reads (PARTYDAY_* variables)."""

from functools import lru_cache

from pydantic import Field

from partyday_common.settings import Settings


class VolunteersSettings(Settings):
    service = "volunteers"

    volunteers_accept_within_h: float = Field(
        24.0, gt=0, description="hours a branch has to take a resident's request in (accept or decline)"
    )
    volunteers_time_zone: str = Field("Asia/Shanghai", description="the months the counts per branch are made in")


@lru_cache
def get_settings() -> VolunteersSettings:
    settings = VolunteersSettings()
    settings.check_production_safety()
    return settings
