"""Streamed uploads: a multipart body is parsed as it arrives, its file part written to a spool
file on disk (never held whole in memory), capped at the route's size limit, hashed, and then put
into storage under a generated `incoming/` key. The owning service gets that key over RPC with the
size, the sha256 and the client's file name as sent, never the bytes, and judges the file itself
(media: its type by content, its kind's limit, the name). The whole body is capped too (the file's
limit plus room for the other fields), so that parts the route ignores or bytes after the closing
boundary cannot stream without end.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from python_multipart.multipart import MultipartParser, parse_options_header

from partyday_common.settings import get_settings
from partyday_common.storage import incoming_key, make_storage
from partyday_gateway.errors import ApiError

MAX_FIELD_BYTES = 4096
MAX_PARTS = 10
BODY_ALLOWANCE = 64 * 1024  # beyond the file: the other fields (MAX_PARTS × MAX_FIELD_BYTES), headers, boundaries


@lru_cache
def media_storage():
    """One storage client per gateway process."""
    return make_storage(get_settings())


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    upload: dict | None = None


class _Parts:
    """The parser's callbacks: headers and small fields kept, file data queued for the spool."""

    def __init__(self, file_field: str, field_names: set[str]):
        self.file_field = file_field
        self.field_names = field_names
        self.parts = 0
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.current: str | None = None
        self.filename: str | None = None
        self.is_file = False
        self.seen_file = False
        self.values: dict[str, bytearray] = {}
        self.pending: list[bytes] = []

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
        }

    def part_begin(self):
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise ApiError(400, "TOO_MANY_PARTS", f"a form may hold at most {MAX_PARTS} parts")
        self.headers, self.current, self.is_file = {}, None, False

    def header_field(self, data, start, end):
        self.header_name += data[start:end]

    def header_value_data(self, data, start, end):
        self.header_value += data[start:end]

    def header_end(self):
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name, self.header_value = b"", b""

    def headers_finished(self):
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == self.file_field and b"filename" in options:
            if self.seen_file:
                raise ApiError(400, "ONE_FILE_ONLY", "send one file per request")
            self.seen_file = self.is_file = True
            self.current = name
            self.filename = options[b"filename"].decode("utf-8", "replace")
        elif name in self.field_names:
            self.current = name
            self.values[name] = bytearray()
        else:
            self.current = None

    def part_data(self, data, start, end):
        if self.is_file:
            self.pending.append(bytes(data[start:end]))
        elif self.current is not None:
            value = self.values[self.current]
            value += data[start:end]
            if len(value) > MAX_FIELD_BYTES:
                raise ApiError(
                    413,
                    "FIELD_TOO_LARGE",
                    f"the field {self.current} may hold at most {MAX_FIELD_BYTES} bytes",
                    {"field": self.current},
                )


class _Spool:
    """The file part on its way to disk: counted against the size limit, hashed."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.file = tempfile.NamedTemporaryFile(prefix="partyday-upload-", delete=False)
        self.size = 0
        self.digest = hashlib.sha256()

    async def write(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise ApiError(
                    413,
                    "FILE_TOO_LARGE",
                    f"a file may hold at most {self.max_bytes} bytes",
                    {"limit_bytes": self.max_bytes},
                )
            self.digest.update(chunk)
        if chunks:
            await run_in_threadpool(self.file.writelines, chunks)

    async def finish(self) -> None:
        if self.size == 0:
            raise ApiError(400, "FILE_EMPTY", "the file is empty")
        await run_in_threadpool(self.file.close)

    def discard(self) -> None:
        self.file.close()
        os.unlink(self.file.name)


async def receive(request: Request, field_names: set[str], max_bytes: int, file_field: str = "file") -> Received:
    """Read a multipart body as it streams in; the file goes to storage under a new `incoming/` key,
    described by `upload` (key, size, sha256, and the client's file name as sent). A file larger than
    `max_bytes` is 413 FILE_TOO_LARGE, a body larger than `max_bytes` plus BODY_ALLOWANCE 413
    REQUEST_TOO_LARGE, whatever part it is in."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise ApiError(415, "MULTIPART_REQUIRED", "send the file as multipart/form-data")
    parts = _Parts(file_field, field_names)
    parser = MultipartParser(options[b"boundary"], parts.callbacks())
    spool = _Spool(max_bytes)
    body_size = 0
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            chunks, parts.pending = parts.pending, []
            await spool.write(chunks)
            body_size += len(chunk)
            if body_size > max_bytes + BODY_ALLOWANCE:
                raise ApiError(
                    413,
                    "REQUEST_TOO_LARGE",
                    "the request body is larger than the file's limit and the form's other fields allow",
                    {"limit_bytes": max_bytes + BODY_ALLOWANCE},
                )
        parser.finalize()
        if not parts.seen_file:
            raise ApiError(400, "FILE_REQUIRED", f"the form has no file in its {file_field!r} field")
        await spool.finish()
        key = incoming_key()
        await run_in_threadpool(media_storage().put_file, key, spool.file.name, "application/octet-stream")
    except ValueError as exc:
        raise ApiError(400, "MALFORMED_MULTIPART", f"the multipart body is malformed: {exc}")
    finally:
        await run_in_threadpool(spool.discard)
    try:
        fields = {name: bytes(value).decode("utf-8") for name, value in parts.values.items()}
    except UnicodeDecodeError:
        await run_in_threadpool(media_storage().delete, key)
        raise ApiError(400, "FIELD_NOT_UTF8", "form fields must be UTF-8 text")
    return Received(
        fields=fields,
        upload={"key": key, "size": spool.size, "sha256": spool.digest.hexdigest(), "filename": parts.filename},
    )


def form_schema(file_description: str | None = None, **fields: str | dict) -> dict:
    """The OpenAPI description of a streamed multipart upload: `file` and these text fields, each given by its
    description or by its JSON schema (the routes read the body themselves, so FastAPI cannot describe it)."""
    file = {"type": "string", "format": "binary"}
    if file_description is not None:
        file["description"] = file_description
    properties = {
        name: {"type": "string", **(spec if isinstance(spec, dict) else {"description": spec})}
        for name, spec in fields.items()
    }
    schema = {"type": "object", "required": ["file"], "properties": {"file": file, **properties}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}
