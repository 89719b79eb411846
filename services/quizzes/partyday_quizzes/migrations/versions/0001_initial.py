"""The bus tables, the tree projection, question banks, directives and members followed, quizzes and attempts.

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
        "questions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_path", sa.String(1000), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_questions_org_active", "questions", ["org_id", "active"])
    op.create_table(
        "directives",
        sa.Column("directive_id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_path", sa.String(1000), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("theme", sa.String(500), nullable=False),
    )
    op.create_table(
        "members",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("branch_path", sa.String(1000), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_members_branch_id", "members", ["branch_id"])
    op.create_index("ix_members_branch_path", "members", ["branch_path"])
    op.create_table(
        "quizzes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("directive_id", sa.String(64), nullable=False),
        sa.Column("lesson_id", sa.String(64), nullable=True),
        sa.Column("lesson_title", sa.String(200), nullable=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_path", sa.String(1000), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("draw_count", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_quizzes_directive_id", "quizzes", ["directive_id"])
    op.create_index("ix_quizzes_org_path", "quizzes", ["org_path"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("quiz_id", sa.String(32), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("branch_id", sa.String(64), nullable=False),
        sa.Column("branch_path", sa.String(1000), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("correct", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.UniqueConstraint("quiz_id", "member_id", "number", name="uq_attempts_quiz_member_number"),
    )
    op.create_index("ix_attempts_member_id", "attempts", ["member_id"])
    op.create_index("ix_attempts_quiz_branch_path", "attempts", ["quiz_id", "branch_path"])


def downgrade() -> None:
    for table in ("attempts", "quizzes", "members", "directives", "questions"):
        op.drop_table(table)
    op.drop_index("ix_org_nodes_path", "org_nodes")
    op.drop_table("org_nodes")
    op.drop_table("idempotency_keys")
    op.drop_table("processed_events")
    op.drop_table("outbox_messages")
