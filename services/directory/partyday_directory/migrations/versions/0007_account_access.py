"""Accounts manage their own access: a password someone else chose must be changed (`must_change_password`);
login failures keep their client address (slowing that address down for that phone, and limiting an address's
failures); one-time codes have a purpose (a voter's login, a member's second factor, a forgotten password) and
the address that asked for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("members", sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("login_failures", sa.Column("client_ip", sa.String(length=64), nullable=True))
    op.create_index("ix_login_failures_client_ip_failed_at", "login_failures", ["client_ip", "failed_at"])
    op.add_column("public_codes", sa.Column("purpose", sa.String(length=16), server_default="public", nullable=False))
    op.add_column("public_codes", sa.Column("client_ip", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("public_codes", "client_ip")
    op.drop_column("public_codes", "purpose")
    op.drop_index("ix_login_failures_client_ip_failed_at", table_name="login_failures")
    op.drop_column("login_failures", "client_ip")
    op.drop_column("members", "must_change_password")
