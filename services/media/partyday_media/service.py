import re
import uuid

from eventlet import tpool
from nameko.extensions import DependencyProvider
from prometheus_client import Counter
from sqlalchemy import select

from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import DomainError, invalid, not_found, validated
from partyday_common.idempotency import previous_response, remember_response
from partyday_common.orgtree import OrgTreeProjection, get_node
from partyday_common.service import PartydayService, rpc
from partyday_common.settings import get_settings
from partyday_media import records, uploads
from partyday_media.models import Media, StudyMaterial, StudyNote, metadata, org_nodes
from partyday_media_contracts.rpc import (
    INCOMING_KEY,
    ActivityClosedExpected,
    DirectiveExpected,
    MaterialText,
    NoteCreate,
    PlanApprovedExpected,
    SummaryExpected,
    Upload,
)
from partyday_common.storage import make_storage

UPLOADS = Counter("partyday_media_uploads_total", "Uploads checked, by kind and outcome (a reason code when refused).",
                  ["kind", "outcome"])
VARIANTS = ("original", "thumbnail", "web")
INCOMING = re.compile(INCOMING_KEY)


class Storage(DependencyProvider):
    """The media storage of PARTYDAY_MEDIA_STORAGE, made once per service container."""

    def setup(self):
        self.storage = make_storage(get_settings())

    def get_dependency(self, worker_ctx):
        return self.storage


