"""The gateway's streamed uploads with the services faked: what is refused before media is asked,
what media is handed (a storage key, never bytes), and how files are served."""
import hashlib

import pytest
from fastapi.testclient import TestClient

from partyday_common.settings import get_settings
from partyday_gateway import uploads
from partyday_gateway.app import create_app
from partyday_gateway.settings import GatewaySettings
from tests.fixtures import media_corpus
from tests.gateway.test_errors import CITY_ADMIN, assert_error

ACTIVITY = {"activity_id": "a1", "branch_id": "b1", "month": "2026-12", "required_actions": []}


class MediaRpc:
    ready = True

    def __init__(self):
        self.calls = []
        self.stored_at_call = None

    async def call(self, service, method, *args, **kwargs):
        if method == "auth_context":
            return CITY_ADMIN
        if method == "org_paths":
            return {org_id: {"path": f"/root/{org_id}/", "level": "branch", "name": "x"} for org_id in args[0]}
        self.calls.append((service, method, args, kwargs))
        if method == "activity":
            return ACTIVITY
        if method == "ingest":
            upload = args[1]
            self.stored_at_call = b"".join(uploads.media_storage().iter_chunks(upload["key"]))
            return {"media_id": "m1", "status": "pending", "kind": "image", "possible_forgery": False,
                    "duplicates": [], "evidence": None}
        if method == "media_file":
            return {"key": "media/b1/m1/thumbnail.jpg", "content_type": "image/jpeg", "status": "pending",
                    "filename": "m1-thumbnail.jpg", "branch_id": "b1", "branch_path": "/root/b1/"}
        raise AssertionError(method)

    async def close(self):
        pass


@pytest.fixture
def gateway(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("PARTYDAY_MEDIA_MAX_IMAGE_BYTES", "50000")
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()
    app = create_app(GatewaySettings(amqp_uri="amqp://guest:guest@127.0.0.1:1/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.rpc = client.rpc = MediaRpc()
        app.state.authz.org_paths.rpc = app.state.rpc
        token = app.state.tokens.issue("m1", "s1", "r1", "member")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        client.storage_root = tmp_path / "media"
        yield client
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()


def post(client, files, data=None):
    return client.post("/api/v1/activities/a1/media", files=files, data=data or {})


def ingests(client):
    return [call for call in client.rpc.calls if call[1] == "ingest"]


def test_media_gets_a_storage_key_and_what_the_gateway_saw(gateway):
    photo = media_corpus.jpeg()
    answer = post(gateway, {"file": ("照片.jpg", photo, "application/octet-stream")}, {"caption": "诵读党章"})
    assert answer.status_code == 201, answer.text
    (_, _, (activity_id, upload), kwargs), = ingests(gateway)
    assert activity_id == "a1" and upload["key"].startswith("incoming/")
    assert upload | {"format": "jpeg", "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest(),
                     "filename": "照片.jpg", "caption": "诵读党章", "uploaded_by": "m1"} == upload
    assert gateway.rpc.stored_at_call == photo


@pytest.mark.parametrize("files, data, status, code", [
    ({"other": ("x.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")}, None, 400, "FILE_REQUIRED"),
    ({"file": ("x.jpg", b"", "image/jpeg")}, None, 400, "FILE_EMPTY"),
    ({"file": ("x.jpg", b"GIF89a" + b"0" * 100, "image/jpeg")}, None, 415, "UNSUPPORTED_TYPE"),
    ({"file": ("x.jpg", b"\xff\xd8\xff" + b"0" * 60_000, "image/jpeg")}, None, 413, "FILE_TOO_LARGE"),
    ({"file": ("..\\..\\boot.ini", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")}, None, 422, "FILENAME_INVALID"),
    ({"file": ("x.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")}, {"caption": "长" * 2000}, 413,
     "FIELD_TOO_LARGE"),
])
def test_refused_before_media_is_asked(gateway, files, data, status, code):
    assert_error(post(gateway, files, data), status, code)
    assert ingests(gateway) == []
    assert [path for path in gateway.storage_root.rglob("*") if path.is_file()] == []


def test_two_files_are_refused(gateway):
    photo = ("a.jpg", media_corpus.jpeg(), "image/jpeg")
    body = [("file", photo), ("file", photo)]
    assert_error(gateway.post("/api/v1/activities/a1/media", files=body), 400, "ONE_FILE_ONLY")


def test_a_body_that_is_not_multipart_is_415(gateway):
    assert_error(gateway.post("/api/v1/activities/a1/media", content=media_corpus.jpeg(),
                              headers={"Content-Type": "image/jpeg"}), 415, "MULTIPART_REQUIRED")


def test_a_broken_multipart_body_is_400(gateway):
    response = gateway.post("/api/v1/activities/a1/media", content=b"--xyz\r\nnonsense",
                            headers={"Content-Type": "multipart/form-data; boundary=abc"})
    assert_error(response, 400, "MALFORMED_MULTIPART")


def test_files_are_served_as_attachments(gateway):
    uploads.media_storage().put_bytes("media/b1/m1/thumbnail.jpg", b"\xff\xd8\xffthumb", "image/jpeg")
    response = gateway.get("/api/v1/media/m1/thumbnail")
    assert response.status_code == 200 and response.content == b"\xff\xd8\xffthumb"
    assert response.headers["content-disposition"].startswith('attachment; filename="m1-thumbnail.jpg"')
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("header, status, body, content_range", [
    ("bytes=0-3", 206, b"0123", "bytes 0-3/10"), ("bytes=7-", 206, b"789", "bytes 7-9/10"),
    ("bytes=-2", 206, b"89", "bytes 8-9/10"), ("bytes=5-100", 206, b"56789", "bytes 5-9/10"),
    ("bytes=10-", 416, None, "bytes */10"), ("bytes=1-2,4-5", 416, None, "bytes */10"),
])
def test_byte_ranges_for_seeking(gateway, header, status, body, content_range):
    uploads.media_storage().put_bytes("media/b1/m1/thumbnail.jpg", b"0123456789", "image/jpeg")
    response = gateway.get("/api/v1/media/m1", headers={"Range": header})
    assert response.status_code == status, response.text
    assert response.headers["content-range"] == content_range
    if body is not None:
        assert response.content == body


def test_a_missing_stored_file_is_404(gateway):
    assert_error(gateway.get("/api/v1/media/m1/thumbnail"), 404, "FILE_NOT_FOUND")
