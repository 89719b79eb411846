"""When each node's last applied tree announcement happened (stale ones are ignored), and plans' progress found by
branch, so that a moved branch's stored paths follow it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_node_versions",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_index(op.f("ix_plan_progress_branch_id"), "plan_progress", ["branch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_progress_branch_id"), table_name="plan_progress")
    op.drop_table("org_node_versions")
