"""Invited guests on the sign-in sheet, counted apart from the branch's members; a member's sheets by member.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sheet_entries") as batch:
        batch.add_column(sa.Column("guest", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f("ix_sheet_entries_member_id"), "sheet_entries", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sheet_entries_member_id"), table_name="sheet_entries")
    with op.batch_alter_table("sheet_entries") as batch:
        batch.drop_column("guest")
