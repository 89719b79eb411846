"""The attendance service's settings: the shared ones, and the keys only attendance reads (its QR signing keys,
the address its codes open, how often it closes activities, how many absences flag a member)."""

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field

from partyday_common.settings import Settings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")
# Each signal alone flags a record, except a changed device (a new phone is the honest case) and the same
# position as another member (a venue whose fixes come from one Wi-Fi access point), which flag with another.
SIGNAL_WEIGHTS = {
    "shared_device": 1.0,
    "venue_coordinates": 1.0,
    "no_spread": 0.5,
    "stale_fix": 1.0,
    "zero_accuracy": 1.0,
    "impossible_move": 1.0,
    "device_changed": 0.4,
    "mocked_position": 1.0,
}


class AttendanceSettings(Settings):
    production_requires = (*Settings.production_requires, "public_url")
    service = "attendance"

    attendance_timer_interval_s: float = Field(30.0, gt=0, description="how often attendance closes activities")
    absence_flag_after: int = Field(3, ge=1, description="consecutive absences that flag a member")
    attendance_makeup_due_days: int = Field(
        14, ge=1, le=366, description="days after the close within which an absent member's make-up study is due"
    )
    qr_keys: str | None = Field(None, description="QR signing keys 'id:secret,...', newest first")
    public_url: str = Field("http://127.0.0.1:8000", description="the address members' phones open")
    signal_weights: dict[str, float] = Field(
        default_factory=lambda: dict(SIGNAL_WEIGHTS), description="each integrity signal's weight (JSON object)"
    )
    flag_threshold: float = Field(1.0, gt=0, description="a record whose signals weigh this much is flagged")
    stale_fix_after_s: float = Field(900.0, gt=0, description="a position fixed this far from its scan is stale")
    assess_interval_s: float = Field(5.0, gt=0, description="how often accepted scans are weighed for signals")
    max_speed_kmh: float = Field(200.0, gt=0, description="faster between a member's two scans is impossible")

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
