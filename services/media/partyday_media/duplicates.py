"""Earlier uploads of the same file (sha256) or a similar picture (a perceptual hash within
NEAR_DISTANCE bits, found through the hash's indexed bands)."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from partyday_media import rules
from partyday_media.models import HashBand, Media


def find(session: Session, sha256: str, phash: str | None, exclude: str | None = None) -> list[dict]:
    """Earlier uploads with the same bytes, or (photos) a perceptual hash within NEAR_DISTANCE bits."""
    found: dict[str, dict] = {}
    for other in session.scalars(select(Media).where(Media.sha256 == sha256)):
        found[other.id] = _duplicate(other, "exact", 0)
    if phash is not None:
        bands = rules.hash_bands(phash)
        candidates = (
            select(HashBand.media_id)
            .where(or_(*(and_(HashBand.band == band, HashBand.value == value) for band, value in enumerate(bands))))
            .group_by(HashBand.media_id)
            .having(func.count() >= rules.BANDS_TO_SHARE)
        )
        for other in session.scalars(select(Media).where(Media.id.in_(candidates), Media.phash.is_not(None))):
            distance = rules.hamming(phash, other.phash)
            if other.id not in found and distance <= rules.NEAR_DISTANCE:
                found[other.id] = _duplicate(other, "near", distance)
    found.pop(exclude, None)
    return sorted(found.values(), key=lambda item: (item["distance"], item["media_id"]))


def _duplicate(other: Media, match: str, distance: int) -> dict:
    return {
        "media_id": other.id,
        "activity_id": other.activity_id,
        "branch_id": other.branch_id,
        "branch_path": other.branch_path,
        "match": match,
        "distance": distance,
        "status": other.status,
    }


def index_bands(session: Session, media_id: str, phash: str) -> None:
    """Store the hash's bands, by which later uploads find this one."""
    for band, value in enumerate(rules.hash_bands(phash)):
        session.add(HashBand(media_id=media_id, band=band, value=value))
