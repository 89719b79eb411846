"""Members' study progress on the study materials: opened, how far (a micro lesson), finished.

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


def upgrade() -> None:
    op.create_table(
        "study_progress",
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("directive_id", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position_s", sa.Float(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("material_id", "member_id"),
    )
    op.create_index("ix_study_progress_directive_member", "study_progress", ["directive_id", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_study_progress_directive_member", table_name="study_progress")
    op.drop_table("study_progress")
