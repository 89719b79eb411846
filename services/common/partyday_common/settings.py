"""Settings shared by every process, read from environment variables once; each service's and the
gateway's own settings class extends `Settings` with the keys only it reads.

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
    media_storage: str = Field("local", description="where media bytes live: local (a folder) or s3")
    media_dir: Path | None = Field(None, description="the local media folder; $PARTYDAY_DATA_DIR/media by default")
    media_s3_bucket: str = "partyday-media"
    media_s3_endpoint_url: str | None = Field(None, description="an S3-compatible server; AWS when unset")
    media_s3_region: str = "us-east-1"
    log_level: str = "INFO"
    log_format: str = Field("json", description="json or text")
    secret_key: str = DEVELOPMENT_SECRET

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

    def check_production_safety(self) -> None:
        """Refuse to run in production with a development secret."""
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise RuntimeError("PARTYDAY_SECRET_KEY must be set to a real secret when PARTYDAY_ENV=production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise RuntimeError("PARTYDAY_SECRET_KEY must be at least 32 characters in production")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    settings.check_production_safety()
    return settings
