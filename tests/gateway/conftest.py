"""The gateway application with its services faked (see fakes.py)."""

import pytest
from fastapi.testclient import TestClient

from partyday_gateway.app import create_app
from partyday_gateway.auth import AuthContextCache
from partyday_gateway.settings import GatewaySettings
from tests.gateway.fakes import FakeRpc

# Nothing listens there: the application starts without a broker and every call goes to the fake.
NO_BROKER = "amqp://guest:guest@127.0.0.1:1/"


@pytest.fixture
def gateway_settings() -> GatewaySettings:
    """The settings the gateway starts with; a test module overrides this fixture for others."""
    return GatewaySettings(amqp_uri=NO_BROKER)


@pytest.fixture
def gateway(gateway_settings):
    """A client of the gateway, logged in as member m1 of session s1 (`token(kind)` issues another).

    `gateway.use(fake)` puts a `FakeRpc` in front of the services, and forgets the callers and paths known so far,
    so that the next request asks the fake; `gateway.fake` is the one in use."""
    app = create_app(gateway_settings)
    with TestClient(app, raise_server_exceptions=False) as client:

        def use(fake: FakeRpc) -> FakeRpc:
            app.state.rpc = client.fake = fake
            app.state.authz.org_paths.rpc = fake
            app.state.authz.org_paths.forget()
            app.state.auth_cache = AuthContextCache(0)
            return fake

        def token(kind: str = "member") -> str:
            return app.state.tokens.issue("m1", "s1", "r1", kind)["access_token"]

        client.use = use
        client.token = token
        client.app_state = app.state
        client.headers["Authorization"] = f"Bearer {token()}"
        use(FakeRpc())
        yield client
