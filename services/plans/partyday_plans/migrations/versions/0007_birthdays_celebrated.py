"""A plan keeps who marked its political birthdays (政治生日) celebrated, and when.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("birthdays_celebrated_by", sa.String(length=64), nullable=True))
    op.add_column("plans", sa.Column("birthdays_celebrated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("plans", "birthdays_celebrated_at")
    op.drop_column("plans", "birthdays_celebrated_by")
