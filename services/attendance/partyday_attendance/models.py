from sqlalchemy import JSON, Boolean, Float, Integer, MetaData, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Activity(Base):
    """An approved plan as attendance sees it: its window, fence and rules."""

    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20), default="theme_day", server_default="theme_day")
    theme: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(Instant, nullable=False)
    ends_at = mapped_column(Instant, nullable=False)
    closes_at = mapped_column(Instant, nullable=False, index=True)
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_lat: Mapped[float] = mapped_column(Float)
    venue_lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer)
    rules = mapped_column(JSON, nullable=False)
    closed_at = mapped_column(Instant)
    counts = mapped_column(JSON)
    counts_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MeetingDecision(Base):
    """A decision a members' meeting voted on (表决): the votes cast, and the members expected and present when it
    was recorded, from the sign-in sheet; whether it passed by the double majority (双过半, `decisions.passes`)."""

    __tablename__ = "meeting_decisions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(500))
    in_favour: Mapped[int] = mapped_column(Integer)
    against: Mapped[int] = mapped_column(Integer)
    abstaining: Mapped[int] = mapped_column(Integer)
    expected: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at = mapped_column(Instant, nullable=False)


class SheetEntry(Base):
    """A member expected at an activity (the sign-in sheet, 签到表) and where they stand."""

    __tablename__ = "sheet_entries"
    # On PostgreSQL a quarter of each page is left free, for signing in and out in place (migration 0007).

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[bool] = mapped_column(Boolean)
    guest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(20))
    signed_in_at = mapped_column(Instant)
    signed_out_at = mapped_column(Instant)
    reflection: Mapped[str | None] = mapped_column(Text)
    sent_late: Mapped[bool] = mapped_column(Boolean, default=False)


class Scan(Base):
    """Every sign-in or sign-out attempt, accepted or not, with its evidence."""

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("activity_id", "member_id", "kind", "nonce", name="uq_scans_nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Found by activity through uq_scans_nonce, which leads with it: one index less on the busiest insert.
    activity_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(40))
    server_time = mapped_column(Instant, nullable=False)
    scanned_at = mapped_column(Instant)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    device_id: Mapped[str] = mapped_column(String(100))
    token_id: Mapped[str | None] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(100))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    sent_late: Mapped[bool] = mapped_column(Boolean, default=False)
    answer = mapped_column(JSON, nullable=False)
    # What the phone said of its position fix: when it was made, and whether the browser called it mocked.
    fix_at = mapped_column(Instant)
    position_mocked: Mapped[bool | None] = mapped_column(Boolean)
    # An accepted scan's integrity signals with their evidence and score, weighed after it is kept (`integrity`).
    signals = mapped_column(JSON)
    # claimed (an offline scan whose time nothing proves) or flagged, waiting for a superior; then accepted or
    # voided, with who decided, when and why.
    review: Mapped[str | None] = mapped_column(String(20), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at = mapped_column(Instant)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class DeviceKey(Base):
    """The public half of a key a member's phone made while online (WebCrypto, its private half never leaves it):
    that device's offline scans are signed with it."""

    __tablename__ = "device_keys"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text)
    registered_at = mapped_column(Instant, nullable=False)


class LeaveRequest(Base):
    __tablename__ = "leave_requests"
    __table_args__ = (UniqueConstraint("activity_id", "member_id", name="uq_leave_member"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    requested_at = mapped_column(Instant, nullable=False)
    decided_at = mapped_column(Instant)
    decided_by: Mapped[str | None] = mapped_column(String(64))


class AbsenceStreak(Base):
    """Consecutive party days a member missed without leave."""

    __tablename__ = "absence_streaks"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    streak: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class MakeupTask(Base):
    """A make-up study (补学) for a member absent without leave from a closed party day (`makeups`): assigned,
    done with its reflection (late if after its due instant), or withdrawn when a review signed them in after all."""

    __tablename__ = "makeup_tasks"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    assigned_at = mapped_column(Instant, nullable=False)
    due_at = mapped_column(Instant, nullable=False)
    completed_at = mapped_column(Instant)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reflection: Mapped[str | None] = mapped_column(Text)
