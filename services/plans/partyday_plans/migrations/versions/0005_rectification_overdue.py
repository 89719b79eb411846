"""A rectification notice past its due date is announced once (`rectification_overdue`): `overdue_announced_at`
records when, and a partial index keeps the deadline round's look for notices still to announce cheap. Notices
already past due when this runs are announced by the next round.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AWAITING = "overdue_announced_at IS NULL AND status <> 'closed'"


def upgrade() -> None:
    op.add_column("rectifications", sa.Column("overdue_announced_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_rectifications_awaiting_overdue",
        "rectifications",
        ["due_on"],
        postgresql_where=sa.text(AWAITING),
        sqlite_where=sa.text(AWAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_rectifications_awaiting_overdue", table_name="rectifications")
    with op.batch_alter_table("rectifications") as table:
        table.drop_column("overdue_announced_at")
