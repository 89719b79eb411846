"""Settings shared by every process, read from environment variables once; each service's and the
gateway's own settings class extends `Settings` with the keys only it reads.

Every setting has a default that works for the embedded mode (`make run` on one
machine); production overrides them through the environment.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("directory", "plans", "attendance", "media", "scoring", "notifications", "volunteers", "quizzes")

DEFAULT_METRICS_PORTS = {
    "directory": 9101,
    "plans": 9102,
    "attendance": 9103,
    "media": 9104,
    "scoring": 9105,
    "notifications": 9106,
    "volunteers": 9107,
    "quizzes": 9108,
}

DEVELOPMENT_SECRET = "development-secret-change-me"
DEVELOPMENT_ADMIN_PHONE = "13800000000"
DEVELOPMENT_ADMIN_PASSWORD = "partyday-admin"


def database_url_variable(service: str) -> str:
    """The environment variable naming a service's database."""
    return f"PARTYDAY_{service.upper()}_DATABASE_URL"


class Settings(BaseSettings):
    """The keys every process reads. A subclass names what its process needs in production beyond the defaults:
    `production_requires` (keys whose defaults suit one machine only) and `service` (whose database it opens)."""

    model_config = SettingsConfigDict(env_prefix="PARTYDAY_", extra="ignore")
    production_requires: ClassVar[tuple[str, ...]] = ("secret_key", "amqp_uri")
    service: ClassVar[str | None] = None

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
    sms_webhook_url: str | None = Field(None, description="the SMS gateway's URL; unset writes messages to the log")
    sms_webhook_secret: str = Field("", description="the shared secret that signs each request to the SMS gateway")
    sms_webhook_timeout_s: float = Field(5.0, gt=0)

    def database_url(self, service: str) -> str:
        """The service's own database: PARTYDAY_<SERVICE>_DATABASE_URL, else (not in production) a SQLite file."""
        explicit = os.environ.get(database_url_variable(service))
        if explicit:
            return explicit
        if self.env == "production":
            raise RuntimeError(f"{database_url_variable(service)} must name the {service} database in production")
        return f"sqlite:///{(self.data_dir / f'{service}.sqlite3').resolve()}"

    def metrics_port(self, service: str) -> int:
        """The port of the service's /metrics; PARTYDAY_<SERVICE>_METRICS_PORT, 0 disables."""
        explicit = os.environ.get(f"PARTYDAY_{service.upper()}_METRICS_PORT")
        if explicit is not None:
            return int(explicit)
        return DEFAULT_METRICS_PORTS.get(service, 0)

    def media_folder(self) -> Path:
        return (self.media_dir or self.data_dir / "media").resolve()

    def production_variables(self) -> list[str]:
        """The environment variables this process must be given in production."""
        names = [f"PARTYDAY_{key.upper()}" for key in self.production_requires]
        if self.service:
            names.append(database_url_variable(self.service))
        if "media_storage" in self.production_requires and self.media_storage == "local":
            names.append("PARTYDAY_MEDIA_DIR")
        return names

    def production_problems(self) -> list[str]:
        """Why this process may not run in production as configured; empty when it may."""
        given = {f"PARTYDAY_{key.upper()}" for key in self.model_fields_set} | set(os.environ)
        problems = [f"{name} must be set" for name in self.production_variables() if name not in given]
        if self.secret_key == DEVELOPMENT_SECRET:
            problems.append("PARTYDAY_SECRET_KEY must be set to a real secret when PARTYDAY_ENV=production")
        elif len(self.secret_key) < 32:
            problems.append("PARTYDAY_SECRET_KEY must be at least 32 characters in production")
        if self.service and os.environ.get(database_url_variable(self.service), "").startswith("sqlite"):
            problems.append(f"{database_url_variable(self.service)} must name a shared database server, not SQLite")
        return problems

    def check_production_safety(self) -> None:
        """Refuse to run in production with a development secret or a default that suits one machine only: the
        keys of `production_variables()` must be set (media in a folder needs PARTYDAY_MEDIA_DIR, one every
        process shares; `s3` needs no folder)."""
        if self.env == "production" and (problems := self.production_problems()):
            raise RuntimeError("partyday will not start in production: " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    settings.check_production_safety()
    return settings
