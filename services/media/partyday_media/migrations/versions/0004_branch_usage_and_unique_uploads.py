"""Branch usage rows taken atomically against the media quota, and one live upload per activity and
sha256 (a unique partial index).

Existing data: where the same bytes were uploaded more than once for an activity and are not rejected
(the race this index closes), the earliest upload is kept and the later ones are marked rejected with a
reason, so that the index can be built; the usage rows are then filled from the uploads that are not
rejected.

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

LIVE = sa.text("status <> 'rejected'")


def upgrade() -> None:
    op.create_table(
        "branch_usage",
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("used_bytes", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("branch_id"),
    )
    op.execute("""
        UPDATE media SET status = 'rejected',
                         reject_reason = 'duplicate upload of the same file for this activity (migration 0004)'
        WHERE status <> 'rejected' AND EXISTS (
            SELECT 1 FROM media AS earlier
            WHERE earlier.activity_id = media.activity_id AND earlier.sha256 = media.sha256
              AND earlier.status <> 'rejected'
              AND (earlier.uploaded_at < media.uploaded_at
                   OR (earlier.uploaded_at = media.uploaded_at AND earlier.id < media.id)))
    """)
    op.execute("""
        INSERT INTO branch_usage (branch_id, used_bytes)
        SELECT branch_id, SUM(stored_bytes) FROM media WHERE status <> 'rejected' GROUP BY branch_id
    """)
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(
            "uq_media_activity_sha256_live",
            ["activity_id", "sha256"],
            unique=True,
            postgresql_where=LIVE,
            sqlite_where=LIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("uq_media_activity_sha256_live")
    op.drop_table("branch_usage")
