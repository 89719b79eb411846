"""The volunteers service: the organisation tree and the members it follows from the directory's events, and
each resident's request with every step it went through."""

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Volunteer(Base):
    """A member as the directory announces them: who may claim a branch's requests."""

    __tablename__ = "volunteers"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    branch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VolunteerRequest(Base):
    """A resident's request and where it stands. The resident follows it with a token whose hash alone is kept."""

    __tablename__ = "volunteer_requests"
    __table_args__ = (
        Index("ix_volunteer_requests_branch_state", "branch_id", "state"),
        Index("ix_volunteer_requests_path_state", "branch_path", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    branch_path: Mapped[str] = mapped_column(String(1000))
    what: Mapped[str] = mapped_column(Text)
    where: Mapped[str] = mapped_column(String(200))
    wanted_by = mapped_column(Instant, nullable=False)
    resident_name: Mapped[str] = mapped_column(String(50))
    resident_phone: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(16))
    submitted_at = mapped_column(Instant, nullable=False, index=True)
    accept_by = mapped_column(Instant, nullable=False)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_at = mapped_column(Instant)
    completed_at = mapped_column(Instant, index=True)
    completion_note: Mapped[str | None] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(300))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    confirmed_at = mapped_column(Instant, index=True)
    updated_at = mapped_column(Instant, nullable=False)


class Dispatch(Base):
    """A member a request was dispatched to by name (kept apart to list a member's open requests in SQL)."""

    __tablename__ = "volunteer_dispatches"

    request_id: Mapped[str] = mapped_column(String(32), ForeignKey("volunteer_requests.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class RequestStep(Base):
    """One step of a request's history: who moved it from which state to which, and when."""

    __tablename__ = "volunteer_request_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(32), ForeignKey("volunteer_requests.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    details = mapped_column(JSON, nullable=False)
    at = mapped_column(Instant, nullable=False)
