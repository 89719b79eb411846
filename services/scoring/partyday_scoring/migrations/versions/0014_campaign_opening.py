"""Members are told a campaign when its voting opens (`campaign_opened`, announced once by the opening timer)
instead of when it is created: `opened_announced_at` records when, and a partial index keeps the timer's look for
campaigns still to announce cheap. Campaigns created before this were told at their creation, so they count as
announced then.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("opened_announced_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE campaigns SET opened_announced_at = created_at"))
    op.create_index(
        "ix_campaigns_awaiting_opening",
        "campaigns",
        ["opens_at"],
        postgresql_where=sa.text("opened_announced_at IS NULL"),
        sqlite_where=sa.text("opened_announced_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_campaigns_awaiting_opening", table_name="campaigns")
    with op.batch_alter_table("campaigns") as table:
        table.drop_column("opened_announced_at")
