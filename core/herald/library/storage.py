"""Where asset files live: a small key → bytes interface with a local-folder backend and an
S3-compatible backend. Keys are built by Herald (:func:`asset_key`), namespaced per tenant,
and checked again by every backend so that no key can reach outside its namespace."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from herald.config import ConfigError, Settings
from herald.errors import HeraldError, NotFound

#: segments of letters, digits, ``_`` and ``-`` (ids), joined by single slashes: no ``..``,
#: no leading slash, no backslash, no empty segment.
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}(/[A-Za-z0-9_-]{1,80}){0,7}$")
CHUNK = 256 * 1024


class StorageError(HeraldError):
    """The storage backend failed (unreachable, refused, full)."""

    status = 503
    title = "Media storage unavailable"
    slug = "media-storage-unavailable"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"not a valid storage key: {key!r}")
    return key


def asset_key(tenant_id: str, asset_id: str) -> str:
    """The storage key of an asset's file: every tenant has its own namespace."""
    return check_key(f"tenants/{tenant_id}/assets/{asset_id}")


Data = bytes | IO[bytes]


class MediaStorage(ABC):
    """Stores files by key. ``put`` takes bytes or a binary stream; ``open`` streams a file back
    in chunks, ``get`` returns it whole. A missing key raises :class:`NotFound`."""

    @abstractmethod
    def put(self, key: str, data: Data) -> None: ...

    @abstractmethod
    def open(self, key: str) -> Iterator[bytes]: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    def get(self, key: str) -> bytes:
        return b"".join(self.open(key))


class LocalMediaStorage(MediaStorage):
    """Files under one folder (``<instance>/media`` by default); writes go through a temporary
    file and a rename, so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        # The key pattern already rules out "..", but a symlink inside the folder must not lead
        # outside it either.
        if self.root not in path.parents:
            raise ValueError(f"storage key {key!r} leads outside the media folder")
        return path

    def put(self, key: str, data: Data) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, bytes | bytearray):
                    fh.write(data)
                else:
                    shutil.copyfileobj(data, fh, CHUNK)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            fh = path.open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"No stored file {key!r}.") from exc
        return _chunks(fh)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class S3MediaStorage(MediaStorage):
    """Objects in one bucket of an S3-compatible service (AWS S3, MinIO, Ceph, R2…), under an
    optional prefix. Needs the ``s3`` extra (boto3)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 prefix: str = "", client: Any = None) -> None:
        if client is None:
            try:
                import boto3
            except ImportError as exc:
                raise ConfigError("HERALD_MEDIA_STORAGE=s3 needs boto3: pip install 'herald[s3]'.") from exc
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                  aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key)
        self.client, self.bucket = client, bucket
        self.prefix = check_key(prefix.strip("/")) + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, op: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, op)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise NotFound(f"No stored file {kwargs.get('Key')!r}.") from exc
            raise StorageError(f"The media storage refused {op}: {code or exc}.") from exc
        except BotoCoreError as exc:
            raise StorageError(f"The media storage is unreachable: {exc}.") from exc

    def put(self, key: str, data: Data) -> None:
        if isinstance(data, bytes | bytearray):
            self._call("put_object", Key=self._name(key), Body=bytes(data))
        else:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                self.client.upload_fileobj(data, self.bucket, self._name(key))
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(f"The media storage refused the upload: {exc}.") from exc

    def open(self, key: str) -> Iterator[bytes]:
        body = self._call("get_object", Key=self._name(key))["Body"]
        return _s3_chunks(body)

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", Key=self._name(key))
        except NotFound:
            return False
        return True


def _s3_chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


_BUILT: dict[int, tuple[Settings, MediaStorage]] = {}


def storage_for(settings: Settings) -> MediaStorage:
    """The instance's storage, built once per settings object."""
    found = _BUILT.get(id(settings))
    if found is not None and found[0] is settings:
        return found[1]
    storage: MediaStorage
    if settings.media_storage == "s3":
        if not settings.s3_bucket:
            raise ConfigError("HERALD_MEDIA_STORAGE=s3 needs HERALD_S3_BUCKET.")
        storage = S3MediaStorage(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url,
                                 region=settings.s3_region, access_key_id=settings.s3_access_key_id,
                                 secret_access_key=settings.s3_secret_access_key, prefix=settings.s3_prefix)
    else:
        storage = LocalMediaStorage(settings.media_path or settings.instance_path / "media")
    _BUILT[id(settings)] = (settings, storage)
    return storage


def current_storage() -> MediaStorage:
    from herald.runtime import current

    return storage_for(current().settings)
