"""Absence streaks keep the member's name and the last party day they missed, and are found by branch: a
branch admin lists the members who missed party days in a row.

Existing streaks take the member's name from their newest line on a closed sheet, and the last party day they
missed from their newest absence.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEWEST_CLOSED_ENTRY = """
    SELECT {column} FROM sheet_entries e JOIN activities a ON a.id = e.activity_id
    WHERE e.member_id = absence_streaks.member_id AND a.closed_at IS NOT NULL AND NOT e.guest {condition}
    ORDER BY a.starts_at DESC, a.id LIMIT 1
"""


def upgrade() -> None:
    with op.batch_alter_table("absence_streaks") as batch:
        batch.add_column(sa.Column("name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("last_activity_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_absence_streaks_branch_id"), "absence_streaks", ["branch_id"], unique=False)
    name = NEWEST_CLOSED_ENTRY.format(column="e.name", condition="")
    last_absence = NEWEST_CLOSED_ENTRY.format(column="a.id", condition="AND e.status = 'absent'")
    op.execute(f"UPDATE absence_streaks SET name = ({name}), last_activity_id = ({last_absence})")


def downgrade() -> None:
    op.drop_index(op.f("ix_absence_streaks_branch_id"), table_name="absence_streaks")
    with op.batch_alter_table("absence_streaks") as batch:
        batch.drop_column("last_activity_id")
        batch.drop_column("name")
