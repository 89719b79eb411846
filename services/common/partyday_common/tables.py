"""The two tables every service keeps beside its own: the outbox and the processed-event log."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from partyday_common.instants import Instant

Id = BigInteger().with_variant(Integer(), "sqlite")

OUTBOX = "outbox_messages"
PROCESSED = "processed_events"
IDEMPOTENCY = "idempotency_keys"


def outbox_columns() -> list:
    return [
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("body", JSON, nullable=False),
        Column("correlation_id", String(64)),
        Column("created_at", Instant, nullable=False),
        Column("published_at", Instant),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
    ]


def outbox_retry_columns() -> list:
    """Added by each service's second migration: back-off and abandonment of unroutable events."""
    return [
        Column("next_attempt_at", Instant),
        Column("abandoned_at", Instant),
    ]


def processed_columns() -> list:
    return [
        Column("event_id", String(64), nullable=False),
        Column("consumer", String(200), nullable=False),
        Column("processed_at", Instant, nullable=False),
        PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
    ]


def idempotency_columns() -> list:
    return [
        Column("operation", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("response", JSON, nullable=False),
        Column("created_at", Instant, nullable=False),
        PrimaryKeyConstraint("operation", "key", name="pk_idempotency_keys"),
    ]


def add_bus_tables(metadata: MetaData) -> None:
    """Declare the outbox, processed-event and idempotency-key tables on a service's metadata."""
    outbox = Table(OUTBOX, metadata, *outbox_columns(), *outbox_retry_columns())
    Index("ix_outbox_messages_pending", outbox.c.published_at, outbox.c.id)
    Table(PROCESSED, metadata, *processed_columns())
    Table(IDEMPOTENCY, metadata, *idempotency_columns())


def create_bus_tables(op) -> None:
    """Alembic operations creating the bus tables; used by each service's first migration."""
    op.create_table(OUTBOX, *outbox_columns())
    op.create_index("ix_outbox_messages_pending", OUTBOX, ["published_at", "id"])
    op.create_table(PROCESSED, *processed_columns())


def create_idempotency_table_and_outbox_retry(op) -> None:
    op.create_table(IDEMPOTENCY, *idempotency_columns())
    with op.batch_alter_table(OUTBOX) as batch:
        for column in outbox_retry_columns():
            batch.add_column(column)


def drop_idempotency_table_and_outbox_retry(op) -> None:
    with op.batch_alter_table(OUTBOX) as batch:
        for column in outbox_retry_columns():
            batch.drop_column(column.name)
    op.drop_table(IDEMPOTENCY)
