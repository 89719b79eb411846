"""The directory's entrypoints: each validates its input, calls the domain, commits and so announces."""

from partyday_common.acts import ACT_EVENT
from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database, utcnow
from partyday_common.errors import DomainError, validated
from partyday_common.idempotency import once
from partyday_common.service import PartydayService, rpc
from partyday_directory import (
    access,
    accounts,
    audit,
    birthdays,
    grants,
    imports,
    lost_members,
    members,
    orgs,
    public_codes,
    sessions,
)
from partyday_directory.bootstrap import AdminBootstrap
from partyday_directory.delivery import SENDERS
from partyday_directory.expectations import ActExpected
from partyday_directory.import_runner import ImportRunner
from partyday_directory.models import metadata
from partyday_directory.settings import get_settings
from partyday_directory_contracts.events import SUBSCRIBED
from partyday_directory_contracts.imports import ImportStart
from partyday_directory_contracts.rpc import (
    LostMemberFound,
    LostMemberRegister,
    LostMemberStepCreate,
    LostMemberTransferred,
    MemberCreate,
    MemberUpdate,
    OrgCreate,
    OrgSearch,
    OrgUpdate,
    RoleGrantCreate,
)


class DirectoryService(PartydayService):
    name = "directory"
    db = Database(metadata, subscribed=SUBSCRIBED)
    bootstrap = AdminBootstrap()
    import_runner = ImportRunner()

    @rpc
    def ping(self):
        """Readiness: as every service's, and only once the city admin of the settings exists (a login right after
        the stack reports ready must find it)."""
        if not self.bootstrap.done:
            raise DomainError("STARTING", "the directory is still creating the city admin", 503)
        return super().ping()

    @rpc
    def create_org(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add a node to the tree and announce `org_created`."""
        request = validated(OrgCreate, payload)
        with self.db.transaction() as session:
            return once(
                session, "create_org", idempotency_key, {"payload": payload}, lambda: orgs.create(session, request)
            )

    @rpc
    def update_org(self, org_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Rename, reclassify or move a node; a move re-announces every node of its subtree."""
        request = validated(OrgUpdate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "update_org",
                idempotency_key,
                {"org_id": org_id, "payload": payload},
                lambda: orgs.update(session, org_id, request),
            )

    @rpc
    def get_org(self, org_id: str) -> dict:
        """One node of the tree."""
        with self.db.transaction() as session:
            return orgs.view(orgs.get(session, org_id))

    @rpc
    def org_paths(self, org_ids: list[str]) -> dict:
        """Path, level and name of each known node; unknown ids are left out."""
        with self.db.transaction() as session:
            return orgs.paths(session, org_ids)

    @rpc
    def list_children(self, org_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The direct children of a node, by name, a page at a time."""
        with self.db.transaction() as session:
            return orgs.children_page(session, org_id, page, page_size)

    @rpc
    def find_org_by_code(self, code: str) -> dict | None:
        """The node with this code, or None."""
        with self.db.transaction() as session:
            return orgs.find_by_code(session, code)

    @rpc
    def search_orgs(self, payload: dict, page: int = 1, page_size: int = 20) -> dict:
        """Nodes within the subtrees asked for whose name contains `q` or whose code starts with it, a page at a
        time (a picker's suggestions)."""
        request = validated(OrgSearch, payload)
        with self.db.transaction() as session:
            return orgs.search_page(session, request, page, page_size)

    @rpc
    def create_member(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add a member to a branch, with an account if a password is given; announce `member_joined`."""
        request = validated(MemberCreate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "create_member",
                idempotency_key,
                {"payload": payload},
                lambda: members.create(session, request),
            )

    @rpc
    def update_member(self, member_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Change a member's name, flags or password; announce `member_updated`."""
        request = validated(MemberUpdate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "update_member",
                idempotency_key,
                {"member_id": member_id, "payload": payload},
                lambda: members.update(session, member_id, request),
            )

    @rpc
    def get_member(self, member_id: str) -> dict:
        """One member, with the path of their branch and their role grants for scope checks."""
        with self.db.transaction() as session:
            return members.profile(session, member_id)

    @rpc
    def member_phones(self, member_ids: list) -> dict:
        """The phones of active members by id, for text messages (contact data stays in the directory)."""
        with self.db.transaction() as session:
            return members.phones(session, list(member_ids))

    @rpc
    def transfer_member(
        self, member_id: str, to_org_id: str, reason: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Move a member to another branch, keeping the history and the reason; announce `member_transferred`."""
        with self.db.transaction() as session:
            return once(
                session,
                "transfer_member",
                idempotency_key,
                {"member_id": member_id, "to_org_id": to_org_id, "reason": reason},
                lambda: members.transfer(session, member_id, to_org_id, reason),
            )

    @rpc
    def leave_member(self, member_id: str, reason: str | None = None, idempotency_key: str | None = None) -> dict:
        """Mark a member as having left (the reason audited) and end their sessions; announce `member_left`."""
        with self.db.transaction() as session:
            return once(
                session,
                "leave_member",
                idempotency_key,
                {"member_id": member_id, "reason": reason},
                lambda: members.leave(session, member_id, reason),
            )

    @rpc
    def member_history(self, member_id: str) -> list:
        """A member's transfers between branches, oldest first."""
        with self.db.transaction() as session:
            return members.history(session, member_id)

    @rpc
    def list_members(self, org_id: str, page: int = 1, page_size: int = 50, filters: dict | None = None) -> dict:
        """Active members of every branch under a node, by name, a page at a time; `filters`: `q` (part of a
        name or a phone), `mobile`, `lost_contact`."""
        with self.db.transaction() as session:
            return members.page_under(session, org_id, page, page_size, filters)

    @rpc
    def political_birthdays(self, branch_id: str, month: str) -> dict:
        """The branch's active members whose political birthday (joining anniversary) falls in `month` (YYYY-MM),
        with the years in the Party (`birthdays.years_in_month`)."""
        with self.db.transaction() as session:
            return birthdays.branch_birthdays(session, branch_id, month)

    @rpc
    def register_lost_member(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Enter a member in the lost-contact register and set their flag; audited."""
        request = validated(LostMemberRegister, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "register_lost_member",
                idempotency_key,
                {"payload": payload},
                lambda: lost_members.register(session, request, utcnow()),
            )

    @rpc
    def add_lost_member_step(self, entry_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Keep a step taken to find the member of an open entry; audited."""
        request = validated(LostMemberStepCreate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "add_lost_member_step",
                idempotency_key,
                {"entry_id": entry_id, "payload": payload},
                lambda: lost_members.add_step(session, entry_id, request, utcnow()),
            )

    @rpc
    def lost_member_found(self, entry_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Close an open entry as found and clear the member's flag; audited."""
        request = validated(LostMemberFound, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "lost_member_found",
                idempotency_key,
                {"entry_id": entry_id, "payload": payload},
                lambda: lost_members.found(session, entry_id, request, utcnow()),
            )

    @rpc
    def lost_member_transferred(self, entry_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Close an open entry by transferring the member to another branch and clear their flag; audited."""
        request = validated(LostMemberTransferred, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "lost_member_transferred",
                idempotency_key,
                {"entry_id": entry_id, "payload": payload},
                lambda: lost_members.transferred(session, entry_id, request, utcnow()),
            )

    @rpc
    def get_lost_member(self, entry_id: str) -> dict:
        """One entry of the register with its steps."""
        with self.db.transaction() as session:
            return lost_members.find(session, entry_id)

    @rpc
    def list_lost_members(self, org_id: str, status: str | None = None, page: int = 1, page_size: int = 50) -> dict:
        """Entries whose last known branch is under `org_id`, newest first, a page at a time; `status`: open,
        found or transferred."""
        with self.db.transaction() as session:
            return lost_members.page_under(session, org_id, status, page, page_size)

    @rpc
    def lost_member_counts(self, org_id: str) -> dict:
        """Open entries under `org_id` and under each of its children."""
        with self.db.transaction() as session:
            return lost_members.open_counts(session, org_id)

    @rpc
    def start_import(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Queue the import of a roster file the gateway put in the object store and answer it at once; a
        directory process runs it in the background (`get_import` follows it). The file is deleted when the
        import is refused, repeated with the same Idempotency-Key, done or failed."""
        request = validated(ImportStart, payload)
        with self.db.transaction() as session:
            started = imports.start_once(session, request, idempotency_key, self.import_runner.storage)
        self.import_runner.wake()
        return started

    @rpc
    def get_import(
        self, import_id: str, reader: str | None = None, citywide: bool = False, page: int = 1, page_size: int = 50
    ) -> dict:
        """An import's progress and a page of the rows it rejected, for whoever started it or holds a role
        covering its branches (`citywide`: an operator at a shell)."""
        with self.db.transaction() as session:
            return imports.progress(session, import_id, reader, citywide, page, page_size)

    @rpc
    def grant_role(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Bind a role to a member at a node of the tree."""
        request = validated(RoleGrantCreate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "grant_role",
                idempotency_key,
                {"payload": payload},
                lambda: grants.grant(session, request.member_id, request.role, request.org_id),
            )

    @rpc
    def get_grant(self, grant_id: str) -> dict:
        """A role grant, active or revoked (`active`), with the path of its node."""
        with self.db.transaction() as session:
            return grants.find(session, grant_id, active_only=False)

    @rpc
    def list_grants(
        self, org_id: str | None = None, member_id: str | None = None, page: int = 1, page_size: int = 50
    ) -> dict:
        """Active role grants at the nodes under `org_id`, or of `member_id`, newest first, a page at a time."""
        with self.db.transaction() as session:
            return grants.page(session, org_id, member_id, page, page_size)

    @rpc
    def revoke_grant(self, grant_id: str, idempotency_key: str | None = None) -> dict:
        """End an active role grant."""
        with self.db.transaction() as session:
            return once(
                session,
                "revoke_grant",
                idempotency_key,
                {"grant_id": grant_id},
                lambda: grants.revoke(session, grant_id),
            )

    @rpc
    def authenticate(self, phone: str, password: str, code: str | None = None) -> dict:
        """Check a member's phone and password and open a session (`password_change_required` when the member
        must set their own first); 401 LOGIN_FAILED, 429 for an address or a phone and address failing too often,
        401 SECOND_FACTOR_REQUIRED (a code sent to the phone) for a phone tried from many addresses."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            outcome = sessions.authenticate(
                session, phone, password, code, settings.secret_key, settings.login_failures_per_address_per_minute
            )
        if outcome.get("code"):
            SENDERS[settings.code_sender]().send(phone, outcome["code"])
        if outcome.get("second_factor"):
            raise access.second_factor_required(code_sent=outcome["code"] is not None, code_given=code is not None)
        if not outcome.pop("ok"):
            raise DomainError("LOGIN_FAILED", "the phone number or the password is wrong", 401)
        return outcome

    @rpc
    def change_password(
        self,
        member_id: str,
        session_id: str,
        current_password: str,
        new_password: str,
        idempotency_key: str | None = None,
    ) -> dict:
        """A member's own new password, the current one required (403 PASSWORD_WRONG); their other sessions end."""
        request = {"member_id": member_id, "session_id": session_id, "current": current_password, "new": new_password}
        with self.db.transaction() as session:
            outcome = once(
                session,
                "change_password",
                idempotency_key,
                request,
                lambda: accounts.change(
                    session, member_id, session_id, current_password, new_password, get_settings().password_min_length
                ),
            )
        if not outcome.pop("ok"):
            raise DomainError("PASSWORD_WRONG", "the current password is wrong", 403)
        return outcome

    @rpc
    def reset_password(self, member_id: str, password: str, idempotency_key: str | None = None) -> dict:
        """An admin's reset of a member's password, which the member must change at their next login; audited."""
        with self.db.transaction() as session:
            return once(
                session,
                "reset_password",
                idempotency_key,
                {"member_id": member_id, "password": password},
                lambda: accounts.reset(session, member_id, password, get_settings().password_min_length),
            )

    @rpc
    def issue_reset_code(self, phone: str) -> dict:
        """Send a code to replace a forgotten password to the phone, if it has an account (the same answer if not)."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            code, deliver = accounts.issue_reset_code(
                session, phone, settings.secret_key, settings.login_failures_per_address_per_minute
            )
        if deliver:
            SENDERS[settings.code_sender]().send(phone, code)
        return {"expires_in": int(access.CODE_LIFETIME.total_seconds())}

    @rpc
    def reset_forgotten_password(self, phone: str, code: str, new_password: str) -> None:
        """Replace a forgotten password with the code sent to the phone; every session of the member ends."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            outcome = accounts.reset_forgotten(
                session,
                phone,
                str(code),
                new_password,
                settings.secret_key,
                settings.password_min_length,
                settings.login_failures_per_address_per_minute,
            )
        if not outcome["ok"]:
            raise DomainError("CODE_INVALID", "the code is wrong", 401)

    @rpc
    def rotate_refresh(self, session_id: str, refresh_id: str) -> dict:
        """The next refresh id of a session; reusing an old one revokes the session."""
        with self.db.transaction() as session:
            outcome = sessions.rotate(session, session_id, refresh_id)
        if outcome.pop("reused"):
            raise DomainError("REFRESH_REUSED", "this refresh token was already used; the session is revoked", 401)
        return outcome

    @rpc
    def logout(self, session_id: str) -> None:
        """Revoke a session and every token of its family."""
        with self.db.transaction() as session:
            sessions.revoke(session, session_id, "logout")

    @rpc
    def auth_context(self, subject: str, session_id: str) -> dict:
        """Whether a session lives, and its member's branch and role grants."""
        with self.db.transaction() as session:
            return sessions.context(session, subject, session_id)

    @rpc
    def ended_sessions(self, since: str) -> list:
        """The ids of sessions revoked at or after `since` (ISO 8601): a gateway fills its list of ended
        sessions with them when it starts, then follows `session_ended`."""
        with self.db.transaction() as session:
            return sessions.ended_since(session, instant(since))

    @rpc
    def issue_public_code(self, phone: str) -> dict:
        """Send a one-time login code to a voter's phone."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            code = public_codes.issue_code(
                session, phone, settings.secret_key, "public", settings.login_failures_per_address_per_minute
            )
        SENDERS[settings.code_sender]().send(phone, code)
        return {"expires_in": int(access.CODE_LIFETIME.total_seconds())}

    @rpc
    def public_login(self, phone: str, code: str) -> dict:
        """Check a voter's one-time code and open a public session."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            outcome = public_codes.redeem_code(
                session, phone, str(code), settings.secret_key, settings.login_failures_per_address_per_minute
            )
        if not outcome.pop("ok"):
            raise DomainError("CODE_INVALID", "the code is wrong", 401)
        return outcome

    @rpc
    def verify_public_code(self, phone: str, code: str) -> dict:
        """Check the one-time code sent to a phone by `issue_public_code` without opening a session (a resident's
        volunteer request proves their phone with it); answers the phone as kept, 401 CODE_INVALID otherwise."""
        phone, settings = access.phone_of(phone), get_settings()
        with self.db.transaction() as session:
            verified = public_codes.verify_public_code(
                session, phone, str(code), settings.secret_key, settings.login_failures_per_address_per_minute
            )
        if not verified:
            raise DomainError("CODE_INVALID", "the code is wrong", 401)
        return {"phone": phone}

    @event_consumer("volunteers", ACT_EVENT, expects=ActExpected)
    def on_volunteers_act(self, event, act: ActExpected):
        """Volunteers' administrative acts (a branch taking in, declining, dispatching a request) join the audit
        log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)

    @rpc
    def audit_entries(
        self, scope_paths: list | None, page: int = 1, page_size: int = 50, filters: dict | None = None
    ) -> dict:
        """Administrative actions of every service, newest first; with scope paths, only those within them;
        `filters` by actor, action, object and time (`audit.entries_page`)."""
        with self.db.transaction() as session:
            return audit.entries_page(session, scope_paths, page, page_size, filters)

    @event_consumer("plans", ACT_EVENT, expects=ActExpected)
    def on_plans_act(self, event, act: ActExpected):
        """Plans' administrative acts (reviews, directives, rectifications) join the audit log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)

    @event_consumer("attendance", ACT_EVENT, expects=ActExpected)
    def on_attendance_act(self, event, act: ActExpected):
        """Attendance's administrative acts (leave decisions) join the audit log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)

    @event_consumer("media", ACT_EVENT, expects=ActExpected)
    def on_media_act(self, event, act: ActExpected):
        """Media's administrative acts (reviews) join the audit log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)

    @event_consumer("scoring", ACT_EVENT, expects=ActExpected)
    def on_scoring_act(self, event, act: ActExpected):
        """Scoring's administrative acts (evaluations, campaigns, superior scores) join the audit log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)

    @event_consumer("quizzes", ACT_EVENT, expects=ActExpected)
    def on_quizzes_act(self, event, act: ActExpected):
        """Quizzes' administrative acts (question banks, quizzes) join the audit log."""
        with self.db.transaction() as session:
            audit.keep_act(session, event, act)
