"""Scores and what they come from, plan progress, likes, comments and reports, campaigns and ballots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ballots",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "voter_id", "activity_id"),
        sa.UniqueConstraint("campaign_id", "voter_id", "slot", name="uq_ballot_slot"),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("votes_per_voter", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "month", name="uq_campaign_org_month"),
    )
    op.create_table(
        "comment_reports",
        sa.Column("comment_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("comment_id", "reporter_id"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_comments_activity_id"), "comments", ["activity_id"], unique=False)
    op.create_index(op.f("ix_comments_branch_path"), "comments", ["branch_path"], unique=False)
    op.create_table(
        "likes",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("liked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "member_id"),
    )
    op.create_table(
        "plan_progress",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=True),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("summarized", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.create_index(op.f("ix_plan_progress_activity_id"), "plan_progress", ["activity_id"], unique=False)
    op.create_index("ix_plan_progress_month_path", "plan_progress", ["month", "branch_path"], unique=False)
    op.create_table(
        "reflections",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("reflected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "member_id"),
    )
    op.create_table(
        "roster_members",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("mobile", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "member_id"),
    )
    op.create_table(
        "scored_activities",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("excused", sa.Integer(), nullable=False),
        sa.Column("signed_in", sa.Integer(), nullable=False),
        sa.Column("expected_mobile", sa.Integer(), nullable=False),
        sa.Column("detail_score", sa.Integer(), nullable=False),
        sa.Column("superior_score", sa.Integer(), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("sign_in_rate", sa.Float(), nullable=True),
        sa.Column("score", sa.JSON(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("freezes_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("activity_id"),
    )
    op.create_index(op.f("ix_scored_activities_branch_id"), "scored_activities", ["branch_id"], unique=False)
    op.create_index("ix_scored_activities_month_path", "scored_activities", ["month", "branch_path"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_scored_activities_month_path", table_name="scored_activities")
    op.drop_index(op.f("ix_scored_activities_branch_id"), table_name="scored_activities")
    op.drop_table("scored_activities")
    op.drop_table("roster_members")
    op.drop_table("reflections")
    op.drop_index("ix_plan_progress_month_path", table_name="plan_progress")
    op.drop_index(op.f("ix_plan_progress_activity_id"), table_name="plan_progress")
    op.drop_table("plan_progress")
    op.drop_table("likes")
    op.drop_index(op.f("ix_comments_branch_path"), table_name="comments")
    op.drop_index(op.f("ix_comments_activity_id"), table_name="comments")
    op.drop_table("comments")
    op.drop_table("comment_reports")
    op.drop_table("campaigns")
    op.drop_table("ballots")
