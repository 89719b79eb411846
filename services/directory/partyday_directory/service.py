import logging

from nameko.extensions import DependencyProvider
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from partyday_common.clock import instant
from partyday_common.db import Database, make_engine
from partyday_common.errors import DomainError, invalid, validated
from partyday_common.idempotency import previous_response, remember_response
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc
from partyday_common.settings import get_settings
from partyday_directory import accounts, audit, members, orgs
from partyday_directory.delivery import SENDERS
from partyday_directory.models import AuditEntry, Org, metadata
from partyday_directory.passwords import hash_password
from partyday_directory_contracts.rpc import (
    MemberCreate,
    MemberUpdate,
    OrgCreate,
    OrgUpdate,
    RoleGrantCreate,
    normalise_phone,
)

log = logging.getLogger(__name__)


def phone_of(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValueError as exc:
        raise invalid("PHONE_INVALID", str(exc))


class AdminBootstrap(DependencyProvider):
    """On start, makes sure the city and the city admin named by PARTYDAY_ADMIN_PHONE exist."""

    def start(self):
        settings = get_settings()
        if not (settings.admin_phone and settings.admin_password):
            log.warning("no PARTYDAY_ADMIN_PHONE and PARTYDAY_ADMIN_PASSWORD: no city admin was created")
            return
        engine = make_engine(self.container.config.get("DATABASE_URL") or settings.database_url("directory"))
        try:
            with DbSession(engine) as session:
                session.info.update(service="directory", outbox_table=metadata.tables["outbox_messages"],
                                    metadata=metadata, actor_id="bootstrap")
                accounts.ensure_city_admin(session, phone_of(settings.admin_phone), settings.admin_password,
                                           settings.city_name, settings.city_code)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
        finally:
            engine.dispose()


class DirectoryService(PartydayService):
    name = "directory"
    db = Database(metadata)
    bootstrap = AdminBootstrap()

    @rpc
    def create_org(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add a node to the tree and announce `org_created`; a repeated key gets the first answer."""
        request = validated(OrgCreate, payload)
        with self.db.transaction() as session:
            previous = previous_response(session, "create_org", idempotency_key, payload)
            if previous is not None:
                return previous
            created = orgs.create(session, request)
            remember_response(session, "create_org", idempotency_key, payload, created)
        return created

    @rpc
    def update_org(self, org_id: str, payload: dict) -> dict:
        """Rename, reclassify or move a node; a move re-announces every node of its subtree."""
        request = validated(OrgUpdate, payload)
        with self.db.transaction() as session:
            return orgs.update(session, org_id, request)

    @rpc
    def get_org(self, org_id: str) -> dict:
        """One node of the tree."""
        with self.db.transaction() as session:
            return orgs.view(orgs.get(session, org_id))

    @rpc
    def org_paths(self, org_ids: list[str]) -> dict:
        """Path, level and name of each known node; unknown ids are left out."""
        with self.db.transaction() as session:
            return orgs.paths(session, list(org_ids)[:500])

    @rpc
    def list_children(self, org_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The direct children of a node, by name, a page at a time."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = orgs.children_page(session, org_id, offset, limit)
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc
    def find_org_by_code(self, code: str) -> dict | None:
        """The node with this code, or None."""
        with self.db.transaction() as session:
            org = session.scalar(select(Org).where(Org.code == code))
            return orgs.view(org) if org else None

    @rpc
    def create_member(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add a member to a branch, with an account if a password is given; announce `member_joined`."""
        request = validated(MemberCreate, payload)
        with self.db.transaction() as session:
            previous = previous_response(session, "create_member", idempotency_key, payload)
            if previous is not None:
                return previous
            created = members.create(session, request)
            remember_response(session, "create_member", idempotency_key, payload, created)
        return created

    @rpc
    def update_member(self, member_id: str, payload: dict) -> dict:
        """Change a member's name, flags or password; announce `member_updated`."""
        request = validated(MemberUpdate, payload)
        with self.db.transaction() as session:
            return members.update(session, member_id, request)

    @rpc
    def get_member(self, member_id: str) -> dict:
        """One member, with the path of their branch for scope checks."""
        with self.db.transaction() as session:
            member = members.get(session, member_id)
            path = orgs.get(session, member.branch_id).path if member.branch_id else None
            return {**members.view(member), "branch_path": path, "grants": accounts.grants_of(session, member_id)}

    @rpc
    def transfer_member(self, member_id: str, to_org_id: str) -> dict:
        """Move a member to another branch, keeping the history; announce `member_transferred`."""
        with self.db.transaction() as session:
            return members.transfer(session, member_id, to_org_id)

    @rpc
    def leave_member(self, member_id: str) -> dict:
        """Mark a member as having left; announce `member_left`."""
        with self.db.transaction() as session:
            return members.leave(session, member_id)

    @rpc
    def member_history(self, member_id: str) -> list:
        """A member's transfers between branches, oldest first."""
        with self.db.transaction() as session:
            return members.history(session, member_id)

    @rpc
    def list_members(self, org_id: str, page: int = 1, page_size: int = 50) -> dict:
        """Active members of every branch under a node, by name, a page at a time."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = members.page_under(session, org_id, offset, limit)
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc
    def import_members(self, rows: list, scope_paths: list | None = None,
                       initial_password: str | None = None) -> list:
        """Create the members of validated roster rows; each row's outcome, in order."""
        if initial_password is not None and len(initial_password) < 8:
            raise invalid("PASSWORD_TOO_SHORT", "an initial password has at least 8 characters")
        default_hash = hash_password(initial_password) if initial_password else None
        try:
            with self.db.transaction() as session:
                return members.import_rows(session, rows, scope_paths, default_hash)
        except IntegrityError:
            raise DomainError("IMPORT_CONFLICT", "another import added some of these members meanwhile; retry", 409)

    @rpc
    def grant_role(self, payload: dict) -> dict:
        """Bind a role to a member at a node of the tree."""
        request = validated(RoleGrantCreate, payload)
        with self.db.transaction() as session:
            return accounts.grant(session, request.member_id, request.role, request.org_id)

    @rpc
    def get_grant(self, grant_id: str) -> dict:
        """An active role grant, with the path of its node."""
        with self.db.transaction() as session:
            return accounts.find_grant(session, grant_id)

    @rpc
    def revoke_grant(self, grant_id: str) -> dict:
        """End a role grant."""
        with self.db.transaction() as session:
            return accounts.revoke_grant(session, grant_id)

    @rpc
    def authenticate(self, phone: str, password: str) -> dict:
        """Check a member's phone and password and open a session; 401 or 429 otherwise."""
        with self.db.transaction() as session:
            outcome = accounts.authenticate(session, phone_of(phone), password)
        if not outcome.pop("ok"):
            raise DomainError("LOGIN_FAILED", "the phone number or the password is wrong", 401)
        return outcome

    @rpc
    def rotate_refresh(self, session_id: str, refresh_id: str) -> dict:
        """The next refresh id of a session; reusing an old one revokes the session."""
        with self.db.transaction() as session:
            outcome = accounts.rotate(session, session_id, refresh_id)
        if outcome.pop("reused"):
            raise DomainError("REFRESH_REUSED", "this refresh token was already used; the session is revoked", 401)
        return outcome

    @rpc
    def logout(self, session_id: str) -> None:
        """Revoke a session and every token of its family."""
        with self.db.transaction() as session:
            accounts.revoke(session, session_id, "logout")

    @rpc
    def auth_context(self, subject: str, session_id: str) -> dict:
        """Whether a session lives, and its member's branch and role grants."""
        with self.db.transaction() as session:
            return accounts.context(session, subject, session_id)

    @rpc
    def ended_sessions(self, since: str) -> list:
        """The ids of sessions revoked at or after `since` (ISO 8601): a gateway fills its list of ended
        sessions with them when it starts, then follows `session_ended`."""
        with self.db.transaction() as session:
            return accounts.ended_since(session, instant(since))

    @rpc
    def issue_public_code(self, phone: str) -> dict:
        """Send a one-time login code to a voter's phone."""
        phone = phone_of(phone)
        settings = get_settings()
        with self.db.transaction() as session:
            code = accounts.issue_code(session, phone, settings.secret_key)
        SENDERS[settings.code_sender]().send(phone, code)
        return {"expires_in": int(accounts.access.CODE_LIFETIME.total_seconds())}

    @rpc
    def public_login(self, phone: str, code: str) -> dict:
        """Check a voter's one-time code and open a public session."""
        with self.db.transaction() as session:
            outcome = accounts.redeem_code(session, phone_of(phone), str(code), get_settings().secret_key)
        if not outcome.pop("ok"):
            raise DomainError("CODE_INVALID", "the code is wrong", 401)
        return outcome

    @rpc
    def audit_entries(self, scope_paths: list | None, page: int = 1, page_size: int = 50) -> dict:
        """Administrative actions, newest first; with scope paths, only those within them."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            query = select(AuditEntry)
            if scope_paths is not None:
                query = query.where(or_(False, *[AuditEntry.org_path.startswith(path, autoescape=True)
                                                 for path in scope_paths]))
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            entries = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
            return {"items": [audit.entry_view(e) for e in entries], "total": total, "page": page,
                    "page_size": page_size}
