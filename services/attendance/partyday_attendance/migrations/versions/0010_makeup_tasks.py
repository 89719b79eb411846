"""Make-up studies (补学): a task for each member absent without leave from a closed party day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "makeup_tasks",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("activity_id", "member_id"),
    )
    op.create_index(op.f("ix_makeup_tasks_member_id"), "makeup_tasks", ["member_id"], unique=False)
    op.create_index(op.f("ix_makeup_tasks_branch_id"), "makeup_tasks", ["branch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_makeup_tasks_branch_id"), table_name="makeup_tasks")
    op.drop_index(op.f("ix_makeup_tasks_member_id"), table_name="makeup_tasks")
    op.drop_table("makeup_tasks")
