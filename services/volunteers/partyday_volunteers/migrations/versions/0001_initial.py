"""The bus tables, the tree projection, the members followed, requests with their dispatches and history.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from partyday_common.orgtree import create_org_projection
from partyday_common.tables import create_bus_tables, create_idempotency_table_and_outbox_retry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_bus_tables(op)
    create_idempotency_table_and_outbox_retry(op)
    create_org_projection(op)
    op.create_table(
        "volunteers",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_volunteers_branch_id", "volunteers", ["branch_id"])
    op.create_table(
        "volunteer_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("branch_id", sa.String(64), nullable=False),
        sa.Column("branch_path", sa.String(1000), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("where", sa.String(200), nullable=False),
        sa.Column("wanted_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resident_name", sa.String(50), nullable=False),
        sa.Column("resident_phone", sa.String(30), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=True),
        sa.Column("photo_key", sa.String(300), nullable=True),
        sa.Column("photo_type", sa.String(40), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_volunteer_requests_branch_state", "volunteer_requests", ["branch_id", "state"])
    op.create_index("ix_volunteer_requests_path_state", "volunteer_requests", ["branch_path", "state"])
    op.create_index("ix_volunteer_requests_submitted_at", "volunteer_requests", ["submitted_at"])
    op.create_index("ix_volunteer_requests_claimed_by", "volunteer_requests", ["claimed_by"])
    op.create_index("ix_volunteer_requests_completed_at", "volunteer_requests", ["completed_at"])
    op.create_index("ix_volunteer_requests_confirmed_at", "volunteer_requests", ["confirmed_at"])
    op.create_table(
        "volunteer_dispatches",
        sa.Column("request_id", sa.String(32), sa.ForeignKey("volunteer_requests.id"), primary_key=True),
        sa.Column("member_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_volunteer_dispatches_member_id", "volunteer_dispatches", ["member_id"])
    op.create_table(
        "volunteer_request_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(32), sa.ForeignKey("volunteer_requests.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_volunteer_request_steps_request_id", "volunteer_request_steps", ["request_id"])


def downgrade() -> None:
    for table in ("volunteer_request_steps", "volunteer_dispatches", "volunteer_requests", "volunteers"):
        op.drop_table(table)
    op.drop_index("ix_org_nodes_path", "org_nodes")
    op.drop_table("org_nodes")
    op.drop_table("idempotency_keys")
    op.drop_table("processed_events")
    op.drop_table("outbox_messages")