class MediaService(OrgTreeProjection, PartydayService):
    name = "media"
    db = Database(metadata)
    storage = Storage()
    org_nodes = org_nodes

    @event_consumer("plans", "plan_approved")
    def on_plan_approved(self, event):
        """Follow the activity: its branch, day, venue and required actions."""
        data = PlanApprovedExpected.model_validate(event.data).model_dump(mode="json")
        with self.db.transaction() as session:
            records.follow_plan_approved(session, data)

    @event_consumer("plans", "summary_submitted")
    def on_summary_submitted(self, event):
        """The summary's length counts in the detail score."""
        data = SummaryExpected.model_validate(event.data).model_dump(mode="json")
        with self.db.transaction() as session:
            records.follow_summary(session, data)

    @event_consumer("attendance", "activity_closed")
    def on_activity_closed(self, event):
        """The sign-in sheet's presence counts in the detail score."""
        data = ActivityClosedExpected.model_validate(event.data).model_dump(mode="json")
        with self.db.transaction() as session:
            records.follow_sheet_closed(session, data)

    @event_consumer("plans", "directive_published")
    def on_directive_published(self, event):
        """Study materials are attached to directives."""
        data = DirectiveExpected.model_validate(event.data).model_dump(mode="json")
        with self.db.transaction() as session:
            records.record_directive(session, data)

    @rpc
    def activity(self, activity_id: str) -> dict:
        """An approved activity as media knows it (for scope checks before an upload)."""
        with self.db.transaction() as session:
            act = records.activity(session, activity_id)
            return {"activity_id": act.id, "branch_id": act.branch_id, "month": act.month,
                    "required_actions": act.required_actions}

    @rpc
    def ingest(self, activity_id: str, upload: dict, idempotency_key: str | None = None) -> dict:
        """Check an upload the gateway streamed into storage (key, format, size, sha256 it saw),
        store the copies media serves, and record it as pending review, its bytes taken from the
        branch's quota in the same transaction; the incoming object is deleted whatever the outcome,
        and the stored copies too when the upload is refused. A repeat with the same Idempotency-Key
        gets the first answer."""
        settings, storage = get_settings(), self.storage
        request = _upload(storage, upload)
        same_request = {"activity_id": activity_id, **{name: value for name, value in request.items() if name != "key"}}
        media_id = uuid.uuid4().hex
        stored = None
        try:
            with self.db.transaction() as session:
                previous = previous_response(session, "ingest", idempotency_key, same_request)
                if previous is not None:
                    return previous
                act = records.activity(session, activity_id)
                records.check_quota(session, act.branch_id, request["size"], settings.media_branch_quota_bytes)
                branch_id, venue_day = act.branch_id, (records.starts_local(act),
                                                       (act.venue_lat, act.venue_lon, act.radius_m))
            stored = uploads.store(storage, request, f"media/{branch_id}/{media_id}", settings, venue_day,
                                   cpu=tpool.execute)
            with self.db.transaction() as session:
                act = records.activity(session, activity_id)
                records.take_quota(session, act.branch_id, stored["stored_bytes"], settings.media_branch_quota_bytes)
                answer = records.add_media(session, act, media_id, request, stored)
                remember_response(session, "ingest", idempotency_key, same_request, answer)
        except Exception as exc:
            if stored is not None:
                uploads.discard(storage, stored["keys"].values())
            UPLOADS.labels(request["format"], exc.code if isinstance(exc, DomainError) else "error").inc()
            raise
        finally:
            storage.delete(request["key"])
        UPLOADS.labels(request["format"], "accepted").inc()
        return answer

    @rpc
    def get_media(self, media_id: str) -> dict:
        """One upload: status, evidence, duplicate flags, review, links."""
        with self.db.transaction() as session:
            media = records.get_media(session, media_id)
            return {**records.view(media), "branch_path": media.branch_path}

    @rpc
    def media_file(self, media_id: str, variant: str = "original") -> dict:
        """Where a served copy is stored, its type and download name, and whose it is (for scope checks)."""
        if variant not in VARIANTS:
            raise invalid("VARIANT_INVALID", "variant is original, thumbnail or web")
        with self.db.transaction() as session:
            media: Media = records.get_media(session, media_id)
            if variant not in media.keys:
                raise DomainError("VARIANT_NOT_FOUND", f"a {media.kind} has no {variant} copy", 404)
            key = media.keys[variant]
            extension = key.rsplit(".", 1)[-1]
            return {"key": key, "content_type": _content_type(extension), "status": media.status,
                    "filename": f"{media_id}-{variant}.{extension}", "branch_id": media.branch_id,
                    "branch_path": media.branch_path}

    @rpc
    def review(self, media_id: str, approve: bool, reason: str | None = None, reviewer_id: str | None = None,
               idempotency_key: str | None = None) -> dict:
        """A superior approves an upload, or rejects it with a reason; the detail score follows. A repeat
        with the same Idempotency-Key gets the first answer (not MEDIA_ALREADY_REVIEWED)."""
        if not approve and (not isinstance(reason, str) or not 0 < len(reason.strip()) <= 1000):
            raise invalid("REASON_REQUIRED", "a rejection needs a reason of 1 to 1000 characters")
        same_request = {"media_id": media_id, "approve": bool(approve), "reason": reason.strip() if reason else None,
                        "reviewer_id": reviewer_id}
        with self.db.transaction() as session:
            previous = previous_response(session, "review", idempotency_key, same_request)
            if previous is not None:
                return previous
            answer = records.review(session, media_id, same_request["approve"], same_request["reason"], reviewer_id)
            remember_response(session, "review", idempotency_key, same_request, answer)
            return answer

    @rpc
    def review_queue(self, org_id: str, status: str = "pending", page: int = 1, page_size: int = 50) -> dict:
        """Uploads of the subtree of `org_id` with the given status, oldest first, with evidence and duplicate flags."""
        with self.db.transaction() as session:
            node = get_node(session, self.org_nodes, org_id)
            if node is None:
                raise not_found("org", org_id)
            return records.review_queue(session, node["path"], status, page, page_size)

    @rpc
    def activity_media(self, activity_id: str, approved_only: bool = False) -> dict:
        """An activity's uploads (rejected ones left out; only the approved ones with `approved_only`, what a
        member who administers nothing may see), counts by status and its detail score."""
        with self.db.transaction() as session:
            return records.activity_media(session, activity_id, bool(approved_only))

    @rpc
    def activity_media_page(self, activity_id: str, page: int = 1, page_size: int = 50,
                            approved_only: bool = False) -> dict:
        """`activity_media` a page at a time, with `total`, `page` and `page_size`."""
        with self.db.transaction() as session:
            return records.activity_media(session, activity_id, bool(approved_only), page, page_size)

    @rpc
    def branch_month_records(self, branch_ids: list, month: str) -> dict:
        """Per branch for a month: photo counts by status, links to approved photos, study notes,
        the month's study materials and the detail score (for spot checks and the six haves)."""
        if not isinstance(branch_ids, list) or len(branch_ids) > 500:
            raise invalid("BRANCHES_INVALID", "branch_ids is a list of at most 500 ids")
        with self.db.transaction() as session:
            known = dict(session.execute(select(self.org_nodes.c.org_id, self.org_nodes.c.path)
                                         .where(self.org_nodes.c.org_id.in_(branch_ids))).all())
            return records.branch_month_records(session, {branch_id: known.get(branch_id)
                                                          for branch_id in branch_ids}, month)

    @rpc
    def directive(self, directive_id: str) -> dict:
        """A directive as media knows it (for scope checks on its study materials)."""
        with self.db.transaction() as session:
            found = records.directive(session, directive_id)
            return {"directive_id": found.id, "org_id": found.org_id, "org_path": found.org_path,
                    "month": found.month, "theme": found.theme}

    @rpc
    def add_text_material(self, directive_id: str, payload: dict, uploaded_by: str | None = None,
                          idempotency_key: str | None = None) -> dict:
        """Attach a text to a directive's study package; a repeat with the same Idempotency-Key gets the
        first answer."""
        body = validated(MaterialText, payload)
        same_request = {"directive_id": directive_id, **body.model_dump(), "uploaded_by": uploaded_by}
        with self.db.transaction() as session:
            previous = previous_response(session, "add_text_material", idempotency_key, same_request)
            if previous is not None:
                return previous
            answer = records.add_material(session, directive_id, body.title, "text", uploaded_by, text=body.text)
            remember_response(session, "add_text_material", idempotency_key, same_request, answer)
            return answer

    @rpc
    def add_file_material(self, directive_id: str, title: str, upload: dict,
                          idempotency_key: str | None = None) -> dict:
        """Attach a micro lesson (MP4) or a document (PDF) the gateway streamed into storage. The
        incoming object is deleted whatever the outcome, the stored copy too when the material is not
        recorded; a repeat with the same Idempotency-Key gets the first answer."""
        storage = self.storage
        request = _upload(storage, upload)
        same_request = {"directive_id": directive_id, "title": title,
                        **{name: value for name, value in request.items() if name != "key"}}
        material_id = uuid.uuid4().hex
        stored = None
        try:
            if not isinstance(title, str) or not 0 < len(title.strip()) <= 200:
                raise invalid("TITLE_REQUIRED", "a title of 1 to 200 characters")
            if request["format"] not in ("mp4", "pdf"):
                raise DomainError("UNSUPPORTED_TYPE", "a study material is an MP4 micro lesson or a PDF document",
                                  415)
            with self.db.transaction() as session:
                previous = previous_response(session, "add_file_material", idempotency_key, same_request)
                if previous is not None:
                    return previous
                records.directive(session, directive_id)
            stored = uploads.store(storage, request, f"study/{directive_id}/{material_id}", get_settings(),
                                   cpu=tpool.execute)
            with self.db.transaction() as session:
                answer = records.add_material(session, directive_id, title.strip(),
                                              "video" if stored["kind"] == "video" else "document",
                                              request["uploaded_by"], fmt=request["format"],
                                              key=stored["keys"]["original"], stored_bytes=stored["stored_bytes"],
                                              duration_s=stored["duration_s"])
                remember_response(session, "add_file_material", idempotency_key, same_request, answer)
                return answer
        except Exception:
            if stored is not None:
                uploads.discard(storage, stored["keys"].values())
            raise
        finally:
            storage.delete(request["key"])

    @rpc
    def material(self, material_id: str) -> dict:
        """A study material with its directive's scope and, for a file, where it is stored."""
        with self.db.transaction() as session:
            found = session.get(StudyMaterial, material_id)
            if found is None:
                raise not_found("study_material", material_id)
            directive = records.directive(session, found.directive_id)
            return {**records.material_view(found, directive.theme), "org_id": directive.org_id,
                    "org_path": directive.org_path, "key": found.key,
                    "content_type": _content_type(found.format) if found.format else None}

    @rpc
    def directive_materials(self, directive_id: str, page: int = 1, page_size: int = 50) -> dict:
        """A directive's study package, oldest first, a page at a time (`items`, `total`, `page`, `page_size`)."""
        with self.db.transaction() as session:
            return records.directive_materials(session, directive_id, page, page_size)

    @rpc
    def month_materials(self, branch_id: str, month: str, page: int = 1, page_size: int = 50) -> dict:
        """The study materials of the directives that apply to a branch in a month (its task), oldest
        first, a page at a time (`items`, `total`, `page`, `page_size`)."""
        with self.db.transaction() as session:
            node = get_node(session, self.org_nodes, branch_id)
            if node is None:
                raise not_found("org", branch_id)
            return records.month_materials(session, node["path"], month, page, page_size)

    @rpc
    def add_note(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A member's study note for a month; a repeat with the same Idempotency-Key gets the first answer."""
        note = validated(NoteCreate, payload).model_dump()
        with self.db.transaction() as session:
            previous = previous_response(session, "add_note", idempotency_key, note)
            if previous is not None:
                return previous
            answer = records.add_note(session, note)
            remember_response(session, "add_note", idempotency_key, note, answer)
            return answer

    @rpc
    def notes(self, branch_id: str, month: str, page: int = 1, page_size: int = 50,
              member_id: str | None = None) -> dict:
        """A branch's study notes of a month, oldest first; one member's with `member_id`."""
        with self.db.transaction() as session:
            return records.notes(session, branch_id, month, page, page_size, member_id)

    @rpc
    def note(self, note_id: str) -> dict:
        """One study note."""
        with self.db.transaction() as session:
            found = session.get(StudyNote, note_id)
            if found is None:
                raise not_found("study_note", note_id)
            return records.note_view(found)


def _upload(storage, upload) -> dict:
    """The upload's description, checked; a malformed one still has its incoming object removed."""
    try:
        return validated(Upload, upload).model_dump()
    except DomainError:
        key = upload.get("key") if isinstance(upload, dict) else None
        if isinstance(key, str) and INCOMING.match(key):
            storage.delete(key)
        raise


def _content_type(extension: str) -> str:
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
            "mp4": "video/mp4", "pdf": "application/pdf"}[extension]
