"""Plans of the other meetings (三会一课): a plan has a `kind` (the theme day for every existing one), a branch has
one plan a month of each kind, and organisations keep their meeting settings (approval, cadence) per kind.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as table:
        table.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="theme_day"))
        table.drop_constraint("uq_plans_branch_month", type_="unique")
        table.create_unique_constraint("uq_plans_branch_month_kind", ["branch_id", "month", "kind"])
    op.create_table(
        "meeting_settings",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meeting_settings")
    op.execute("DELETE FROM plans WHERE kind <> 'theme_day'")
    with op.batch_alter_table("plans") as table:
        table.drop_constraint("uq_plans_branch_month_kind", type_="unique")
        table.create_unique_constraint("uq_plans_branch_month", ["branch_id", "month"])
        table.drop_column("kind")
