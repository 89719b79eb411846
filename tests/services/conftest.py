import os

os.environ.setdefault("PARTYDAY_EVENT_RETRY_DELAY_MS", "100")
os.environ.setdefault("PARTYDAY_OUTBOX_POLL_INTERVAL_S", "0.2")

import pytest  # noqa: E402
from sqlalchemy import MetaData  # noqa: E402

from partyday_common.db import make_engine  # noqa: E402
from partyday_common.settings import get_settings  # noqa: E402

get_settings.cache_clear()


@pytest.fixture
def make_config(amqp_uri, databases):
    """A nameko config for a test service: its vhost, a fresh PostgreSQL database, no metrics port."""

    def make(label: str, metadata: MetaData | None = None, url: str | None = None) -> dict:
        url = url or databases.create(label)
        if metadata is not None:
            engine = make_engine(url)
            metadata.create_all(engine)
            engine.dispose()
        return {"AMQP_URI": amqp_uri, "DATABASE_URL": url, "METRICS_PORT": 0}

    return make


@pytest.fixture
def container_factory(amqp_uri, container_factory):
    """nameko's factory, ordered so that containers stop before their virtual host is deleted."""
    return container_factory
