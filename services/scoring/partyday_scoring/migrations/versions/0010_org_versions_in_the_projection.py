"""The tree projection itself keeps when each node's recorded state was announced (`org_nodes.updated_at`, as
plans and media do), so scoring's separate `org_node_versions` goes, its times moved into the projection.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE org_nodes SET updated_at = "
            "(SELECT event_at FROM org_node_versions v WHERE v.org_id = org_nodes.org_id) "
            "WHERE org_id IN (SELECT org_id FROM org_node_versions)"
        )
    )
    op.drop_table("org_node_versions")


def downgrade() -> None:
    op.create_table(
        "org_node_versions",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.execute(sa.text("INSERT INTO org_node_versions (org_id, event_at) SELECT org_id, updated_at FROM org_nodes"))
