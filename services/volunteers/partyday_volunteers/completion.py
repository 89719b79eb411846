"""Recording the work done: the request must be the member's claimed work before the photo is kept, and the photo
is kept before the request moves, so that a refusal leaves no stored photo and no incoming object behind."""

from partyday_common.db import utcnow
from partyday_common.idempotency import once, previous_response
from partyday_volunteers import photos, requests


def complete(db, storage, max_photo_bytes: int, request_id: str, member_id: str, upload: dict, note, key, payload):
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
    photo = photos.keep(storage, request_id, upload, max_photo_bytes)
    try:
        with db.transaction() as session:
            work = lambda: requests.complete(session, request_id, member_id, photo, note, utcnow())  # noqa: E731
            answer = once(session, "complete_request", key, request, work)
    except Exception:
        storage.delete(photo["key"])
        raise
    return answer
