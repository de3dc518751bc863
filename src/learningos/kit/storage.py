"""Stored files (uploaded originals): a local folder embedded, S3 / Cloudflare R2 in production.

Keys are relative paths such as ``contents/<user>/<content>/original.pdf``. Processing
needs a local file, so `local_copy` yields a path (the file itself locally, a temporary
download from S3). boto3 is blocking: every call runs in a worker thread.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import anyio


@dataclass(frozen=True)
class StoredFile:
    key: str
    modified: datetime


class Storage(Protocol):
    async def put(self, key: str, source: Path) -> None: ...
    def local_copy(self, key: str) -> Any: ...  # async context manager yielding a Path
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def listing(self, prefix: str) -> list[StoredFile]: ...


def _safe(key: str) -> str:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not key:
        raise ValueError(f"invalid storage key {key!r}")
    return str(path)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _safe(key)

    async def put(self, key: str, source: Path) -> None:
        target = self._path(key)

        def _copy() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + ".part")
            shutil.copyfile(source, tmp)
            tmp.replace(target)

        await anyio.to_thread.run_sync(_copy)

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        path = self._path(key)
        if not await anyio.to_thread.run_sync(path.exists):
            raise FileNotFoundError(key)
        yield path

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def _remove() -> None:
            path.unlink(missing_ok=True)
            parent = path.parent
            while parent != self.root and parent.exists() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

        await anyio.to_thread.run_sync(_remove)

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).exists)

    async def listing(self, prefix: str) -> list[StoredFile]:
        """Every file under the prefix (half-written `.part` files too), with its mtime."""
        base = self._path(prefix)

        def _walk() -> list[StoredFile]:
            found = []
            for path in base.rglob("*") if base.is_dir() else []:
                try:
                    stat = path.stat()
                except FileNotFoundError:  # removed meanwhile
                    continue
                if path.is_file():
                    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                    found.append(StoredFile(path.relative_to(self.root).as_posix(), modified))
            return found

        return await anyio.to_thread.run_sync(_walk)


class S3Storage:
    """Any S3-compatible store (AWS S3, Cloudflare R2 via its endpoint URL)."""

    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    async def put(self, key: str, source: Path) -> None:
        await anyio.to_thread.run_sync(
            lambda: self.client.upload_file(str(source), self.bucket, _safe(key))
        )

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        with tempfile.TemporaryDirectory(prefix="learningos-") as folder:
            target = Path(folder) / PurePosixPath(_safe(key)).name
            try:
                await anyio.to_thread.run_sync(
                    lambda: self.client.download_file(self.bucket, key, str(target))
                )
            except Exception as exc:
                if _is_missing(exc):
                    raise FileNotFoundError(key) from exc
                raise
            yield target

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(
            lambda: self.client.delete_object(Bucket=self.bucket, Key=_safe(key))
        )

    async def exists(self, key: str) -> bool:
        try:
            await anyio.to_thread.run_sync(
                lambda: self.client.head_object(Bucket=self.bucket, Key=_safe(key))
            )
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    async def listing(self, prefix: str) -> list[StoredFile]:
        def _list() -> list[StoredFile]:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=_safe(prefix)
            )
            return [
                StoredFile(item["Key"], item["LastModified"])
                for page in pages
                for item in page.get("Contents", [])
            ]

        return await anyio.to_thread.run_sync(_list)


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def make_storage(settings: Any) -> Storage:
    if settings.storage_backend == "s3":
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=(
                settings.s3_secret_access_key.get_secret_value()
                if settings.s3_secret_access_key
                else None
            ),
            config=Config(retries={"max_attempts": 5, "mode": "standard"}),
        )
        return S3Storage(settings.s3_bucket, client)
    return LocalStorage(settings.files_dir)
