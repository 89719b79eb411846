"""The gateway's streamed uploads with the services faked: what is refused before media is asked (the
form, and the one size cap while streaming), what media is handed (a storage key, never bytes, and the
client's file name as sent: media judges type, kind and name), and how files are served."""

import hashlib

import pytest

from partyday_common.settings import get_settings
from partyday_gateway import uploads
from partyday_gateway.settings import GatewaySettings
from tests.fixtures import media_corpus
from tests.gateway.conftest import NO_BROKER
from tests.gateway.fakes import FakeRpc, under_root
from tests.gateway.test_errors import CITY_ADMIN, assert_error

ACTIVITY = {"activity_id": "a1", "branch_id": "b1", "month": "2026-12", "required_actions": []}
MEMBER_OF_B1 = {**CITY_ADMIN, "org_id": "b1", "org_path": "/root/b1/", "roles": []}
MATERIAL = {
    "material_id": "s1",
    "directive_id": "d1",
    "directive_theme": "学党章",
    "title": "党章",
    "kind": "text",
    "format": None,
    "duration_s": None,
    "text": "第一条",
    "url": None,
    "created_at": "2026-12-01T00:00:00Z",
}
VIEW = {
    "media_id": "m1",
    "activity_id": "a1",
    "branch_id": "b1",
    "kind": "image",
    "format": "jpeg",
    "status": "pending",
    "caption": None,
    "action": None,
    "original_name": None,
    "width": 1,
    "height": 1,
    "duration_s": None,
    "sha256": "a" * 64,
    "evidence": None,
    "duplicates": [],
    "possible_forgery": False,
    "uploaded_by": None,
    "uploaded_at": "2026-12-01T00:00:00Z",
    "reviewed_by": None,
    "reviewed_at": None,
    "reject_reason": None,
    "url": "/api/v1/media/m1",
    "thumbnail_url": None,
    "web_url": None,
}
NOTE = {
    "note_id": "n1",
    "branch_id": "b1",
    "month": "2026-12",
    "member_id": "m1",
    "text": "学习党章的体会，坚定信念。",
    "created_at": "2026-12-01T00:00:00Z",
    "url": "/api/v1/study-notes/n1",
}


def page_of(**fields):
    """The answer of a paged method: `fields` on the page asked for."""
    return lambda *args, page, page_size, **kwargs: {**fields, "page": page, "page_size": page_size}


def media_rpc() -> FakeRpc:
    """Media as these tests fake it; `stored_at_call` keeps what the storage held under the key when media was
    asked to ingest it."""
    fake = FakeRpc(caller=CITY_ADMIN, nodes=under_root("branch"))

    def ingest(activity_id, upload, **kwargs):
        fake.stored_at_call = b"".join(uploads.media_storage().iter_chunks(upload["key"]))
        return {
            "media_id": "m1",
            "status": "pending",
            "kind": "image",
            "possible_forgery": False,
            "duplicates": [],
            "evidence": None,
        }

    fake.stored_at_call = None
    for method, outcome in {
        "activity": ACTIVITY,
        "ingest": ingest,
        "get_media": VIEW,
        "review": VIEW,
        "directive": {
            "directive_id": "d1",
            "org_id": "root",
            "org_path": "/root/",
            "month": "2026-12",
            "theme": "学党章",
        },
        "add_file_material": MATERIAL,
        "add_text_material": MATERIAL,
        "add_note": NOTE,
        "directive_materials": page_of(items=[MATERIAL], total=1),
        "month_materials": page_of(items=[MATERIAL], total=1),
        "activity_media_page": page_of(
            activity_id="a1",
            detail_score=0,
            breakdown=None,
            items=[],
            total=0,
            counts={"pending": 0, "approved": 0, "rejected": 0},
        ),
        "media_file": {
            "key": "media/b1/m1/thumbnail.jpg",
            "content_type": "image/jpeg",
            "status": "pending",
            "filename": "m1-thumbnail.jpg",
            "branch_id": "b1",
            "branch_path": "/root/b1/",
        },
    }.items():
        fake.answer("media", method, outcome)
    return fake


@pytest.fixture
def gateway_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("PARTYDAY_MAX_UPLOAD_BYTES", "50000")
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()
    yield GatewaySettings(amqp_uri=NO_BROKER)
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()


@pytest.fixture
def gateway(gateway, tmp_path):
    gateway.rpc = gateway.use(media_rpc())
    gateway.storage_root = tmp_path / "media"
    return gateway


