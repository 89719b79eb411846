"""The notifications service: who may be told (members and role holders, followed from the directory's
events), the activities it reminds of, each notification and each of its deliveries by channel."""

from sqlalchemy import JSON, Boolean, Date, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Recipient(Base):
    """A member as the directory announces them, with the day they joined the Party (their political birthday);
    no contact data: phones are asked for when a text is sent."""

    __tablename__ = "recipients"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    branch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    branch_path: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on = mapped_column(Date, nullable=True)


class RoleHolder(Base):
    """A role grant as the directory announces it: a branch's secretary is its `branch_admin`."""

    __tablename__ = "role_holders"
    __table_args__ = (Index("ix_role_holders_org_role", "org_id", "role"),)

    grant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MemberSettings(Base):
    """What a member chose: an e-mail address, a language and, per kind, the channels they want."""

    __tablename__ = "member_settings"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    channels = mapped_column(JSON, nullable=False)


class Activity(Base):
    """An approved party day or meeting (its `kind`), from `plan_approved`, reminded of the day before and an hour
    before."""

    __tablename__ = "activities"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="theme_day", server_default="theme_day")
    theme: Mapped[str] = mapped_column(String(500))
    venue_name: Mapped[str] = mapped_column(String(500))
    starts_at = mapped_column(Instant, nullable=False, index=True)
    member_ids = mapped_column(JSON, nullable=False)
    on_leave = mapped_column(JSON, nullable=False)
    day_before_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    hour_before_sent: Mapped[bool] = mapped_column(Boolean, default=False)


class Notification(Base):
    """One message to one member about one event, in their inbox; never twice for the same event."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient_id", name="uq_notifications_event_recipient"),
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    parameters = mapped_column(JSON, nullable=False)
    subject_id: Mapped[str | None] = mapped_column(String(64))
    created_at = mapped_column(Instant, nullable=False)
    read_at = mapped_column(Instant)


class Delivery(Base):
    """A notification's way out by text message or e-mail: stored with it, then sent, retried with backoff,
    and `dead` (kept for operations) when the attempts run out; `skipped` when the daily cap held it back."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_recipient_channel_created", "recipient_id", "channel", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at = mapped_column(Instant)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(Instant, nullable=False)
    sent_at = mapped_column(Instant)
