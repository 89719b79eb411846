"""Photos: decoded and re-encoded (never served as sent), bounded in pixels, their EXIF read as
evidence and then left behind, a thumbnail and a web-size copy, and a perceptual hash."""

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageOps, UnidentifiedImageError

from partyday_common.errors import DomainError
from partyday_media import rules

THUMBNAIL_PX = 320
WEB_PX = 1600
JPEG_QUALITY = 85
FOREIGN_SIGNATURES = re.compile(rb"%PDF-|PK\x03\x04|<\?php|<script|<html|<!doctype html|<svg|<iframe", re.IGNORECASE)
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DATETIME = 36867, 36881, 306
PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass
class Photo:
    width: int
    height: int
    original: bytes
    thumbnail: bytes
    web: bytes
    phash: str | None
    exif: dict = field(default_factory=dict)


def corrupt(message: str) -> DomainError:
    return DomainError("FILE_CORRUPT", message, 422)


def check_polyglot(data: bytes) -> None:
    """A photo that also carries another format (a script, a PDF, an archive) is refused, not cleaned."""
    found = FOREIGN_SIGNATURES.search(data)
    if found:
        raise DomainError(
            "POLYGLOT_FILE", "the photo also holds content of another kind", 422, {"offset": found.start()}
        )


def process(data: bytes, fmt: str, max_pixels: int) -> Photo:
    """Decode the photo fully, refuse more than `max_pixels` before decoding, and re-encode it
    (turned upright, without EXIF or other metadata) with its thumbnail and web-size copy."""
    check_polyglot(data)
    try:
        image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[fmt]])
    except Image.DecompressionBombError:
        raise too_many_pixels(None, None, max_pixels)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise corrupt(f"the photo cannot be decoded: {exc}")
    width, height = image.size
    if width * height > max_pixels:
        raise too_many_pixels(width, height, max_pixels)
    try:
        image.load()
        exif = read_exif(image)
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "RGBA", "L"):
            keeps_alpha = "A" in upright.getbands() or "transparency" in upright.info
            upright = upright.convert("RGBA" if keeps_alpha else "RGB")
        return Photo(
            width=upright.width,
            height=upright.height,
            original=_encode(upright, fmt),
            thumbnail=_encode(_fit(upright, THUMBNAIL_PX), "jpeg"),
            web=_encode(_fit(upright, WEB_PX), "jpeg"),
            phash=None if rules.is_flat(grey_levels(upright)) else dhash(upright),
            exif=exif,
        )
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise corrupt(f"the photo cannot be decoded: {exc}")


def too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> DomainError:
    return DomainError(
        "IMAGE_TOO_MANY_PIXELS",
        f"a photo may have at most {max_pixels} pixels",
        422,
        {"width": width, "height": height, "max_pixels": max_pixels},
    )


def _fit(image: Image.Image, longest: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        if image.mode != "RGB":
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
            image = background
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def grey_levels(image: Image.Image) -> list[int]:
    """The picture's grey levels at 32×32, enough to tell a flat picture from a photo."""
    return list(image.convert("L").resize((32, 32), Image.Resampling.BOX).getdata())


def dhash(image: Image.Image) -> str:
    """A 64-bit difference hash (16 hex digits): near-identical pictures differ in few bits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def read_exif(image: Image.Image) -> dict:
    """Capture time (ISO 8601, with its offset when the camera wrote one) and GPS position, if present."""
    try:
        exif = image.getexif()
        ifd = exif.get_ifd(EXIF_IFD)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:
        return {}
    found = {}
    taken = _capture_time(ifd.get(DATETIME_ORIGINAL) or exif.get(DATETIME), ifd.get(OFFSET_TIME_ORIGINAL))
    if taken is not None:
        found["taken_at"] = taken
    position = _position(gps)
    if position is not None:
        found["lat"], found["lon"] = position
    return found


def _capture_time(value, offset) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if isinstance(offset, str):
        match = re.fullmatch(r"([+-])(\d\d):(\d\d)", offset.strip("\x00 "))
        if match:
            sign = 1 if match.group(1) == "+" else -1
            moment = moment.replace(
                tzinfo=timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
            )
    return moment.isoformat()


def _position(gps) -> tuple[float, float] | None:
    try:
        lat = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
        lon = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 7), round(lon, 7)


def _degrees(value) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600
