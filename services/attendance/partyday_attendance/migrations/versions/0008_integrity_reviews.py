"""Integrity: each scan keeps its position fix's time and the browser's mocked hint, each accepted one its
signals, and a claimed or flagged one waits for a superior's decision (who, when, why); the keys phones register
to sign their offline scans.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scans", sa.Column("fix_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("scans", sa.Column("position_mocked", sa.Boolean(), nullable=True))
    op.add_column("scans", sa.Column("signals", sa.JSON(), nullable=True))
    op.add_column("scans", sa.Column("review", sa.String(length=20), nullable=True))
    op.add_column("scans", sa.Column("decided_by", sa.String(length=64), nullable=True))
    op.add_column("scans", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("scans", sa.Column("decision_reason", sa.Text(), nullable=True))
    op.create_index(op.f("ix_scans_review"), "scans", ["review"], unique=False)
    op.create_table(
        "device_keys",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "device_id"),
    )


def downgrade() -> None:
    op.drop_table("device_keys")
    op.drop_index(op.f("ix_scans_review"), table_name="scans")
    for column in ("decision_reason", "decided_at", "decided_by", "review", "signals", "position_mocked", "fix_at"):
        op.drop_column("scans", column)
