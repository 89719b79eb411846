"""The directory's settings: the shared ones and those only the directory reads (PARTYDAY_* variables)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD, DEVELOPMENT_ADMIN_PHONE, Settings

ADMIN_PASSWORD_MIN_LENGTH = 12


class DirectorySettings(Settings):
    production_requires = (*Settings.production_requires, "media_storage", "admin_phone", "admin_password")
    service = "directory"

    admin_phone: str | None = Field(None, description="the city admin made on first start; development has one")
    admin_password: str | None = None
    city_name: str = Field("汉中市委", description="the name of the root node made on first start")
    city_code: str = "HZ"
    code_sender: Literal["log", "sms"] = Field(
        "log", description="how one-time codes reach phones: log (development) or sms (PARTYDAY_SMS_WEBHOOK_URL)"
    )
    login_failures_per_address_per_minute: int = Field(
        30,
        ge=1,
        description="failed logins (and one-time codes asked for) from one client address within a minute before "
        "it waits; successful logins do not count, so a venue's members log in together behind one address",
    )
    password_min_length: int = Field(8, ge=8, le=64, description="the shortest password a member may choose")

    def production_problems(self) -> list[str]:
        """The shared ones, and a first admin whose password is neither the development one everybody knows nor
        a placeholder short enough to guess."""
        problems = super().production_problems()
        if self.admin_password == DEVELOPMENT_ADMIN_PASSWORD:
            problems.append("PARTYDAY_ADMIN_PASSWORD must not be the development password in production")
        elif self.admin_password is not None and len(self.admin_password) < ADMIN_PASSWORD_MIN_LENGTH:
            problems.append(
                f"PARTYDAY_ADMIN_PASSWORD must be at least {ADMIN_PASSWORD_MIN_LENGTH} characters in production"
            )
        return problems

    def model_post_init(self, context) -> None:
        super().model_post_init(context)
        if self.env == "development":
            self.admin_phone = self.admin_phone or DEVELOPMENT_ADMIN_PHONE
            self.admin_password = self.admin_password or DEVELOPMENT_ADMIN_PASSWORD


@lru_cache
def get_settings() -> DirectorySettings:
    settings = DirectorySettings()
    settings.check_production_safety()
    return settings
