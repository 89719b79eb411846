"""An upload's bytes, from the object the gateway streamed into the incoming area to the copies media
serves: the name, the type (by content) and the kind's size limit judged first, then the whole file
checked by kind, photos re-encoded with their derivatives, and evidence read."""

import hashlib

from partyday_common.errors import DomainError
from partyday_media import containers, detect, images, rules

CHUNK = 1 << 16


def run_here(function, *args):
    return function(*args)


def admit(storage, upload: dict, settings) -> dict:
    """Judge an incoming upload before anything costly: the client's file name (kept for display only),
    the type from the stored object's first bytes, and the size the gateway counted against the kind's
    limit. Answers the upload with its `format` and the name as shown."""
    name = detect.display_name(upload.get("filename"))
    fmt = detect.sniff(b"".join(storage.iter_chunks(upload["key"], 0, detect.SNIFF_BYTES - 1)))
    limit = detect.size_limit(fmt, settings)
    if upload["size"] > limit:
        raise detect.too_large(fmt, limit)
    return {**upload, "filename": name, "format": fmt.name}


def store(storage, upload: dict, prefix: str, settings, venue_day=None, cpu=run_here) -> dict:
    """Check the incoming object `admit` judged and write the copies to serve under `prefix`; answers what was
    stored (keys, bytes, hashes, dimensions, duration, EXIF evidence). `venue_day` is
    (starts_at, (lat, lon, radius_m)) to judge a photo's evidence against; `cpu` runs the
    decoding and inflating (the service gives it a thread pool, to keep its hub responsive)."""
    with storage.local_copy(upload["key"]) as path:
        with open(path, "rb") as file:
            fmt = detect.sniff(file.read(detect.SNIFF_BYTES))
            file.seek(0, 2)
            size = file.tell()
            limit = detect.size_limit(fmt, settings)
            if size > limit:
                raise detect.too_large(fmt, limit)
            if fmt.name != upload["format"] or size != upload["size"] or _sha256(file) != upload["sha256"]:
                raise DomainError("UPLOAD_MISMATCH", "the stored upload differs from what the gateway received", 422)
            if fmt.kind == "image":
                file.seek(0)
                photo = cpu(images.process, file.read(), fmt.name, settings.media_max_image_pixels)
                keys = {
                    "original": f"{prefix}/original.{fmt.extension}",
                    "thumbnail": f"{prefix}/thumbnail.jpg",
                    "web": f"{prefix}/web.jpg",
                }
                storage.put_bytes(keys["original"], photo.original, fmt.content_type)
                storage.put_bytes(keys["thumbnail"], photo.thumbnail, "image/jpeg")
                storage.put_bytes(keys["web"], photo.web, "image/jpeg")
                starts_at, venue = venue_day or (None, None)
                return {
                    "kind": "image",
                    "keys": keys,
                    "phash": photo.phash,
                    "flat": photo.phash is None,
                    "width": photo.width,
                    "height": photo.height,
                    "evidence": rules.judge_evidence(photo.exif, starts_at, venue),
                    "stored_bytes": len(photo.original) + len(photo.thumbnail) + len(photo.web),
                }
            if fmt.kind == "video":
                facts = containers.check_mp4(file, size, settings.media_max_video_seconds)
            else:
                facts = cpu(containers.check_pdf, file, size, settings.media_max_inflated_bytes)
        keys = {"original": f"{prefix}/original.{fmt.extension}"}
        storage.put_file(keys["original"], path, fmt.content_type)
        return {"kind": fmt.kind, "keys": keys, "stored_bytes": size, "duration_s": facts.get("duration_s")}


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def discard(storage, keys) -> None:
    """Remove stored copies of an upload that was refused after they were written."""
    for key in keys:
        storage.delete(key)
