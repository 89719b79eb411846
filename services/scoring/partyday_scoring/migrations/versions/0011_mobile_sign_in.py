"""What scoring keeps of attendance's mobile members' counts, so that a branch whose members are all mobile
(流动党支部) has a sign-in rate over them. Activities closed before keep 0 until attendance recounts them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scored_activities") as table:
        table.add_column(sa.Column("mobile_excused", sa.Integer(), server_default="0", nullable=False))
        table.add_column(sa.Column("mobile_signed_in", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("scored_activities") as table:
        table.drop_column("mobile_signed_in")
        table.drop_column("mobile_excused")
