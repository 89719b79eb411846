"""Schedules, directives, plans and their transitions, overdue marks, annual task lists, rectifications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_task_lists",
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("branch_id", "year"),
    )
    op.create_table(
        "directives",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("required_actions", sa.JSON(), nullable=False),
        sa.Column("study_materials", sa.JSON(), nullable=False),
        sa.Column("plan_deadline_day", sa.Integer(), nullable=False),
        sa.Column("summary_deadline_day", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directives_month_path", "directives", ["month", "org_path"], unique=False)
    op.create_table(
        "org_schedules",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("party_day", sa.Integer(), nullable=True),
        sa.Column("plan_deadline_day", sa.Integer(), nullable=False),
        sa.Column("summary_deadline_day", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "overdue_marks",
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("branch_id", "month", "kind"),
    )
    op.create_table(
        "plan_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_transitions_plan_id"), "plan_transitions", ["plan_id"], unique=False)
    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("venue_name", sa.String(length=200), nullable=False),
        sa.Column("venue_lat", sa.Float(), nullable=False),
        sa.Column("venue_lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("required_actions", sa.JSON(), nullable=False),
        sa.Column("optional_actions", sa.JSON(), nullable=False),
        sa.Column("attendance_rules", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_late", sa.Boolean(), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary_text", sa.Text(), nullable=True),
        sa.Column("summary_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary_late", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id"),
        sa.UniqueConstraint("branch_id", "month", name="uq_plans_branch_month"),
    )
    op.create_index("ix_plans_month_path", "plans", ["month", "branch_path"], unique=False)
    op.create_index(op.f("ix_plans_status"), "plans", ["status"], unique=False)
    op.create_table(
        "rectifications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("answer_media_ids", sa.JSON(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_rectifications_branch_id"), "rectifications", ["branch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rectifications_branch_id"), table_name="rectifications")
    op.drop_table("rectifications")
    op.drop_index(op.f("ix_plans_status"), table_name="plans")
    op.drop_index("ix_plans_month_path", table_name="plans")
    op.drop_table("plans")
    op.drop_index(op.f("ix_plan_transitions_plan_id"), table_name="plan_transitions")
    op.drop_table("plan_transitions")
    op.drop_table("overdue_marks")
    op.drop_table("org_schedules")
    op.drop_index("ix_directives_month_path", table_name="directives")
    op.drop_table("directives")
    op.drop_table("annual_task_lists")
