"""三会一课: a plan's progress keeps its kind (the theme day for every existing one), so the dashboard counts the
other meetings apart and only the theme day is scored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plan_progress", sa.Column("kind", sa.String(20), nullable=False, server_default="theme_day"))


def downgrade() -> None:
    with op.batch_alter_table("plan_progress") as table:
        table.drop_column("kind")
