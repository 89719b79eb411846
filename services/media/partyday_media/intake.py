"""An upload's way in, from the object the gateway streamed into storage to a recorded upload or study
material. Both go the same way: the description checked, the object judged (name, type, size limit)
before anything costly, the Idempotency-Key looked up, the copies to serve stored outside any
transaction (decoding can take seconds), then recorded through `once` in a second transaction. The
incoming object is deleted whatever the outcome, and the stored copies too when nothing recorded them.

The key is looked up before the copies are made so that a repeat costs nothing and answers as the
first call did, even when the branch's quota has filled up since; `once` then stores the answer with
the record (or answers a repeat that won the race in between, whose copies are then removed)."""

import re
import uuid

from prometheus_client import Counter

from partyday_common.errors import DomainError, validated
from partyday_common.idempotency import once, previous_response
from partyday_media import activities, materials, media_records, quota, uploads
from partyday_media.settings import MediaSettings
from partyday_media_contracts.rpc import INCOMING_KEY, Upload

UPLOADS = Counter(
    "partyday_media_uploads_total",
    "Uploads checked, by kind and outcome (a reason code when refused).",
    ["kind", "outcome"],
)
INCOMING = re.compile(INCOMING_KEY)
PHOTO_FORMATS = frozenset({"jpeg", "png", "webp"})


def described(storage, upload) -> dict:
    """The upload's description, checked; a malformed one still has its incoming object removed."""
    try:
        return validated(Upload, upload).model_dump()
    except DomainError:
        key = upload.get("key") if isinstance(upload, dict) else None
        if isinstance(key, str) and INCOMING.match(key):
            storage.delete(key)
        raise


def _as_requested(upload: dict) -> dict:
    """The upload as a request to compare repeats by: what was sent, not where the gateway spooled it."""
    return {name: value for name, value in upload.items() if name != "key"}


def ingest(
    db,
    storage,
    settings: MediaSettings,
    activity_id: str,
    upload: dict,
    idempotency_key: str | None,
    cpu=uploads.run_here,
) -> dict:
    """Check an upload for an activity, store its copies and record it as pending review, its bytes taken
    from the branch's quota in the transaction that records it."""
    upload = described(storage, upload)
    request = {"activity_id": activity_id, "upload": _as_requested(upload)}
    media_id, kind, stored = uuid.uuid4().hex, "unknown", None
    try:
        upload = uploads.admit(storage, upload, settings)
        kind = upload["format"]
        with db.transaction() as session:
            earlier = previous_response(session, "ingest", idempotency_key, request)
            if earlier is not None:
                return earlier
            act = activities.approved(session, activity_id)
            quota.check(session, act.branch_id, upload["size"], settings.media_branch_quota_bytes)
            prefix, venue_day = f"media/{act.branch_id}/{media_id}", activities.venue_day(act)
        stored = uploads.store(storage, upload, prefix, settings, venue_day, cpu=cpu)

        def record(session) -> dict:
            act = activities.approved(session, activity_id)
            quota.take(session, act.branch_id, stored["stored_bytes"], settings.media_branch_quota_bytes)
            return media_records.add(session, act, media_id, upload, stored)

        with db.transaction() as session:
            answer = once(session, "ingest", idempotency_key, request, lambda: record(session))
        if answer["media_id"] != media_id:
            uploads.discard(storage, stored["keys"].values())
            return answer
    except Exception as exc:
        if stored is not None:
            uploads.discard(storage, stored["keys"].values())
        UPLOADS.labels(kind, exc.code if isinstance(exc, DomainError) else "error").inc()
        raise
    finally:
        storage.delete(upload["key"])
    UPLOADS.labels(kind, "accepted").inc()
    return answer


def add_file_material(
    db,
    storage,
    settings: MediaSettings,
    directive_id: str,
    title: str,
    upload: dict,
    idempotency_key: str | None,
    cpu=uploads.run_here,
) -> dict:
    """Check a micro lesson (MP4) or a document (PDF), store it and attach it to the directive."""
    upload = described(storage, upload)
    request = {"directive_id": directive_id, "title": title, "upload": _as_requested(upload)}
    material_id, stored = uuid.uuid4().hex, None
    try:
        upload = uploads.admit(storage, upload, settings)
        materials.check_file(title, upload["format"])
        with db.transaction() as session:
            earlier = previous_response(session, "add_file_material", idempotency_key, request)
            if earlier is not None:
                return earlier
            materials.directive(session, directive_id)
        stored = uploads.store(storage, upload, f"study/{directive_id}/{material_id}", settings, cpu=cpu)
        with db.transaction() as session:
            answer = once(
                session,
                "add_file_material",
                idempotency_key,
                request,
                lambda: materials.add_file(session, material_id, directive_id, title, upload, stored),
            )
        if answer["material_id"] != material_id:
            uploads.discard(storage, stored["keys"].values())
        return answer
    except Exception:
        if stored is not None:
            uploads.discard(storage, stored["keys"].values())
        raise
    finally:
        storage.delete(upload["key"])


def keep_photo(storage, settings: MediaSettings, upload: dict, owner: str, cpu=uploads.run_here) -> dict:
    """Check a photo another service keeps (a volunteer request's completion) as every upload is checked (the type by
    content, the size limit, the pixels) and store its copies re-encoded without EXIF under
    `media/kept/<owner>/<uuid>`; nothing is recorded here (no review, no branch quota). The incoming object is
    deleted whatever the outcome."""
    upload = described(storage, upload)
    try:
        upload = uploads.admit(storage, upload, settings)
        if upload["format"] not in PHOTO_FORMATS:
            raise DomainError("UNSUPPORTED_TYPE", "the photo must be a JPEG, PNG or WebP image", 415)
        stored = uploads.store(storage, upload, f"media/kept/{owner}/{uuid.uuid4().hex}", settings, cpu=cpu)
    finally:
        storage.delete(upload["key"])
    UPLOADS.labels("image", "kept").inc()
    return {"keys": stored["keys"], "width": stored["width"], "height": stored["height"]}
