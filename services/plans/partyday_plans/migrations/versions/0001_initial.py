"""The organisation tree projection and the bus tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op

from partyday_common.orgtree import create_org_projection
from partyday_common.tables import create_bus_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_bus_tables(op)
    create_org_projection(op)


def downgrade() -> None:
    op.drop_table("org_nodes")
    op.drop_table("processed_events")
    op.drop_table("outbox_messages")
