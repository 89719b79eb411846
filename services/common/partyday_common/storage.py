"""The object store files live in: a local folder by default, an S3-compatible bucket by configuration.

The gateway streams an upload to `incoming/<uuid>` and hands the owning service the key over RPC,
never the bytes: media reads it, writes the copies it serves under `media/...` or `study/...`, and
deletes the incoming object; the directory reads a roster from it and keeps its import report under
`imports/...`. Keys are always generated here, never taken from a client.
"""

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 16
KEY = re.compile(r"^(incoming|media|study|imports)/[A-Za-z0-9_./-]+$")


def incoming_key() -> str:
    return f"incoming/{uuid.uuid4().hex}"


def checked(key: str) -> str:
    """A key this module generated: a known prefix, plain characters, no '..'."""
    if not KEY.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked(key)

    def put_file(self, key: str, path: str, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)

    @contextmanager
    def local_copy(self, key: str) -> Iterator[str]:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield str(path)

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def iter_chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The object's bytes from `start` to `end` (inclusive; the end of the object by default)."""
        with open(self._path(key), "rb") as file:
            file.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = file.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put_file(self, key: str, path: str, content_type: str) -> None:
        self.client.upload_file(path, self.bucket, checked(key), ExtraArgs={"ContentType": content_type})

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=checked(key), Body=data, ContentType=content_type)

    @contextmanager
    def local_copy(self, key: str) -> Iterator[str]:
        from botocore.exceptions import ClientError

        with tempfile.TemporaryDirectory(prefix="partyday-media-") as folder:
            path = os.path.join(folder, "object")
            try:
                self.client.download_file(self.bucket, checked(key), path)
            except ClientError as exc:
                raise FileNotFoundError(key) from exc
            yield path

    def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=checked(key))["ContentLength"]
        except ClientError as exc:
            raise FileNotFoundError(key) from exc

    def iter_chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The object's bytes from `start` to `end` (inclusive; the end of the object by default)."""
        extra = {"Range": f"bytes={start}-{'' if end is None else end}"} if start or end is not None else {}
        body = self.client.get_object(Bucket=self.bucket, Key=checked(key), **extra)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=checked(key))
        except ClientError:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=checked(key))


def make_storage(settings) -> LocalStorage | S3Storage:
    """The storage PARTYDAY_MEDIA_STORAGE names: `local` (PARTYDAY_MEDIA_DIR) or `s3`
    (PARTYDAY_MEDIA_S3_BUCKET, _ENDPOINT_URL, _REGION; credentials as boto3 finds them)."""
    if settings.media_storage == "s3":
        import boto3

        client = boto3.client("s3", endpoint_url=settings.media_s3_endpoint_url, region_name=settings.media_s3_region)
        return S3Storage(client, settings.media_s3_bucket)
    if settings.media_storage != "local":
        raise RuntimeError(f"PARTYDAY_MEDIA_STORAGE must be local or s3, not {settings.media_storage!r}")
    return LocalStorage(settings.media_folder())
