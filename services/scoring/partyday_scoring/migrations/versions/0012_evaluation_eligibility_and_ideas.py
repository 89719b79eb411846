"""Each evaluation keeps its eligibility rule (a sign-in rate of at least `min_sign_in_rate`, a summary on file if
`summary_required`; 0.8 and yes for those opened before), and branches propose golden ideas (`golden_ideas`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluations") as table:
        table.add_column(sa.Column("min_sign_in_rate", sa.Float(), server_default="0.8", nullable=False))
        table.add_column(sa.Column("summary_required", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "golden_ideas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("evaluation_id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_ids", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_golden_ideas_evaluation_id"), "golden_ideas", ["evaluation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_golden_ideas_evaluation_id"), table_name="golden_ideas")
    op.drop_table("golden_ideas")
    with op.batch_alter_table("evaluations") as table:
        table.drop_column("summary_required")
        table.drop_column("min_sign_in_rate")
