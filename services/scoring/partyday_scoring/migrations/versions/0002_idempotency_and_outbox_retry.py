"""Idempotency keys of mutating calls; back-off and abandonment of unroutable outbox events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from alembic import op

from partyday_common.tables import (
    create_idempotency_table_and_outbox_retry,
    drop_idempotency_table_and_outbox_retry,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table_and_outbox_retry(op)


def downgrade() -> None:
    drop_idempotency_table_and_outbox_retry(op)
