from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, MetaData, String, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Org(Base):
    """A node of the organisation tree; `path` is '/root-id/.../own-id/'."""

    __tablename__ = "orgs"
    __table_args__ = (Index("ix_orgs_path", "path"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(1000))
    venue_lat: Mapped[float | None] = mapped_column(Float)
    venue_lon: Mapped[float | None] = mapped_column(Float)
    created_at = mapped_column(Instant, nullable=False)
    updated_at = mapped_column(Instant)


class Member(Base):
    """A party member and, through phone and password, their account.

    `branch_id` is empty only for staff accounts (the bootstrap city admin) that belong
    to no branch of the tree.
    """

    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    branch_id: Mapped[str | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    probationary: Mapped[bool] = mapped_column(Boolean, default=False)
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on = mapped_column(Date)
    lost_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Set by a password someone else chose (a roster's initial password, an admin's reset): the member sets
    # their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at = mapped_column(Instant, nullable=False)
    updated_at = mapped_column(Instant)


class MemberTransfer(Base):
    """One move of a member between branches (组织关系转接); the history is never rewritten."""

    __tablename__ = "member_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    from_org_id: Mapped[str | None] = mapped_column(ForeignKey("orgs.id"))
    to_org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"))
    transferred_at = mapped_column(Instant, nullable=False)
    actor_id: Mapped[str | None] = mapped_column(String(64))


class RoleGrant(Base):
    __tablename__ = "role_grants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    granted_at = mapped_column(Instant, nullable=False)
    granted_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at = mapped_column(Instant)


class Session(Base):
    """A login; its refresh tokens form one family, revoked together."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    current_refresh_id: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(Instant, nullable=False)
    refreshed_at = mapped_column(Instant)
    revoked_at = mapped_column(Instant, index=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(50))
    client_ip: Mapped[str | None] = mapped_column(String(64))


class LoginFailure(Base):
    """A wrong password or code for a phone, from a client address: what slows that address down for that
    phone, asks a second factor of a phone tried from many addresses, and limits an address's failures."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_client_ip_failed_at", "client_ip", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    failed_at = mapped_column(Instant, nullable=False, index=True)


class PublicCode(Base):
    """A one-time code sent to a phone; only its hash is kept. `purpose`: `public` (a voter's login), `login` (a
    member's second factor), `reset` (a forgotten password)."""

    __tablename__ = "public_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="public", server_default="public")
    client_ip: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at = mapped_column(Instant, nullable=False)
    expires_at = mapped_column(Instant, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at = mapped_column(Instant)


class AuditEntry(Base):
    """An administrative action: who did what to which target, when and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action", "action"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at = mapped_column(Instant, nullable=False, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str | None] = mapped_column(String(1000), index=True)
    details = mapped_column(JSON)
    correlation_id: Mapped[str | None] = mapped_column(String(64))


class RosterImport(Base):
    """A roster import run as a job: the file it reads, the branches it may import into (`scope_paths`, None
    citywide), how far it got (`last_row`, the file's row up to which every row is settled) and which
    process holds it until when (`worker`, `lease_until`), so that another resumes it after a crash."""

    __tablename__ = "roster_imports"
    __table_args__ = (Index("ix_roster_imports_state", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str | None] = mapped_column(String(8))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    scope_paths = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    total: Mapped[int | None] = mapped_column(Integer)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    last_row: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    warnings = mapped_column(JSON)
    error = mapped_column(JSON)
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until = mapped_column(Instant)
    created_at = mapped_column(Instant, nullable=False)
    started_at = mapped_column(Instant)
    finished_at = mapped_column(Instant)


class RosterImportRejection(Base):
    """A data row an import rejected, with its reason codes, kept with the work of its batch."""

    __tablename__ = "roster_import_rejections"

    import_id: Mapped[str] = mapped_column(ForeignKey("roster_imports.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reasons = mapped_column(JSON, nullable=False)


class LostMember(Base):
    """An entry of the lost-contact register (组织找党员): a member out of contact since a day, last known in a
    branch with a contact, until they are found or transferred. `open_member_id` holds the member while the entry
    is open, so that a member has one open entry at most."""

    __tablename__ = "lost_members"
    __table_args__ = (Index("ix_lost_members_path_status", "last_branch_path", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    open_member_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_branch_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"))
    last_branch_path: Mapped[str] = mapped_column(String(1000))
    since = mapped_column(Date, nullable=False)
    last_contact: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    registered_by: Mapped[str | None] = mapped_column(String(64))
    registered_at = mapped_column(Instant, nullable=False)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at = mapped_column(Instant)
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    transferred_to_org_id: Mapped[str | None] = mapped_column(ForeignKey("orgs.id"))


class LostMemberStep(Base):
    """A step taken to find a lost member: what was done, when, by whom."""

    __tablename__ = "lost_member_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("lost_members.id"), index=True)
    what: Mapped[str] = mapped_column(String(500))
    taken_by: Mapped[str | None] = mapped_column(String(64))
    taken_at = mapped_column(Instant, nullable=False)
