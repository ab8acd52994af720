"""Object storage for photos, downloaded images and evidence: S3 (MinIO client) or a local folder.

Both implementations take the same keys, so a key written in an event can be read by
any service. Writes are write-once by convention: keys are derived from content hashes
or ids, and evidence is never overwritten.
"""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from minio import Minio
from minio.error import S3Error


class ObjectNotFound(KeyError):
    pass


def checked_key(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or key != str(path):
        raise ValueError(f"invalid object key {key!r}")
    return key


class ObjectStore(Protocol):
    async def ensure_ready(self) -> None: ...

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...

    async def ping(self) -> None: ...

    def open_stream(self, key: str) -> BinaryIO:
        """A blocking file-like reader for large objects (call it from a worker thread)."""
        ...


class LocalObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    async def ensure_ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            scratch.write_bytes(data)
            scratch.replace(path)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as error:
            raise ObjectNotFound(key) from error

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open_stream(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as error:
            raise ObjectNotFound(key) from error

    async def ping(self) -> None:
        if not self.root.is_dir():
            raise ConnectionError(f"object folder {self.root} is missing")


class S3ObjectStore:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def connect(cls, *, endpoint: str, access_key: str, secret_key: str, bucket: str, secure: bool, region: str):
        return cls(Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region), bucket)

    async def ensure_ready(self) -> None:
        def create_bucket() -> None:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as error:
                    if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise

        await asyncio.to_thread(create_bucket)

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, checked_key(key), io.BytesIO(data), len(data), content_type
        )

    async def get(self, key: str) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(self.bucket, checked_key(key))
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        try:
            return await asyncio.to_thread(read)
        except S3Error as error:
            if error.code in {"NoSuchKey", "NoSuchObject"}:
                raise ObjectNotFound(key) from error
            raise

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, checked_key(key))
            return True
        except S3Error as error:
            if error.code in {"NoSuchKey", "NoSuchObject", "NotFound"}:
                return False
            raise

    def open_stream(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(self.bucket, checked_key(key))
        except S3Error as error:
            if error.code in {"NoSuchKey", "NoSuchObject"}:
                raise ObjectNotFound(key) from error
            raise

    async def ping(self) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            raise ConnectionError(f"bucket {self.bucket} is missing")
