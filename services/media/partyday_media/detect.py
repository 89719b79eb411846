"""What a file is, judged by its content alone: never by its name or the Content-Type header.

Also the rules on what a client may send next to the bytes: the name (kept only for display)
and the size limit of each kind. Each refusal names its reason in `DomainError.code`.
"""

import unicodedata
from dataclasses import dataclass

from partyday_common.errors import DomainError

SNIFF_BYTES = 64

MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"}


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    extension: str
    content_type: str


FORMATS = {
    "jpeg": Format("jpeg", "image", "jpg", "image/jpeg"),
    "png": Format("png", "image", "png", "image/png"),
    "webp": Format("webp", "image", "webp", "image/webp"),
    "mp4": Format("mp4", "video", "mp4", "video/mp4"),
    "pdf": Format("pdf", "document", "pdf", "application/pdf"),
}


CONTENT_TYPES = {name: fmt.content_type for fmt in FORMATS.values() for name in (fmt.name, fmt.extension)}


def content_type(extension: str) -> str:
    """The Content-Type of a stored file by its extension or format name (`jpg`, `jpeg`, `pdf`, ...)."""
    return CONTENT_TYPES[extension]


def sniff(head: bytes) -> Format:
    """The format whose signature starts `head` (the file's first bytes), or 415 UNSUPPORTED_TYPE."""
    if head.startswith(b"\xff\xd8\xff"):
        return FORMATS["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FORMATS["png"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FORMATS["webp"]
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return FORMATS["mp4"]
    if head.startswith(b"%PDF-"):
        return FORMATS["pdf"]
    raise DomainError(
        "UNSUPPORTED_TYPE",
        "the file is not a JPEG, PNG or WebP photo, an MP4 video or a PDF "
        "document (judged by its content, not its name)",
        415,
    )


def size_limit(fmt: Format, settings) -> int:
    """The largest file of this kind, in bytes."""
    return {
        "image": settings.media_max_image_bytes,
        "video": settings.media_max_video_bytes,
        "document": settings.media_max_document_bytes,
    }[fmt.kind]


def too_large(fmt: Format, limit: int) -> DomainError:
    return DomainError(
        "FILE_TOO_LARGE", f"a {fmt.kind} may hold at most {limit} bytes", 413, {"kind": fmt.kind, "limit_bytes": limit}
    )


def display_name(filename: str | None) -> str | None:
    """The client's file name, kept for display only (storage names are generated); a name that
    tries to climb out of a folder, holds control characters or is absurdly long is refused."""
    if filename is None or filename == "":
        return None
    name = unicodedata.normalize("NFC", filename)
    if (
        len(name) > 255
        or "/" in name
        or "\\" in name
        or name.strip(". ") == ""
        or ".." in name
        or any(unicodedata.category(char) in ("Cc", "Cf") for char in name)
    ):
        raise DomainError(
            "FILENAME_INVALID",
            "the file name must be a plain name, without folders, '..' or "
            "control characters, of at most 255 characters",
            422,
        )
    return name
