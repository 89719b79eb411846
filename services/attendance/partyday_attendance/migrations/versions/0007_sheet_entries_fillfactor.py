"""Sheet entries leave a quarter of each page free (PostgreSQL), so that signing in and out, which change
no indexed column, update an entry in its own page (a HOT update) instead of writing a new version
elsewhere and a new entry into both of the table's indexes. Pages written from now on are filled so;
the sheets of the coming party days are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FILLFACTOR = 75


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE sheet_entries SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE sheet_entries RESET (fillfactor)")
