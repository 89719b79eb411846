"""The volunteers service's entrypoints: each validates, calls the domain modules and commits; the events it
emits are written by the domain in the same transaction (the outbox)."""

from nameko.extensions import DependencyProvider

from partyday_common.clock import instant
from partyday_common.db import Database, utcnow
from partyday_common.errors import validated
from partyday_common.idempotency import once_in_transaction, previous_response
from partyday_common.member_following import member_following
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.rpc import TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_common.storage import make_storage
from partyday_volunteers import completion, people, requests, stats
from partyday_volunteers.expectations import MemberExpected, MembersImportedExpected
from partyday_volunteers.models import metadata, org_nodes
from partyday_volunteers.settings import get_settings
from partyday_volunteers_contracts.events import SUBSCRIBED
from partyday_volunteers_contracts.rpc import Completion, Decline, Dispatch, Rating, RequestSubmit


class Storage(DependencyProvider):
    """The object store of PARTYDAY_MEDIA_STORAGE: an upload refused before media saw it is removed from it."""

    def setup(self):
        self.storage = make_storage(get_settings())

    def get_dependency(self, worker_ctx):
        return self.storage


MemberFollowing = member_following(MemberExpected, MembersImportedExpected)


class VolunteersService(OrgTreeProjection, MemberFollowing, PartydayService):
    name = "volunteers"
    db = Database(metadata, subscribed=SUBSCRIBED)
    storage = Storage()
    directory = TimedRpcProxy("directory")
    media = TimedRpcProxy("media", timeout=60)
    org_nodes = org_nodes
    following = people

    @rpc
    def submit_request(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A resident's request, their phone proved by the one-time code the directory sent it (checked by the
        directory: 401 CODE_INVALID, CODE_EXPIRED); answers the request and the token that follows it."""
        body = validated(RequestSubmit, payload)
        with self.db.transaction() as session:
            if (earlier := previous_response(session, "submit_request", idempotency_key, payload)) is not None:
                return earlier
        phone = self.directory.verify_public_code(body.phone, body.code)["phone"]
        within = get_settings().volunteers_accept_within_h
        return once_in_transaction(
            self.db,
            "submit_request",
            idempotency_key,
            payload,
            lambda session: requests.submit(session, body, phone, utcnow(), within),
        )

    @rpc
    def get_request(self, request_id: str) -> dict:
        """One request with its history, as its branch sees it."""
        with self.db.transaction() as session:
            return requests.with_history(requests.get(session, request_id), session)

    @rpc
    def follow_request(self, token: str) -> dict:
        """One request with its history, as the resident who posted it sees it (their phone masked)."""
        with self.db.transaction() as session:
            return requests.with_history(requests.by_token(session, token), session, for_branch=False)

    @rpc
    def photo(self, request_id: str) -> dict:
        """Where the completion photo is stored, its type, and whose the request is (for scope checks)."""
        with self.db.transaction() as session:
            found = requests.get(session, request_id)
            return {
                "key": found.photo_key,
                "content_type": found.photo_type,
                "branch_id": found.branch_id,
                "claimed_by": found.claimed_by,
            }

    @rpc
    def photo_by_token(self, token: str) -> dict:
        """The completion photo of the resident's own request."""
        with self.db.transaction() as session:
            found = requests.by_token(session, token)
            return {"key": found.photo_key, "content_type": found.photo_type, "branch_id": found.branch_id}

    @rpc
    def accept_request(self, request_id: str, actor_id: str, idempotency_key: str | None = None) -> dict:
        """The branch takes the request in (409 REQUEST_STATE_CONFLICT unless it is submitted)."""
        request = {"request_id": request_id, "actor_id": actor_id}
        return once_in_transaction(
            self.db,
            "accept_request",
            idempotency_key,
            request,
            lambda session: requests.accept(session, request_id, actor_id, utcnow()),
        )

    @rpc
    def decline_request(
        self, request_id: str, actor_id: str, payload: dict, idempotency_key: str | None = None
    ) -> dict:
        """The branch declines the request with a reason."""
        body = validated(Decline, payload)
        request = {"request_id": request_id, "actor_id": actor_id, "payload": payload}
        return once_in_transaction(
            self.db,
            "decline_request",
            idempotency_key,
            request,
            lambda session: requests.decline(session, request_id, actor_id, body.reason, utcnow()),
        )

    @rpc
    def dispatch_request(
        self, request_id: str, actor_id: str, payload: dict, idempotency_key: str | None = None
    ) -> dict:
        """The branch dispatches the request to named members of its own."""
        body = validated(Dispatch, payload)
        request = {"request_id": request_id, "actor_id": actor_id, "payload": payload}
        return once_in_transaction(
            self.db,
            "dispatch_request",
            idempotency_key,
            request,
            lambda session: requests.dispatch(session, request_id, actor_id, body.member_ids, utcnow()),
        )

    @rpc
    def publish_request(self, request_id: str, actor_id: str, idempotency_key: str | None = None) -> dict:
        """The branch publishes the request to all its members."""
        request = {"request_id": request_id, "actor_id": actor_id}
        return once_in_transaction(
            self.db,
            "publish_request",
            idempotency_key,
            request,
            lambda session: requests.publish(session, request_id, actor_id, utcnow()),
        )

    @rpc
    def claim_request(self, request_id: str, member_id: str, idempotency_key: str | None = None) -> dict:
        """A member claims the work (403 NOT_DISPATCHED_TO_YOU, 409 once claimed by another)."""
        request = {"request_id": request_id, "member_id": member_id}
        return once_in_transaction(
            self.db,
            "claim_request",
            idempotency_key,
            request,
            lambda session: requests.claim(session, request_id, member_id, utcnow()),
        )

    @rpc
    def complete_request(
        self, request_id: str, member_id: str, upload: dict, payload: dict, idempotency_key: str | None = None
    ) -> dict:
        """The member who claimed it records it done with a photo (streamed by the gateway under `upload`'s key)."""
        body = validated(Completion, payload)
        return completion.complete(
            self.db, self.storage, self.media, request_id, member_id, upload, body.note, idempotency_key, payload
        )

    @rpc
    def confirm_request(self, token: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """The resident confirms the work done and rates it from 1 to 5."""
        body = validated(Rating, payload)
        request = {"token": token, "payload": payload}
        return once_in_transaction(
            self.db,
            "confirm_request",
            idempotency_key,
            request,
            lambda session: requests.confirm(session, token, body.rating, body.comment, utcnow()),
        )

    @rpc
    def cancel_request(self, token: str, idempotency_key: str | None = None) -> dict:
        """The resident withdraws the request before anyone claimed it."""
        return once_in_transaction(
            self.db,
            "cancel_request",
            idempotency_key,
            {"token": token},
            lambda session: requests.cancel(session, token, utcnow()),
        )

    @rpc
    def branch_requests(
        self, path: str, states: list | None = None, page: int = 1, page_size: int = 20, now: str | None = None
    ) -> dict:
        """Requests of the branches under `path`, of those states if any, newest first, a page at a time."""
        with self.db.transaction() as session:
            return requests.branch_page(session, path, list(states or []), page, page_size, instant(now))

    @rpc
    def overdue_requests(self, path: str, page: int = 1, page_size: int = 20, now: str | None = None) -> dict:
        """Requests under `path` not taken in in time, or not done by the time the resident asked for."""
        with self.db.transaction() as session:
            return requests.overdue_page(session, path, page, page_size, instant(now))

    @rpc
    def member_open_requests(self, member_id: str, page: int = 1, page_size: int = 20) -> dict:
        """What a member may claim: published to their branch or dispatched to them."""
        with self.db.transaction() as session:
            return requests.open_for_member(session, member_id, page, page_size, utcnow())

    @rpc
    def member_claimed_requests(self, member_id: str, page: int = 1, page_size: int = 20) -> dict:
        """A member's claimed work."""
        with self.db.transaction() as session:
            return requests.claimed_by_member(session, member_id, page, page_size, utcnow())

    @rpc
    def branch_stats(self, path: str, month: str) -> dict:
        """Per branch under `path`, the month's requests received, completed, and the average rating."""
        with self.db.transaction() as session:
            return stats.per_branch(session, path, month, get_settings().volunteers_time_zone)
