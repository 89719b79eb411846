"""Sessions by the time they ended, for gateways filling their list of ended sessions; the sessions of
members who had already left are ended too, since leaving now ends a member's sessions.

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
    op.create_index(op.f("ix_sessions_revoked_at"), "sessions", ["revoked_at"], unique=False)
    op.execute(
        sa.text(
            "UPDATE sessions SET revoked_at = CURRENT_TIMESTAMP, revoked_reason = 'member_left' "
            "WHERE revoked_at IS NULL AND kind = 'member' "
            "AND subject IN (SELECT id FROM members WHERE NOT active)"
        )
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sessions_revoked_at"), table_name="sessions")
