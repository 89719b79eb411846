"""The media service: uploads, their review, the detail score and duplicate detection."""

from sqlalchemy import JSON, Boolean, Float, Index, Integer, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import Id, add_bus_tables

LIVE = text("status <> 'rejected'")
LIVE_UPLOAD_INDEX = "uq_media_activity_sha256_live"

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Activity(Base):
    """An activity as media sees it, from `plan_approved`, `summary_submitted` and `activity_closed`
    (in whatever order they arrive), with its detail score."""

    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str | None] = mapped_column(String(7), index=True)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at = mapped_column(Instant)
    starts_offset_min: Mapped[int | None] = mapped_column(Integer)
    venue_lat: Mapped[float | None] = mapped_column(Float)
    venue_lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None] = mapped_column(Integer)
    required_actions = mapped_column(JSON, nullable=False)
    summary_chars: Mapped[int] = mapped_column(Integer, default=0)
    sheet_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    detail_score: Mapped[int] = mapped_column(Integer, default=0)
    breakdown = mapped_column(JSON)


class Media(Base):
    """An upload for an activity: its stored copies, evidence, duplicate flags and review. The same
    bytes are stored once per activity among uploads that are not rejected (a unique partial index,
    so that two identical uploads at the same moment cannot both get in)."""

    __tablename__ = "media"
    __table_args__ = (
        Index("ix_media_branch_path_status", "branch_path", "status"),
        Index(LIVE_UPLOAD_INDEX, "activity_id", "sha256", unique=True, postgresql_where=LIVE, sqlite_where=LIVE),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str | None] = mapped_column(String(500))
    action: Mapped[str | None] = mapped_column(String(100))
    original_name: Mapped[str | None] = mapped_column(String(255))
    stored_bytes: Mapped[int] = mapped_column(Id)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    phash: Mapped[str | None] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float)
    keys = mapped_column(JSON, nullable=False)
    evidence = mapped_column(JSON)
    duplicates = mapped_column(JSON, nullable=False)
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at = mapped_column(Instant, nullable=False, index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at = mapped_column(Instant)
    reject_reason: Mapped[str | None] = mapped_column(Text)


class BranchUsage(Base):
    """The bytes a branch's uploads that are not rejected hold in storage. An upload takes its bytes with
    one conditional update of this row (which also locks it until the upload commits), so that parallel
    uploads cannot together exceed the quota; a rejection gives them back."""

    __tablename__ = "branch_usage"

    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_bytes: Mapped[int] = mapped_column(Id)


class HashBand(Base):
    """An 8-bit band of a photo's perceptual hash, indexed to find near duplicates."""

    __tablename__ = "media_hash_bands"
    __table_args__ = (Index("ix_media_hash_bands_value", "band", "value"),)

    media_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Directive(Base):
    """A month's directive (from `directive_published`), to which study materials are attached."""

    __tablename__ = "directives"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7), index=True)
    theme: Mapped[str] = mapped_column(String(200))


class StudyMaterial(Base):
    """A micro lesson (MP4), a document (PDF) or a text attached to a directive (学习套餐)."""

    __tablename__ = "study_materials"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    directive_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(300))
    stored_bytes: Mapped[int] = mapped_column(Id)
    duration_s: Mapped[float | None] = mapped_column(Float)
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    created_at = mapped_column(Instant, nullable=False)


class StudyNote(Base):
    """A member's study note for a month (学习笔记), one of the six haves."""

    __tablename__ = "study_notes"
    __table_args__ = (Index("ix_study_notes_branch_month", "branch_id", "month"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    member_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(Instant, nullable=False)


class StudyProgress(Base):
    """A member's progress on a study material (`study_progress`): opened, how far (a lesson), finished."""

    __tablename__ = "study_progress"
    __table_args__ = (Index("ix_study_progress_directive_member", "directive_id", "member_id"),)

    material_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    directive_id: Mapped[str] = mapped_column(String(64))
    opened_at = mapped_column(Instant, nullable=False)
    position_s: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    finished_at = mapped_column(Instant)
    updated_at = mapped_column(Instant)
