"""Media storage: the local folder, and S3 through boto3 against moto's S3-compatible server."""

import hashlib

import boto3
import pytest
from moto.server import ThreadedMotoServer

from partyday_common.settings import Settings
from partyday_common.storage import LocalStorage, S3Storage, incoming_key, make_storage
from partyday_media import uploads
from partyday_media.settings import MediaSettings
from tests.fixtures import media_corpus


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings(media_storage="s3", media_s3_endpoint_url=s3_endpoint, media_s3_bucket="partyday-test")
    storage = make_storage(settings)
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket="partyday-test")
    return storage


@pytest.fixture
def local(tmp_path):
    return make_storage(Settings(media_dir=tmp_path / "media"))


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_put_read_delete(backend, request, tmp_path):
    storage = request.getfixturevalue(backend)
    assert isinstance(storage, S3Storage if backend == "s3" else LocalStorage)
    source = tmp_path / "upload"
    source.write_bytes(b"x" * 200_000)
    key = incoming_key()
    storage.put_file(key, str(source), "application/octet-stream")
    assert storage.exists(key)
    assert b"".join(storage.iter_chunks(key)) == b"x" * 200_000
    assert storage.size(key) == 200_000
    assert b"".join(storage.iter_chunks(key, 10, 99_999)) == b"x" * 99_990
    assert b"".join(storage.iter_chunks(key, 199_990)) == b"x" * 10
    with storage.local_copy(key) as path:
        assert open(path, "rb").read(3) == b"xxx"
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.size(key)
    with pytest.raises(FileNotFoundError):
        with storage.local_copy(key):
            pass


def test_an_upload_is_checked_and_stored_in_s3(s3):
    data = media_corpus.jpeg()
    key = incoming_key()
    s3.put_bytes(key, data, "image/jpeg")
    upload = uploads.admit(
        s3,
        {"key": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "filename": "photo.jpg"},
        MediaSettings(),
    )
    assert upload["format"] == "jpeg"
    stored = uploads.store(s3, upload, "media/b/m", MediaSettings())
    head = s3.client.head_object(Bucket="partyday-test", Key=stored["keys"]["thumbnail"])
    assert head["ContentType"] == "image/jpeg"
