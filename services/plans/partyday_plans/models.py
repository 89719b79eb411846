from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class OrgSchedule(Base):
    """An organisation's own schedule; a branch follows its nearest ancestor that has one."""

    __tablename__ = "org_schedules"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    party_day: Mapped[int | None] = mapped_column(Integer)
    plan_deadline_day: Mapped[int] = mapped_column(Integer, default=5)
    summary_deadline_day: Mapped[int] = mapped_column(Integer, default=25)
    updated_at = mapped_column(Instant, nullable=False)


class Directive(Base):
    """A month's requirements, published at a node for every branch below it (一键下发)."""

    __tablename__ = "directives"
    __table_args__ = (Index("ix_directives_month_path", "month", "org_path"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    theme: Mapped[str] = mapped_column(String(200))
    required_actions = mapped_column(JSON, nullable=False)
    study_materials = mapped_column(JSON, nullable=False)
    plan_deadline_day: Mapped[int] = mapped_column(Integer)
    summary_deadline_day: Mapped[int] = mapped_column(Integer)
    published_at = mapped_column(Instant, nullable=False)
    published_by: Mapped[str | None] = mapped_column(String(64))


class Plan(Base):
    """A branch's plan for one month's party day or one of its meetings (`kind`), and once approved (or published
    without approval, as its organisation's meeting settings allow), its activity."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("branch_id", "month", "kind", name="uq_plans_branch_month_kind"),
        Index("ix_plans_month_path", "month", "branch_path"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    branch_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20), default="theme_day", server_default="theme_day")
    theme: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(Instant, nullable=False)
    ends_at = mapped_column(Instant, nullable=False)
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_lat: Mapped[float] = mapped_column(Float)
    venue_lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer)
    required_actions = mapped_column(JSON, nullable=False)
    optional_actions = mapped_column(JSON, nullable=False)
    attendance_rules = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    activity_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_at = mapped_column(Instant)
    submitted_late: Mapped[bool] = mapped_column(Boolean, default=False)
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at = mapped_column(Instant)
    summary_text: Mapped[str | None] = mapped_column(Text)
    summary_submitted_at = mapped_column(Instant)
    summary_late: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at = mapped_column(Instant)
    birthdays_celebrated_by: Mapped[str | None] = mapped_column(String(64))
    birthdays_celebrated_at = mapped_column(Instant)
    created_at = mapped_column(Instant, nullable=False)
    updated_at = mapped_column(Instant, nullable=False)


class MeetingSetting(Base):
    """An organisation's own setting for one kind of meeting (三会一课), for its subtree: whether a plan of the kind
    waits for a superior's approval, and how often a branch must hold one. A branch follows the nearest node on
    its path with a setting for the kind, or the defaults (`meetings.DEFAULTS`)."""

    __tablename__ = "meeting_settings"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    requires_approval: Mapped[bool] = mapped_column(Boolean)
    cadence: Mapped[str] = mapped_column(String(10))
    updated_at = mapped_column(Instant, nullable=False)


class PlanTransition(Base):
    """Every change of a plan's state: who moved it, when, and the reviewer's comment."""

    __tablename__ = "plan_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    at = mapped_column(Instant, nullable=False)


class OverdueMark(Base):
    """That a branch's plan or summary for a month went overdue, announced once."""

    __tablename__ = "overdue_marks"

    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    marked_at = mapped_column(Instant, nullable=False)


class AnnualTaskList(Base):
    __tablename__ = "annual_task_lists"

    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    items = mapped_column(JSON, nullable=False)
    updated_at = mapped_column(Instant, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Rectification(Base):
    """A superior's notice to a branch to fix something (整改), tracked to closure; what happened to it since it was
    issued is its history (`rectification_entries`)."""

    __tablename__ = "rectifications"
    # The deadline round reads only the notices not yet announced overdue and still awaiting their branch.
    __table_args__ = (
        Index(
            "ix_rectifications_awaiting_overdue",
            "due_on",
            postgresql_where=text("overdue_announced_at IS NULL AND status <> 'closed'"),
            sqlite_where=text("overdue_announced_at IS NULL AND status <> 'closed'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    issue: Mapped[str] = mapped_column(Text)
    due_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20))
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_at = mapped_column(Instant, nullable=False)
    closed_at = mapped_column(Instant)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    overdue_announced_at = mapped_column(Instant)


class RectificationEntry(Base):
    """One step of a notice's history, never changed: the branch's answer (its text and media), or the superior
    closing or reopening it (with an optional comment); who and when."""

    __tablename__ = "rectification_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rectification_id: Mapped[str] = mapped_column(String(64), index=True)
    act: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    media_ids = mapped_column(JSON, nullable=False)
    actor_id: Mapped[str | None] = mapped_column(String(64))
    at = mapped_column(Instant, nullable=False)
