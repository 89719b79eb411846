"""The attendance service's settings: the shared ones, and the keys only attendance reads (its QR signing keys,
the address its codes open, how often it closes activities, how many absences flag a member)."""

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field

from partyday_common.settings import Settings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


class AttendanceSettings(Settings):
    production_requires = (*Settings.production_requires, "public_url")
    service = "attendance"

    attendance_timer_interval_s: float = Field(30.0, gt=0, description="how often attendance closes activities")
    absence_flag_after: int = Field(3, ge=1, description="consecutive absences that flag a member")
    qr_keys: str | None = Field(None, description="QR signing keys 'id:secret,...', newest first")
    public_url: str = Field("http://127.0.0.1:8000", description="the address members' phones open")

    def production_problems(self) -> list[str]:
        """The shared ones, and a public address that phones can open: a printed code holds it."""
        problems = super().production_problems()
        if urlsplit(self.public_url).hostname in LOOPBACK_HOSTS:
            problems.append("PARTYDAY_PUBLIC_URL must be the address members' phones open, not this machine's")
        return problems

    def qr_signing_keys(self) -> dict[str, str]:
        """QR keys by id, the signing one first; without PARTYDAY_QR_KEYS, one derived from the secret."""
        if not self.qr_keys:
            return {"k0": hashlib.sha256(f"qr:{self.secret_key}".encode()).hexdigest()}
        pairs = [item.split(":", 1) for item in self.qr_keys.split(",") if item.strip()]
        return {key.strip(): secret.strip() for key, secret in pairs}


@lru_cache
def get_settings() -> AttendanceSettings:
    settings = AttendanceSettings()
    settings.check_production_safety()
    return settings
