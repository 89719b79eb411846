"""Comments found by their author, for the author's own list.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_comments_member_id"), "comments", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_member_id"), table_name="comments")
