"""The bus tables, the tree projection, recipients and roles, member settings, activities, notifications and
their deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
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
        "recipients",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("branch_path", sa.String(1000), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_recipients_branch_id", "recipients", ["branch_id"])
    op.create_table(
        "role_holders",
        sa.Column("grant_id", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_path", sa.String(1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_role_holders_member_id", "role_holders", ["member_id"])
    op.create_index("ix_role_holders_org_role", "role_holders", ["org_id", "role"])
    op.create_table(
        "member_settings",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
    )
    op.create_table(
        "activities",
        sa.Column("activity_id", sa.String(64), primary_key=True),
        sa.Column("branch_id", sa.String(64), nullable=False),
        sa.Column("theme", sa.String(500), nullable=False),
        sa.Column("venue_name", sa.String(500), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("on_leave", sa.JSON(), nullable=False),
        sa.Column("day_before_sent", sa.Boolean(), nullable=False),
        sa.Column("hour_before_sent", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_activities_branch_id", "activities", ["branch_id"])
    op.create_index("ix_activities_starts_at", "activities", ["starts_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "recipient_id", name="uq_notifications_event_recipient"),
    )
    op.create_index("ix_notifications_recipient_created", "notifications", ["recipient_id", "created_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notification_id", sa.String(32), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_recipient_channel_created", "deliveries", ["recipient_id", "channel", "created_at"])


def downgrade() -> None:
    for table in ("deliveries", "notifications", "activities", "member_settings", "role_holders", "recipients"):
        op.drop_table(table)
    op.drop_index("ix_org_nodes_path", "org_nodes")
    op.drop_table("org_nodes")
    op.drop_table("idempotency_keys")
    op.drop_table("processed_events")
    op.drop_table("outbox_messages")
