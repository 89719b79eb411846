"""三会一课: an activity keeps its plan's kind (the theme day for every existing one), and a members' meeting its
decisions with their votes and the members expected and present (双过半).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("kind", sa.String(20), nullable=False, server_default="theme_day"))
    op.create_table(
        "meeting_decisions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("in_favour", sa.Integer(), nullable=False),
        sa.Column("against", sa.Integer(), nullable=False),
        sa.Column("abstaining", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_meeting_decisions_activity_id"), "meeting_decisions", ["activity_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_decisions_activity_id"), table_name="meeting_decisions")
    op.drop_table("meeting_decisions")
    with op.batch_alter_table("activities") as table:
        table.drop_column("kind")
