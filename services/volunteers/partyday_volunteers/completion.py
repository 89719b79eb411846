"""Recording the work done: the request must be the member's claimed work before the photo is kept, and media keeps
the photo (checked like every upload, re-encoded without EXIF) before the request moves, so that a refusal leaves no
incoming object behind and a photo kept for a request that then cannot move is removed."""

from partyday_common.db import utcnow
from partyday_common.idempotency import once, previous_response
from partyday_volunteers import requests


def complete(db, storage, media, request_id: str, member_id: str, upload: dict, note, key, payload) -> dict:
    """The member's completion with its photo; a repeat with the same Idempotency-Key gets the first answer."""
    request = {"request_id": request_id, "member_id": member_id, "sha256": upload.get("sha256"), "payload": payload}
    try:
        with db.transaction() as session:
            earlier = previous_response(session, "complete_request", key, request)
            if earlier is None:
                requests.check_completable(session, request_id, member_id)
    except Exception:
        storage.delete(upload["key"])
        raise
    if earlier is not None:
        storage.delete(upload["key"])
        return earlier
    kept = media.keep_photo(upload, f"volunteers-{request_id}")
    photo = {"key": kept["keys"]["web"], "content_type": "image/jpeg"}
    try:
        with db.transaction() as session:
            work = lambda: requests.complete(session, request_id, member_id, photo, note, utcnow())  # noqa: E731
            return once(session, "complete_request", key, request, work)
    except Exception:
        for stored in kept["keys"].values():
            storage.delete(stored)
        raise
