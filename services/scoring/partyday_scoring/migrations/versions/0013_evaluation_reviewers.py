"""Who made each review of an evaluation (`first_reviewed_by`, `second_reviewed_by`), so that judging, the first
review and the second review are checked to be three different people.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluations", sa.Column("first_reviewed_by", sa.String(64), nullable=True))
    op.add_column("evaluations", sa.Column("second_reviewed_by", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("evaluations", "second_reviewed_by")
    op.drop_column("evaluations", "first_reviewed_by")
