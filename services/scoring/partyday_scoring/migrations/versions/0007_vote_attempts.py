"""Vote attempts per account and per client address and minute, counted by scoring for every gateway.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vote_attempts",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start"),
    )
    op.create_index(op.f("ix_vote_attempts_window_start"), "vote_attempts", ["window_start"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vote_attempts_window_start"), table_name="vote_attempts")
    op.drop_table("vote_attempts")