def post(client, files, data=None):
    return client.post("/api/v1/activities/a1/media", files=files, data=data or {})


def ingests(client):
    return client.rpc.called("ingest")


def test_media_gets_a_storage_key_and_what_the_gateway_saw(gateway):
    photo = media_corpus.jpeg()
    answer = post(gateway, {"file": ("照片.jpg", photo, "application/octet-stream")}, {"caption": "诵读党章"})
    assert answer.status_code == 201, answer.text
    ((_, _, (activity_id, upload), kwargs),) = ingests(gateway)
    assert activity_id == "a1" and upload["key"].startswith("incoming/")
    assert upload == {
        "key": upload["key"],
        "size": len(photo),
        "sha256": hashlib.sha256(photo).hexdigest(),
        "filename": "照片.jpg",
        "caption": "诵读党章",
        "action": None,
        "uploaded_by": "m1",
    }
    assert gateway.rpc.stored_at_call == photo


@pytest.mark.parametrize(
    "filename, data",
    [("..\\..\\boot.ini", b"\xff\xd8\xff" + b"0" * 100), ("x.jpg", b"GIF89a" + b"0" * 100)],
    ids=["a name that climbs out of its folder", "content that is no supported type"],
)
def test_the_name_and_the_type_are_for_media_to_judge(gateway, filename, data):
    assert post(gateway, {"file": (filename, data, "image/jpeg")}).status_code == 201
    ((_, _, (_, upload), _),) = ingests(gateway)
    assert upload["filename"] == filename and gateway.rpc.stored_at_call == data


@pytest.mark.parametrize(
    "files, data, status, code",
    [
        ({"other": ("x.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")}, None, 400, "FILE_REQUIRED"),
        ({"file": ("x.jpg", b"", "image/jpeg")}, None, 400, "FILE_EMPTY"),
        ({"file": ("x.jpg", b"\xff\xd8\xff" + b"0" * 60_000, "image/jpeg")}, None, 413, "FILE_TOO_LARGE"),
        (
            {"file": ("x.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")},
            {"caption": "长" * 2000},
            413,
            "FIELD_TOO_LARGE",
        ),
    ],
)
def test_refused_before_media_is_asked(gateway, files, data, status, code):
    assert_error(post(gateway, files, data), status, code)
    assert ingests(gateway) == []
    assert [path for path in gateway.storage_root.rglob("*") if path.is_file()] == []


def test_two_files_are_refused(gateway):
    photo = ("a.jpg", media_corpus.jpeg(), "image/jpeg")
    body = [("file", photo), ("file", photo)]
    assert_error(gateway.post("/api/v1/activities/a1/media", files=body), 400, "ONE_FILE_ONLY")


def test_a_body_that_is_not_multipart_is_415(gateway):
    assert_error(
        gateway.post(
            "/api/v1/activities/a1/media", content=media_corpus.jpeg(), headers={"Content-Type": "image/jpeg"}
        ),
        415,
        "MULTIPART_REQUIRED",
    )


def test_a_broken_multipart_body_is_400(gateway):
    response = gateway.post(
        "/api/v1/activities/a1/media",
        content=b"--xyz\r\nnonsense",
        headers={"Content-Type": "multipart/form-data; boundary=abc"},
    )
    assert_error(response, 400, "MALFORMED_MULTIPART")


def test_files_are_served_as_attachments(gateway):
    uploads.media_storage().put_bytes("media/b1/m1/thumbnail.jpg", b"\xff\xd8\xffthumb", "image/jpeg")
    response = gateway.get("/api/v1/media/m1/thumbnail")
    assert response.status_code == 200 and response.content == b"\xff\xd8\xffthumb"
    assert response.headers["content-disposition"].startswith('attachment; filename="m1-thumbnail.jpg"')
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "header, status, body, content_range",
    [
        ("bytes=0-3", 206, b"0123", "bytes 0-3/10"),
        ("bytes=7-", 206, b"789", "bytes 7-9/10"),
        ("bytes=-2", 206, b"89", "bytes 8-9/10"),
        ("bytes=5-100", 206, b"56789", "bytes 5-9/10"),
        ("bytes=10-", 416, None, "bytes */10"),
        ("bytes=1-2,4-5", 416, None, "bytes */10"),
    ],
)
def test_byte_ranges_for_seeking(gateway, header, status, body, content_range):
    uploads.media_storage().put_bytes("media/b1/m1/thumbnail.jpg", b"0123456789", "image/jpeg")
    response = gateway.get("/api/v1/media/m1", headers={"Range": header})
    assert response.status_code == status, response.text
    assert response.headers["content-range"] == content_range
    if body is not None:
        assert response.content == body


