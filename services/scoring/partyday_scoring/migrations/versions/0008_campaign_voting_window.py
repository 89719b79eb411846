"""Each campaign's voting window; campaigns made before it get the default one (their month's first day until
their scores stop changing, in the scoring time zone with its grace days).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from datetime import timezone

import sqlalchemy as sa
from alembic import op

from partyday_scoring.campaign_rules import voting_window
from partyday_scoring.settings import get_settings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True))
    campaigns = sa.table(
        "campaigns",
        sa.column("id", sa.String),
        sa.column("month", sa.String),
        sa.column("opens_at", sa.DateTime(timezone=True)),
        sa.column("closes_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    settings = get_settings()
    for ident, month in connection.execute(sa.select(campaigns.c.id, campaigns.c.month)).all():
        opens, closes = voting_window(month, None, None, settings.scoring_time_zone, settings.scoring_grace_days)
        connection.execute(
            campaigns.update()
            .where(campaigns.c.id == ident)
            .values(opens_at=opens.astimezone(timezone.utc), closes_at=closes.astimezone(timezone.utc))
        )
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("opens_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("closes_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("closes_at")
        batch.drop_column("opens_at")
