"""Settings shared by every process, read from environment variables once.

Every setting has a default that works for the embedded mode (`make run` on one
machine); production overrides them through the environment.
"""
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("directory", "plans", "attendance", "media", "scoring")

DEFAULT_METRICS_PORTS = {
    "directory": 9101,
    "plans": 9102,
    "attendance": 9103,
    "media": 9104,
    "scoring": 9105,
}

DEVELOPMENT_SECRET = "development-secret-change-me"
DEVELOPMENT_ADMIN_PHONE = "13800000000"
DEVELOPMENT_ADMIN_PASSWORD = "partyday-admin"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTYDAY_", extra="ignore")

    env: str = Field("development", description="development or production")
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    data_dir: Path = Path("var")
    rpc_timeout_s: float = Field(5.0, gt=0)
    event_max_attempts: int = Field(3, ge=1)
    event_retry_delay_ms: int = Field(1000, ge=0)
    outbox_poll_interval_s: float = Field(1.0, gt=0)
    outbox_batch_size: int = Field(100, ge=1)
    outbox_unroutable_give_up_s: float = Field(3600.0, gt=0)
    attendance_timer_interval_s: float = Field(30.0, gt=0, description="how often attendance closes activities")
    absence_flag_after: int = Field(3, ge=1, description="consecutive absences that flag a member")
    qr_keys: str | None = Field(None, description="QR signing keys 'id:secret,...', newest first")
    public_url: str = Field("http://127.0.0.1:8000", description="the address members' phones open")
    plans_timer_interval_s: float = Field(60.0, gt=0, description="how often plans checks deadlines")
    media_storage: str = Field("local", description="where media bytes live: local (a folder) or s3")
    media_dir: Path | None = Field(None, description="the local media folder; $PARTYDAY_DATA_DIR/media by default")
    media_s3_bucket: str = "partyday-media"
    media_s3_endpoint_url: str | None = Field(None, description="an S3-compatible server; AWS when unset")
    media_s3_region: str = "us-east-1"
    media_max_image_bytes: int = Field(10_000_000, gt=0)
    media_max_image_pixels: int = Field(40_000_000, gt=0)
    media_max_video_bytes: int = Field(200_000_000, gt=0)
    media_max_video_seconds: int = Field(1500, gt=0, description="a micro lesson lasts about 20 min or less")
    media_max_document_bytes: int = Field(20_000_000, gt=0)
    media_max_inflated_bytes: int = Field(100_000_000, gt=0, description="a PDF's compressed streams, inflated")
    media_branch_quota_bytes: int = Field(2_000_000_000, gt=0, description="stored media per branch")
    media_ingest_timeout_s: float = Field(60.0, gt=0, description="the gateway's wait for media to check an upload")
    scoring_weights: str = Field("70,10,10,5,5", description="weights of sign_in_rate, mobile_like_rate, "
                                 "upload_detail, comments, superior_score")
    scoring_grace_days: int = Field(10, ge=0, le=365, description="days after its month that a score still changes")
    scoring_time_zone: str = Field("Asia/Shanghai", description="the time zone in which a month ends for scores")
    comment_reports_to_hide: int = Field(3, ge=1, description="reports that hide a comment for moderation")
    votes_per_account_per_minute: int = Field(30, ge=1, description="vote attempts per voter per minute, counted "
                                              "by scoring for every gateway")
    votes_per_address_per_minute: int = Field(120, ge=1, description="vote attempts per client address per minute, "
                                              "counted by scoring for every gateway")
    cjk_font_path: Path = Field(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
                                description="a TrueType/TTC font with Chinese glyphs, for charts and PDFs")
    log_level: str = "INFO"
    log_format: str = Field("json", description="json or text")
    secret_key: str = DEVELOPMENT_SECRET
    admin_phone: str | None = None
    admin_password: str | None = None
    city_name: str = "汉中市委"
    city_code: str = "HZ"
    code_sender: str = Field("log", description="how one-time codes reach phones: log (development)")

    def model_post_init(self, _context) -> None:
        if self.env == "development":
            self.admin_phone = self.admin_phone or DEVELOPMENT_ADMIN_PHONE
            self.admin_password = self.admin_password or DEVELOPMENT_ADMIN_PASSWORD

    def database_url(self, service: str) -> str:
        """The service's own database: PARTYDAY_<SERVICE>_DATABASE_URL, else a SQLite file."""
        from os import environ

        explicit = environ.get(f"PARTYDAY_{service.upper()}_DATABASE_URL")
        if explicit:
            return explicit
        return f"sqlite:///{(self.data_dir / f'{service}.sqlite3').resolve()}"

    def metrics_port(self, service: str) -> int:
        """The port of the service's /metrics; PARTYDAY_<SERVICE>_METRICS_PORT, 0 disables."""
        from os import environ

        explicit = environ.get(f"PARTYDAY_{service.upper()}_METRICS_PORT")
        if explicit is not None:
            return int(explicit)
        return DEFAULT_METRICS_PORTS.get(service, 0)

    def media_folder(self) -> Path:
        return (self.media_dir or self.data_dir / "media").resolve()

    def qr_signing_keys(self) -> dict[str, str]:
        """QR keys by id, the signing one first; without PARTYDAY_QR_KEYS, one derived from the secret."""
        if not self.qr_keys:
            import hashlib

            return {"k0": hashlib.sha256(f"qr:{self.secret_key}".encode()).hexdigest()}
        pairs = [item.split(":", 1) for item in self.qr_keys.split(",") if item.strip()]
        return {key.strip(): secret.strip() for key, secret in pairs}

    def check_production_safety(self) -> None:
        """Refuse to run in production with a development secret."""
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise RuntimeError(
                "PARTYDAY_SECRET_KEY must be set to a real secret when PARTYDAY_ENV=production"
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise RuntimeError("PARTYDAY_SECRET_KEY must be at least 32 characters in production")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    settings.check_production_safety()
    return settings
