"""The lost-contact register (组织找党员): entries per member with their last known branch and contact, and the
steps taken to find them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lost_members",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("member_id", sa.String(length=64), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("open_member_id", sa.String(length=64), nullable=True, unique=True),
        sa.Column("last_branch_id", sa.String(length=64), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("last_branch_path", sa.String(length=1000), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("last_contact", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.Column("transferred_to_org_id", sa.String(length=64), sa.ForeignKey("orgs.id"), nullable=True),
    )
    op.create_index("ix_lost_members_member_id", "lost_members", ["member_id"])
    op.create_index("ix_lost_members_path_status", "lost_members", ["last_branch_path", "status"])
    op.create_table(
        "lost_member_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(length=64), sa.ForeignKey("lost_members.id"), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("taken_by", sa.String(length=64), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lost_member_steps_entry_id", "lost_member_steps", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_lost_member_steps_entry_id", table_name="lost_member_steps")
    op.drop_table("lost_member_steps")
    op.drop_index("ix_lost_members_path_status", table_name="lost_members")
    op.drop_index("ix_lost_members_member_id", table_name="lost_members")
    op.drop_table("lost_members")
