"""The plans service's settings: the shared ones, and the keys only plans reads (PARTYDAY_PLANS_...)."""

from functools import lru_cache

from pydantic import Field

from partyday_common.settings import Settings


class PlansSettings(Settings):
    service = "plans"

    plans_timer_interval_s: float = Field(
        60.0, gt=0, description="how often plans checks deadlines, holds ended activities and archives"
    )


@lru_cache
def get_settings() -> PlansSettings:
    settings = PlansSettings()
    settings.check_production_safety()
    return settings
