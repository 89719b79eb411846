"""An activity remembers its kind (the theme day or one of the meetings of 三会一课), so that its reminders name it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("kind", sa.String(length=32), nullable=False, server_default="theme_day"))


def downgrade() -> None:
    op.drop_column("activities", "kind")
