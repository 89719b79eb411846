"""The completion photo: the gateway streamed it into the object store under an `incoming/` key; it must be a
JPEG, PNG or WebP by its content and within the size limit, and is kept under `volunteers/<request>/`."""

import uuid

from partyday_common.errors import DomainError

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def photo_type(head: bytes) -> tuple[str, str]:
    """(content type, extension) judged by the first bytes, or 415 UNSUPPORTED_TYPE."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise DomainError("UNSUPPORTED_TYPE", "the photo must be a JPEG, PNG or WebP image", 415)


def keep(storage, request_id: str, upload: dict, max_bytes: int) -> dict:
    """Judge the uploaded photo and keep it; the incoming object is deleted whatever the outcome."""
    try:
        if upload["size"] > max_bytes:
            raise DomainError("FILE_TOO_LARGE", "the photo is too large", 413, {"limit_bytes": max_bytes})
        with storage.local_copy(upload["key"]) as path:
            with open(path, "rb") as file:
                content_type, extension = photo_type(file.read(16))
            key = f"volunteers/{request_id}/{uuid.uuid4().hex}.{extension}"
            storage.put_file(key, path, content_type)
    finally:
        storage.delete(upload["key"])
    return {"key": key, "content_type": content_type}
