"""Every gateway setting, from PARTYDAY_* environment variables."""
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from partyday_common.settings import SERVICES


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTYDAY_", extra="ignore")

    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    rpc_timeout_s: float = Field(5.0, gt=0)
    readiness_timeout_s: float = Field(2.0, gt=0)
    broker_connect_timeout_s: float = Field(5.0, gt=0)
    broker_reconnect_max_s: float = Field(10.0, gt=0)
    dead_letter_poll_s: float = Field(15.0, gt=0)
    services: tuple[str, ...] = SERVICES
    max_json_bytes: int = Field(1_000_000, gt=0)
    public_url: str = "http://127.0.0.1:8000"


@lru_cache
def get_gateway_settings() -> GatewaySettings:
    return GatewaySettings()
