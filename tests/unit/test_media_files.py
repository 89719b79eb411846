"""Uploads from incoming storage to served copies: judged by name, content and size, re-encoding, EXIF,
derivatives, and the hostile corpus."""

import hashlib
import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from partyday_common.errors import DomainError
from partyday_common.storage import LocalStorage, incoming_key
from partyday_media import uploads
from partyday_media.settings import MediaSettings
from tests.fixtures import media_corpus

SETTINGS = MediaSettings()
STARTS = datetime(2026, 12, 7, 9, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "media")


def put(storage, data: bytes, filename: str | None = "photo.jpg") -> dict:
    """The object as the gateway leaves it, admitted by media (name, type, size)."""
    key = incoming_key()
    storage.put_bytes(key, data, "application/octet-stream")
    return uploads.admit(
        storage,
        {"key": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "filename": filename},
        SETTINGS,
    )


def test_a_photo_is_re_encoded_without_exif_and_keeps_its_evidence(storage):
    data = media_corpus.jpeg(taken_at="2026:12:07 09:40:00", offset="+08:00", gps=(33.0701, 107.0301))
    stored = uploads.store(storage, put(storage, data), "media/b/m1", SETTINGS, (STARTS, (33.07, 107.03, 300)))
    assert stored["kind"] == "image"
    assert stored["evidence"]["on_activity_day"] is True and stored["evidence"]["near_venue"] is True
    for variant in ("original", "thumbnail", "web"):
        served = b"".join(storage.iter_chunks(stored["keys"][variant]))
        image = Image.open(io.BytesIO(served))
        assert not image.getexif(), variant
        assert b"PartydayCam" not in served
    assert stored["keys"]["original"] == "media/b/m1/original.jpg"


def test_derivatives_are_bounded(storage):
    stored = uploads.store(storage, put(storage, media_corpus.jpeg(width=2400, height=1200)), "media/b/m2", SETTINGS)
    thumb = Image.open(io.BytesIO(b"".join(storage.iter_chunks(stored["keys"]["thumbnail"]))))
    web = Image.open(io.BytesIO(b"".join(storage.iter_chunks(stored["keys"]["web"]))))
    assert max(thumb.size) == 320 and max(web.size) == 1600


def test_a_png_named_jpg_is_judged_a_png(storage):
    stored = uploads.store(storage, put(storage, media_corpus.png()), "media/b/m3", SETTINGS)
    assert stored["keys"]["original"].endswith(".png")


def test_a_video_and_a_document_are_kept_as_sent(storage):
    video = uploads.store(storage, put(storage, media_corpus.mp4(600)), "media/b/v", SETTINGS)
    assert video["kind"] == "video" and video["duration_s"] == 600
    document = uploads.store(storage, put(storage, media_corpus.pdf()), "media/b/d", SETTINGS)
    assert document["kind"] == "document"


def test_a_lesson_longer_than_allowed_is_422(storage):
    with pytest.raises(DomainError) as raised:
        uploads.store(storage, put(storage, media_corpus.mp4(3600)), "media/b/v", SETTINGS)
    assert raised.value.code == "VIDEO_TOO_LONG"


def test_bytes_that_differ_from_what_the_gateway_saw_are_refused(storage):
    upload = put(storage, media_corpus.jpeg())
    upload["sha256"] = "0" * 64
    with pytest.raises(DomainError) as raised:
        uploads.store(storage, upload, "media/b/x", SETTINGS)
    assert raised.value.code == "UPLOAD_MISMATCH"


def test_the_type_is_judged_from_the_stored_object_and_the_name_kept_for_display(storage):
    admitted = put(storage, media_corpus.png(), "党日活动 cafe\u0301.jpg")
    assert admitted["format"] == "png" and admitted["filename"] == "党日活动 caf\u00e9.jpg"


@pytest.mark.parametrize(
    "hostile", media_corpus.hostile_corpus(SETTINGS.media_max_image_bytes), ids=lambda item: item.name
)
def test_the_hostile_corpus_is_refused_with_its_code(storage, hostile):
    with pytest.raises(DomainError) as raised:
        uploads.store(storage, put(storage, hostile.data, hostile.filename), "media/b/h", SETTINGS)
    assert (raised.value.status, raised.value.code) == (hostile.status, hostile.code)
    assert not (storage.root / "media").exists()


def test_storage_keys_are_generated_and_checked(storage):
    with pytest.raises(ValueError):
        storage.put_bytes("media/../../etc/passwd", b"x", "text/plain")
    with pytest.raises(ValueError):
        storage.put_bytes("/etc/passwd", b"x", "text/plain")


def test_a_micro_lesson_is_at_most_20_minutes_by_default(storage):
    assert MediaSettings().media_max_video_seconds == 20 * 60
    kept = uploads.store(storage, put(storage, media_corpus.mp4(20 * 60)), "media/b/v20", SETTINGS)
    assert kept["duration_s"] == 20 * 60
    with pytest.raises(DomainError) as raised:
        uploads.store(storage, put(storage, media_corpus.mp4(20 * 60 + 1)), "media/b/v21", SETTINGS)
    assert raised.value.code == "VIDEO_TOO_LONG"