def test_a_missing_stored_file_is_404(gateway):
    assert_error(gateway.get("/api/v1/media/m1/thumbnail"), 404, "FILE_NOT_FOUND")


def _called(client, method):
    return client.rpc.called(method)


@pytest.mark.parametrize(
    "path, method, body",
    [
        (
            "/api/v1/activities/a1/media",
            "ingest",
            {"files": {"file": ("photo.jpg", media_corpus.jpeg(), "image/jpeg")}},
        ),
        (
            "/api/v1/directives/d1/materials",
            "add_file_material",
            {"files": {"file": ("lesson.pdf", media_corpus.pdf(), "application/pdf")}, "data": {"title": "党章"}},
        ),
        ("/api/v1/directives/d1/materials/text", "add_text_material", {"json": {"title": "党章", "text": "第一条"}}),
        (
            "/api/v1/branches/b1/months/2026-12/study-notes",
            "add_note",
            {"json": {"text": "学习党章的体会，坚定信念。"}},
        ),
        ("/api/v1/media/m1/approve", "review", {}),
        ("/api/v1/media/m1/reject", "review", {"json": {"reason": "模糊"}}),
    ],
)
def test_mutating_routes_pass_their_idempotency_key_on(gateway, path, method, body):
    gateway.rpc.caller = MEMBER_OF_B1 if method == "add_note" else CITY_ADMIN
    answer = gateway.post(path, headers={"Idempotency-Key": "k-1"}, **body)
    assert answer.status_code in (200, 201), answer.text
    ((_, _, _, kwargs),) = _called(gateway, method)
    assert kwargs["idempotency_key"] == "k-1"


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/v1/directives/d1/materials", "directive_materials"),
        ("/api/v1/branches/b1/months/2026-12/materials", "month_materials"),
        ("/api/v1/activities/a1/media", "activity_media_page"),
    ],
)
def test_long_listings_are_paged(gateway, path, method):
    answer = gateway.get(path, params={"page": 3, "page_size": 7})
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"page": 3, "page_size": 7} == answer.json()
    ((_, _, _, kwargs),) = _called(gateway, method)
    assert kwargs | {"page": 3, "page_size": 7} == kwargs
    assert_error(gateway.get(path, params={"page_size": 501}), 400, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "caller, approved_only, seen_from", [(CITY_ADMIN, False, ["/root/"]), (MEMBER_OF_B1, True, ["/root/b1/"])]
)
def test_a_member_who_administers_nothing_pages_through_approved_uploads(gateway, caller, approved_only, seen_from):
    gateway.rpc.caller = caller
    assert gateway.get("/api/v1/activities/a1/media").status_code == 200
    ((_, _, args, kwargs),) = _called(gateway, "activity_media_page")
    assert args == ("a1",)
    assert kwargs == {"page": 1, "page_size": 50, "approved_only": approved_only, "seen_from": seen_from}


def _raw_form(*parts: bytes, epilogue: bytes = b"") -> bytes:
    return b"".join(b"--xyz\r\n" + part + b"\r\n" for part in parts) + b"--xyz--\r\n" + epilogue


PHOTO_PART = (
    b'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    + media_corpus.jpeg()
)


@pytest.mark.parametrize(
    "body",
    [
        _raw_form(PHOTO_PART, b'Content-Disposition: form-data; name="ignored"\r\n\r\n' + b"0" * 200_000),
        _raw_form(PHOTO_PART, epilogue=b"0" * 200_000),
    ],
    ids=["a part the route ignores", "bytes after the closing boundary"],
)
def test_the_whole_body_is_capped(gateway, body):
    response = gateway.post(
        "/api/v1/activities/a1/media", content=body, headers={"Content-Type": "multipart/form-data; boundary=xyz"}
    )
    assert_error(response, 413, "REQUEST_TOO_LARGE")
    assert ingests(gateway) == []
    assert [path for path in gateway.storage_root.rglob("*") if path.is_file()] == []


def test_a_body_within_the_cap_is_taken(gateway):
    body = _raw_form(PHOTO_PART, b'Content-Disposition: form-data; name="ignored"\r\n\r\n' + b"0" * 20_000)
    response = gateway.post(
        "/api/v1/activities/a1/media", content=body, headers={"Content-Type": "multipart/form-data; boundary=xyz"}
    )
    assert response.status_code == 201, response.text
