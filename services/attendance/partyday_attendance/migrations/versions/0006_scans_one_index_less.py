"""Scans lose their index on activity_id: uq_scans_nonce leads with it and serves the same lookups,
and every sign-in paid for keeping both.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_scans_activity_id"), table_name="scans")


def downgrade() -> None:
    op.create_index(op.f("ix_scans_activity_id"), "scans", ["activity_id"], unique=False)
