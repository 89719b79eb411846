"""The gateway's settings: the shared ones (the secret, logging, the object store) and those only the gateway reads,
from PARTYDAY_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from partyday_common.settings import SERVICES, Settings


class GatewaySettings(Settings):
    production_requires = (*Settings.production_requires, "media_storage")

    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    rpc_timeout_s: float = Field(5.0, gt=0)
    readiness_timeout_s: float = Field(2.0, gt=0)
    broker_connect_timeout_s: float = Field(5.0, gt=0)
    broker_reconnect_max_s: float = Field(10.0, gt=0)
    dead_letter_poll_s: float = Field(15.0, gt=0)
    services: tuple[str, ...] = SERVICES
    max_json_bytes: int = Field(1_000_000, gt=0)
    max_roster_bytes: int = Field(50_000_000, gt=0)
    max_upload_bytes: int = Field(
        200_000_000,
        gt=0,
        description="the largest file streamed to media (its largest kind's limit); media judges each kind's own limit",
    )
    media_ingest_timeout_s: float = Field(60.0, gt=0, description="the wait for media to check an upload")
    access_token_ttl_s: int = Field(900, gt=0, le=900, description="at most 15 minutes")
    refresh_token_ttl_s: int = Field(14 * 24 * 3600, gt=0)
    auth_cache_ttl_s: float = Field(10.0, ge=0, description="how long a session's roles are reused")
    gateway_metrics_port: int = Field(
        9100,
        ge=0,
        le=65535,
        description="the port of the gateway's Prometheus /metrics, apart from the public API so that a deployment "
        "keeps it private; 0 serves none",
    )
    header_timeout_s: float = Field(
        10.0, gt=0, description="a connection that does not finish a request's headers within this is closed"
    )
    cjk_font_path: Path = Field(
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        description="a TrueType/TTC font with Chinese glyphs, for charts and PDFs",
    )


@lru_cache
def get_gateway_settings() -> GatewaySettings:
    return GatewaySettings()
