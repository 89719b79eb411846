"""The last applied attendance counts version and media detail score time of each scored activity, so that a
stale or redelivered snapshot never takes a score back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scored_activities") as batch:
        batch.add_column(sa.Column("counts_version", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("detail_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scored_activities") as batch:
        batch.drop_column("detail_at")
        batch.drop_column("counts_version")
