"""Files in the object store as the gateway answers them (whole, or the one byte range a video player asks for)
and uploads as it hands them to their service: the service takes the stored file by its key, and a file whose
service could not be reached is deleted rather than left in storage."""

import re
from urllib.parse import quote

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from partyday_gateway.errors import ApiError
from partyday_gateway.rpc import ServiceUnavailable
from partyday_gateway.uploads import media_storage


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range `bytes=a-b`, `bytes=a-` or `bytes=-n` asks for; None for the whole file."""
    if header is None:
        return None
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or match.groups() == ("", ""):
        raise _unsatisfiable("one byte range is served", size)
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        raise _unsatisfiable("the range is outside the file", size)
    return start, end


def _unsatisfiable(message: str, size: int) -> ApiError:
    return ApiError(416, "RANGE_NOT_SATISFIABLE", message, {"size": size}, headers={"Content-Range": f"bytes */{size}"})


async def file_response(
    found: dict, range_header: str | None = None, disposition: str = "attachment"
) -> StreamingResponse:
    """The stored file `found` (its `key`, `content_type` and `filename`) as an attachment, or `inline` for a
    photo shown in the page; a byte range (for seeking in a video) answers 206."""
    storage = media_storage()
    try:
        size = await run_in_threadpool(storage.size, found["key"])
    except FileNotFoundError:
        raise ApiError(404, "FILE_NOT_FOUND", "the stored file is missing", {"key": found["key"]})
    wanted = _byte_range(range_header, size)
    filename = found["filename"]
    headers = {
        "Content-Disposition": f"{disposition}; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
        "Accept-Ranges": "bytes",
    }
    if wanted is None:
        return StreamingResponse(
            storage.iter_chunks(found["key"]),
            media_type=found["content_type"],
            headers={**headers, "Content-Length": str(size)},
        )
    start, end = wanted
    return StreamingResponse(
        storage.iter_chunks(found["key"], start, end),
        status_code=206,
        media_type=found["content_type"],
        headers={**headers, "Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(end - start + 1)},
    )


async def handed_over(rpc, key: str, service: str, method: str, *args, **kwargs):
    """`service.method(*args, **kwargs)` for an upload stored under `key`, which the service takes from storage;
    the file is deleted when the service cannot be reached (once it answers, the file is the service's)."""
    try:
        return await rpc.call(service, method, *args, **kwargs)
    except ServiceUnavailable:
        await run_in_threadpool(media_storage().delete, key)
        raise
