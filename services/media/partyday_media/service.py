"""The media service's entrypoints: each validates, calls the domain modules and commits; the
events media emits are written by the domain in the same transaction (the outbox)."""

from eventlet import tpool
from nameko.extensions import DependencyProvider

from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import DomainError, invalid, validated
from partyday_common.idempotency import once
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.service import PartydayService, rpc
from partyday_common.storage import make_storage
from partyday_media import (
    activities,
    intake,
    materials,
    media_records,
    month_records,
    reviews,
    study_notes,
    study_progress,
)
from partyday_media.expectations import (
    ActivityClosedExpected,
    DirectiveExpected,
    PlanApprovedExpected,
    SummaryExpected,
)
from partyday_media.models import metadata, org_nodes
from partyday_media.settings import get_settings
from partyday_media_contracts.events import SUBSCRIBED
from partyday_media_contracts.rpc import MaterialText, NoteCreate, ProgressReport


class Storage(DependencyProvider):
    """The media storage of PARTYDAY_MEDIA_STORAGE, made once per service container."""

    def setup(self):
        self.storage = make_storage(get_settings())

    def get_dependency(self, worker_ctx):
        return self.storage


class MediaService(OrgTreeProjection, PartydayService):
    name = "media"
    db = Database(metadata, subscribed=SUBSCRIBED)
    storage = Storage()
    org_nodes = org_nodes

    @event_consumer("plans", "plan_approved", expects=PlanApprovedExpected)
    def on_plan_approved(self, event, payload: PlanApprovedExpected):
        """Follow the activity: its branch, day, venue and required actions."""
        with self.db.transaction() as session:
            activities.follow_plan_approved(session, payload)

    @event_consumer("plans", "summary_submitted", expects=SummaryExpected)
    def on_summary_submitted(self, event, payload: SummaryExpected):
        """The summary's length counts in the detail score."""
        with self.db.transaction() as session:
            activities.follow_summary(session, payload)

    @event_consumer("attendance", "activity_closed", expects=ActivityClosedExpected)
    def on_activity_closed(self, event, payload: ActivityClosedExpected):
        """The sign-in sheet's presence counts in the detail score."""
        with self.db.transaction() as session:
            activities.follow_sheet_closed(session, payload)

    @event_consumer("plans", "directive_published", expects=DirectiveExpected)
    def on_directive_published(self, event, payload: DirectiveExpected):
        """Study materials are attached to directives."""
        with self.db.transaction() as session:
            materials.record_directive(session, payload)

    @rpc
    def activity(self, activity_id: str) -> dict:
        """An approved activity as media knows it (for scope checks before an upload)."""
        with self.db.transaction() as session:
            return activities.view(activities.approved(session, activity_id))

    @rpc
    def ingest(
        self, activity_id: str, upload: dict, idempotency_key: str | None = None, seen_from: list | None = None
    ) -> dict:
        """Check an upload the gateway streamed into storage (its key, the size and sha256 it counted, the
        client's file name): the name, the type judged by content, the kind's size limit, then the whole
        file; store the copies media serves, and record it as pending review, its bytes taken from the
        branch's quota in the same transaction. The incoming object is deleted whatever the outcome, and
        the stored copies too when the upload is refused. A repeat with the same Idempotency-Key gets the
        first answer. Its duplicates are shown as a caller reading the subtrees `seen_from` may see them (as in
        every answer below that shows uploads): elsewhere only as "also used elsewhere"."""
        answer = intake.ingest(
            self.db, self.storage, get_settings(), activity_id, upload, idempotency_key, cpu=tpool.execute
        )
        with self.db.transaction() as session:
            return media_records.seen_from(session, answer, seen_from)

    @rpc
    def keep_photo(self, upload: dict, owner: str) -> dict:
        """A photo another service keeps (`owner`: which record, e.g. a volunteer request), checked like every upload
        and stored re-encoded without EXIF with a web-size copy and a thumbnail; answers their keys. Not reviewed,
        not taken from a branch's quota; the incoming object is deleted whatever the outcome."""
        if not owner.replace("-", "").isalnum() or len(owner) > 80:
            raise DomainError("OWNER_INVALID", "the owner is a plain name", 400)
        return intake.keep_photo(self.storage, get_settings(), upload, owner, cpu=tpool.execute)

    @rpc
    def get_media(self, media_id: str, seen_from: list | None = None) -> dict:
        """One upload: status, evidence, duplicate flags, review, links."""
        with self.db.transaction() as session:
            return media_records.seen_from(session, media_records.details(session, media_id), seen_from)

    @rpc
    def media_file(self, media_id: str, variant: str = "original") -> dict:
        """Where a served copy is stored, its type and download name, and whose it is (for scope checks)."""
        with self.db.transaction() as session:
            return media_records.served_file(session, media_id, variant)

    @rpc
    def review(
        self,
        media_id: str,
        approve: bool,
        reason: str | None = None,
        reviewer_id: str | None = None,
        idempotency_key: str | None = None,
        seen_from: list | None = None,
    ) -> dict:
        """A superior approves an upload, or rejects it with a reason; the detail score follows. A repeat
        with the same Idempotency-Key gets the first answer (not MEDIA_ALREADY_REVIEWED)."""
        reviews.check_reason(approve, reason)
        request = {"media_id": media_id, "approve": approve, "reason": reason, "reviewer_id": reviewer_id}
        with self.db.transaction() as session:
            decided = once(
                session,
                "review",
                idempotency_key,
                request,
                lambda: reviews.decide(session, media_id, bool(approve), reason, reviewer_id),
            )
            return media_records.seen_from(session, decided, seen_from)

    @rpc
    def review_queue(
        self, org_id: str, status: str = "pending", page: int = 1, page_size: int = 50, seen_from: list | None = None
    ) -> dict:
        """Uploads of the subtree of `org_id` with the given status, oldest first, with evidence and duplicate flags."""
        with self.db.transaction() as session:
            return media_records.seen_from(session, reviews.queue(session, org_id, status, page, page_size), seen_from)

    @rpc
    def activity_media(self, activity_id: str, approved_only: bool = False, seen_from: list | None = None) -> dict:
        """An activity's uploads (rejected ones left out; only the approved ones with `approved_only`, what a
        member who administers nothing may see), counts by status and its detail score."""
        with self.db.transaction() as session:
            found = media_records.activity_media(session, activity_id, bool(approved_only))
            return media_records.seen_from(session, found, seen_from)

    @rpc
    def activity_media_page(
        self,
        activity_id: str,
        page: int = 1,
        page_size: int = 50,
        approved_only: bool = False,
        seen_from: list | None = None,
    ) -> dict:
        """`activity_media` a page at a time, with `total`, `page` and `page_size`."""
        with self.db.transaction() as session:
            found = media_records.activity_media(session, activity_id, bool(approved_only), page, page_size)
            return media_records.seen_from(session, found, seen_from)

    @rpc
    def branch_month_records(self, branch_ids: list, month: str) -> dict:
        """Per branch for a month: photo counts by status, links to approved photos, study notes,
        the month's study materials and the detail score (for spot checks and the six haves)."""
        with self.db.transaction() as session:
            return month_records.of_branches(session, branch_ids, month)

    @rpc
    def directive(self, directive_id: str) -> dict:
        """A directive as media knows it (for scope checks on its study materials)."""
        with self.db.transaction() as session:
            return materials.directive_view(materials.directive(session, directive_id))

    @rpc
    def add_text_material(
        self, directive_id: str, payload: dict, uploaded_by: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Attach a text to a directive's study package; a repeat with the same Idempotency-Key gets the
        first answer."""
        body = validated(MaterialText, payload)
        request = {"directive_id": directive_id, "payload": payload, "uploaded_by": uploaded_by}
        with self.db.transaction() as session:
            return once(
                session,
                "add_text_material",
                idempotency_key,
                request,
                lambda: materials.add_text(session, directive_id, body.title, body.text, uploaded_by),
            )

    @rpc
    def add_file_material(
        self, directive_id: str, title: str, upload: dict, idempotency_key: str | None = None
    ) -> dict:
        """Attach a micro lesson (MP4) or a document (PDF) the gateway streamed into storage, checked like
        every upload. The incoming object is deleted whatever the outcome, the stored copy too when the
        material is not recorded; a repeat with the same Idempotency-Key gets the first answer."""
        return intake.add_file_material(
            self.db, self.storage, get_settings(), directive_id, title, upload, idempotency_key, cpu=tpool.execute
        )

    @rpc
    def material(self, material_id: str) -> dict:
        """A study material with its directive's scope and, for a file, where it is stored."""
        with self.db.transaction() as session:
            return materials.details(session, material_id)

    @rpc
    def directive_materials(self, directive_id: str, page: int = 1, page_size: int = 50) -> dict:
        """A directive's study package, oldest first, a page at a time (`items`, `total`, `page`, `page_size`)."""
        with self.db.transaction() as session:
            return materials.of_directive(session, directive_id, page, page_size)

    @rpc
    def month_materials(self, branch_id: str, month: str, page: int = 1, page_size: int = 50) -> dict:
        """The study materials of the directives that apply to a branch in a month (its task), oldest
        first, a page at a time (`items`, `total`, `page`, `page_size`)."""
        with self.db.transaction() as session:
            return materials.of_month(session, branch_id, month, page, page_size)

    @rpc
    def add_note(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A member's study note for a month; a repeat with the same Idempotency-Key gets the first answer."""
        note = validated(NoteCreate, payload)
        with self.db.transaction() as session:
            return once(
                session, "add_note", idempotency_key, {"payload": payload}, lambda: study_notes.add(session, note)
            )

    @rpc
    def notes(
        self, branch_id: str, month: str, page: int = 1, page_size: int = 50, member_id: str | None = None
    ) -> dict:
        """A branch's study notes of a month, oldest first; one member's with `member_id`."""
        with self.db.transaction() as session:
            return study_notes.of_month(session, branch_id, month, page, page_size, member_id)

    @rpc
    def note(self, note_id: str) -> dict:
        """One study note."""
        with self.db.transaction() as session:
            return study_notes.get(session, note_id)

    @rpc
    def report_progress(
        self,
        material_id: str,
        member_id: str,
        payload: dict,
        now: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """A member's progress on a study material as their phone reports it (opened, how far, finished); it only
        goes forward, so a repeat or an older report changes nothing."""
        body, at = validated(ProgressReport, payload).model_dump(), instant(now)
        request = {"material_id": material_id, "member_id": member_id, "payload": payload, "now": now}
        with self.db.transaction() as session:
            return once(
                session,
                "report_progress",
                idempotency_key,
                request,
                lambda: study_progress.report(session, material_id, member_id, body, at),
            )

    @rpc
    def directive_progress(self, directive_id: str, member_ids: list) -> dict:
        """A directive's materials and, per member named (a page of a branch's), not opened, opened or finished."""
        if not isinstance(member_ids, list) or not all(isinstance(item, str) for item in member_ids):
            raise invalid("MEMBERS_INVALID", "member_ids is a list of ids")
        with self.db.transaction() as session:
            return study_progress.of_members(session, directive_id, member_ids)

    @rpc
    def member_progress(self, member_id: str, material_ids: list) -> dict:
        """One member's progress on the materials named, by material id (the phone's month)."""
        if not isinstance(material_ids, list) or not all(isinstance(item, str) for item in material_ids):
            raise invalid("MATERIALS_INVALID", "material_ids is a list of ids")
        with self.db.transaction() as session:
            return study_progress.of_member(session, member_id, material_ids)
