"""A rectification notice's answers, closes and reopenings are a history (`rectification_entries`) instead of
one answer overwritten by the next: a notice's answer becomes its first entry (its author unknown, at the time
it was answered), and a closed notice's closing its second; the answer columns go.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rectification_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rectification_id", sa.String(length=64), nullable=False),
        sa.Column("act", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media_ids", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_rectification_entries_rectification_id"), "rectification_entries", ["rectification_id"], unique=False
    )
    op.execute(
        sa.text(
            "INSERT INTO rectification_entries (rectification_id, act, text, media_ids, actor_id, at) "
            "SELECT id, 'answered', answer_text, COALESCE(answer_media_ids, '[]'), NULL, "
            "COALESCE(answered_at, issued_at) FROM rectifications WHERE answer_text IS NOT NULL ORDER BY issued_at, id"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO rectification_entries (rectification_id, act, text, media_ids, actor_id, at) "
            "SELECT id, 'closed', NULL, '[]', NULL, closed_at FROM rectifications "
            "WHERE status = 'closed' AND closed_at IS NOT NULL ORDER BY issued_at, id"
        )
    )
    with op.batch_alter_table("rectifications") as table:
        table.drop_column("answer_text")
        table.drop_column("answer_media_ids")
        table.drop_column("answered_at")


def downgrade() -> None:
    with op.batch_alter_table("rectifications") as table:
        table.add_column(sa.Column("answer_text", sa.Text(), nullable=True))
        table.add_column(sa.Column("answer_media_ids", sa.JSON(), nullable=True))
        table.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
    latest = (
        "(SELECT {column} FROM rectification_entries e WHERE e.rectification_id = rectifications.id "
        "AND e.act = 'answered' ORDER BY e.id DESC LIMIT 1)"
    )
    op.execute(
        sa.text(
            f"UPDATE rectifications SET answer_text = {latest.format(column='text')}, "
            f"answer_media_ids = {latest.format(column='media_ids')}, answered_at = {latest.format(column='at')}"
        )
    )
    op.drop_index(op.f("ix_rectification_entries_rectification_id"), table_name="rectification_entries")
    op.drop_table("rectification_entries")
