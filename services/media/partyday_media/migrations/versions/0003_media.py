"""Activities as media follows them, uploads with evidence and duplicate flags, perceptual-hash
bands, the tree projection, directives, study materials and study notes.

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
        "activities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starts_offset_min", sa.Integer(), nullable=True),
        sa.Column("venue_lat", sa.Float(), nullable=True),
        sa.Column("venue_lon", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Integer(), nullable=True),
        sa.Column("required_actions", sa.JSON(), nullable=False),
        sa.Column("summary_chars", sa.Integer(), nullable=False),
        sa.Column("sheet_closed", sa.Boolean(), nullable=False),
        sa.Column("detail_score", sa.Integer(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_month"), ["month"], unique=False)

    op.create_table(
        "directives",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=1000), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directives_month"), ["month"], unique=False)

    op.create_table(
        "media",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("branch_path", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("stored_bytes", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("duplicates", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index("ix_media_branch_path_status", ["branch_path", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_uploaded_at"), ["uploaded_at"], unique=False)

    op.create_table(
        "media_hash_bands",
        sa.Column("media_id", sa.String(length=64), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("media_id", "band"),
    )
    with op.batch_alter_table("media_hash_bands", schema=None) as batch_op:
        batch_op.create_index("ix_media_hash_bands_value", ["band", "value"], unique=False)

    op.create_table(
        "org_nodes",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    with op.batch_alter_table("org_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_nodes_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index("ix_org_nodes_path", ["path"], unique=False)

    op.create_table(
        "study_materials",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("directive_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("stored_bytes", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("study_materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_materials_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "study_notes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("study_notes", schema=None) as batch_op:
        batch_op.create_index("ix_study_notes_branch_month", ["branch_id", "month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("study_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_study_notes_branch_month")

    op.drop_table("study_notes")
    with op.batch_alter_table("study_materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_materials_directive_id"))

    op.drop_table("study_materials")
    with op.batch_alter_table("org_nodes", schema=None) as batch_op:
        batch_op.drop_index("ix_org_nodes_path")
        batch_op.drop_index(batch_op.f("ix_org_nodes_parent_id"))

    op.drop_table("org_nodes")
    with op.batch_alter_table("media_hash_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_media_hash_bands_value")

    op.drop_table("media_hash_bands")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_uploaded_at"))
        batch_op.drop_index(batch_op.f("ix_media_sha256"))
        batch_op.drop_index("ix_media_branch_path_status")
        batch_op.drop_index(batch_op.f("ix_media_branch_id"))
        batch_op.drop_index(batch_op.f("ix_media_activity_id"))

    op.drop_table("media")
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directives_month"))

    op.drop_table("directives")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_month"))
        batch_op.drop_index(batch_op.f("ix_activities_branch_id"))

    op.drop_table("activities")
