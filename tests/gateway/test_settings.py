"""The gateway reads its own settings class: the keys only it reads and the shared ones, from PARTYDAY_*."""

import jwt
import pytest
from fastapi.testclient import TestClient

from partyday_common.settings import DEVELOPMENT_SECRET
from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings
from tests.gateway.conftest import NO_BROKER


def test_the_gateways_keys_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PARTYDAY_CJK_FONT_PATH", "/fonts/cjk.ttc")
    monkeypatch.setenv("PARTYDAY_MEDIA_INGEST_TIMEOUT_S", "90")
    monkeypatch.setenv("PARTYDAY_LOG_FORMAT", "text")
    settings = GatewaySettings()
    assert (
        str(settings.cjk_font_path),
        settings.media_ingest_timeout_s,
        settings.log_format,
    ) == ("/fonts/cjk.ttc", 90.0, "text")
    assert GatewaySettings(access_token_ttl_s=900).access_token_ttl_s == 900
    with pytest.raises(ValueError):
        GatewaySettings(access_token_ttl_s=901)


def test_tokens_are_signed_with_the_gateways_secret():
    secret = "a gateway secret of thirty-two characters or more"
    app = create_app(GatewaySettings(amqp_uri=NO_BROKER, secret_key=secret))
    with TestClient(app):
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
    assert jwt.decode(token, secret, algorithms=["HS256"], audience="partyday-api")["sub"] == "m1"


def test_in_production_the_gateway_refuses_to_start_with_the_development_secret():
    app = create_app(GatewaySettings(amqp_uri=NO_BROKER, env="production", secret_key=DEVELOPMENT_SECRET))
    with pytest.raises(RuntimeError, match="PARTYDAY_SECRET_KEY"):
        with TestClient(app):
            pass
