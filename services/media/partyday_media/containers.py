"""Documents and videos, which are stored as sent once their structure holds: a PDF must be
whole, without active content and without streams that inflate beyond a limit (a zip bomb
disguised as a document); an MP4 must be a whole chain of boxes with a movie header.
A video is read box by box, never loaded whole; a PDF (a few MB at most) is read at once
and its streams are inflated in pieces."""

import re
import struct
import zlib
from typing import BinaryIO

from partyday_common.errors import DomainError

CHUNK = 1 << 16
ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"RichMedia", b"XFA"}
NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)")
STREAM = re.compile(rb"(?<!end)stream\r?\n")


def corrupt(message: str) -> DomainError:
    return DomainError("FILE_CORRUPT", message, 422)


def _names(data: bytes) -> set[bytes]:
    return {re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name) for name in NAME.findall(data)}


def check_pdf(file: BinaryIO, size: int, max_inflated: int) -> dict:
    """Refuse a broken PDF, one with scripts, launch actions or embedded files, or one whose
    compressed streams inflate to more than `max_inflated` bytes; answers the page count."""
    file.seek(0)
    if not file.read(8).startswith(b"%PDF-"):
        raise corrupt("the document does not start as a PDF")
    file.seek(max(0, size - 1024))
    if b"%%EOF" not in file.read():
        raise corrupt("the document is truncated: it has no end-of-file marker")
    file.seek(0)
    data = file.read()
    names = _names(data)
    inflated = 0
    for match in STREAM.finditer(data):
        inflater = zlib.decompressobj()
        position = match.end()
        while position < len(data) and not inflater.eof:
            piece = data[position : position + CHUNK]
            position += len(piece)
            try:
                out = inflater.decompress(piece, max_inflated - inflated + 1)
                while True:
                    inflated += len(out)
                    if inflated > max_inflated:
                        raise DomainError(
                            "DECOMPRESSION_BOMB",
                            f"the document's content inflates beyond {max_inflated} bytes",
                            422,
                            {"max_inflated_bytes": max_inflated},
                        )
                    names |= _names(out)
                    if not inflater.unconsumed_tail:
                        break
                    out = inflater.decompress(inflater.unconsumed_tail, max_inflated - inflated + 1)
            except zlib.error:
                break
    active = sorted(name.decode() for name in names & ACTIVE_NAMES)
    if active:
        raise DomainError(
            "ACTIVE_CONTENT", "the document carries scripts, actions or embedded files", 422, {"names": active}
        )
    return {"pages": len(re.findall(rb"/Type\s*/Page\b", data))}


def check_mp4(file: BinaryIO, size: int, max_seconds: int) -> dict:
    """Walk the top-level boxes: they must fill the file exactly, start with `ftyp` and hold a
    `moov` with a movie header; answers the duration, which may not exceed `max_seconds`."""
    position, kinds, duration = 0, [], None
    while position < size:
        file.seek(position)
        header = file.read(16)
        if len(header) < 8:
            raise corrupt("the video is truncated inside a box header")
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1:
            if len(header) < 16:
                raise corrupt("the video is truncated inside a box header")
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - position
        if length < 8 or position + length > size or not re.fullmatch(rb"[a-zA-Z0-9 \xa9]{4}", kind):
            raise corrupt("the video's boxes do not add up: it is truncated or not an MP4")
        if kind == b"moov":
            duration = _movie_duration(file, position + 8, position + length)
        kinds.append(kind)
        position += length
    if not kinds or kinds[0] != b"ftyp" or duration is None:
        raise corrupt("the video has no movie header")
    if duration > max_seconds:
        raise DomainError(
            "VIDEO_TOO_LONG",
            f"a video may last at most {max_seconds} s",
            422,
            {"duration_s": round(duration), "max_seconds": max_seconds},
        )
    return {"duration_s": round(duration, 1)}


def _movie_duration(file: BinaryIO, start: int, end: int) -> float | None:
    position = start
    while position + 8 <= end:
        file.seek(position)
        length, kind = struct.unpack(">I4s", file.read(8))
        if length < 8 or position + length > end:
            return None
        if kind == b"mvhd":
            body = file.read(min(length - 8, 32))
            if body[:1] == b"\x01" and len(body) >= 32:
                timescale, duration = struct.unpack(">IQ", body[20:32])
            elif len(body) >= 20:
                timescale, duration = struct.unpack(">II", body[12:20])
            else:
                return None
            return duration / timescale if timescale else None
        position += length
    return None
