"""Alembic for every service: each keeps its migrations in `<package>/migrations`."""

import logging

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from partyday_common.db import make_engine
from partyday_common.settings import get_settings

log = logging.getLogger(__name__)


def alembic_config(service: str, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", f"partyday_{service}:migrations")
    config.attributes["url"] = url or get_settings().database_url(service)
    return config


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    """Bring the service's database to `revision`."""
    command.upgrade(alembic_config(service, url), revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of each service's migrations/env.py: online migrations on the configured URL."""
    url = context.config.attributes.get("url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
