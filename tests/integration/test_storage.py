"""File storage: the local folder, and the S3 adapter against a local S3-protocol server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from learningos.config import Settings
from learningos.kit.storage import LocalStorage, make_storage


async def _round_trip(storage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.bin"
    source.write_bytes(b"%PDF-1.7 hello")
    key = "contents/u/c/original.pdf"
    assert not await storage.exists(key)
    await storage.put(key, source)
    assert await storage.exists(key)
    async with storage.local_copy(key) as path:
        assert Path(path).read_bytes() == b"%PDF-1.7 hello"
    await storage.delete(key)
    assert not await storage.exists(key)
    with pytest.raises(FileNotFoundError):
        async with storage.local_copy(key):
            pass


async def test_local_storage(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    await _round_trip(storage, tmp_path)
    assert not any((tmp_path / "files").iterdir()), "empty folders are removed"


@pytest.mark.parametrize("key", ["../escape.pdf", "/etc/passwd", "a/../../b", ""])
async def test_keys_cannot_escape_the_store(tmp_path, key):
    storage = LocalStorage(tmp_path / "files")
    source = tmp_path / "x"
    source.write_bytes(b"x")
    with pytest.raises(ValueError):
        await storage.put(key, source)


@pytest.fixture
def s3_server():  # type: ignore[no-untyped-def]
    """moto's standalone server speaks the S3 wire protocol on a local port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


async def test_s3_storage_through_the_real_boto3_client(tmp_path, s3_server):
    settings = Settings(
        data_dir=tmp_path,
        storage_backend="s3",
        s3_bucket="learningos-test",
        s3_endpoint_url=s3_server,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    storage = make_storage(settings)
    storage.client.create_bucket(Bucket="learningos-test")  # type: ignore[attr-defined]
    await _round_trip(storage, tmp_path)
    await _listing(storage, tmp_path)


async def _listing(storage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "list.bin"
    source.write_bytes(b"x")
    before = datetime.now(UTC) - timedelta(minutes=1)
    for key in ("contents/u/a/original.md", "contents/u/b/original.pdf", "avatars/u/me.png"):
        await storage.put(key, source)
    found = await storage.listing("contents")
    assert sorted(f.key for f in found) == ["contents/u/a/original.md", "contents/u/b/original.pdf"]
    assert all(before < f.modified <= datetime.now(UTC) + timedelta(minutes=1) for f in found)
    assert await storage.listing("nothing-here") == []


async def test_local_storage_lists_the_files_under_a_prefix(tmp_path):
    await _listing(LocalStorage(tmp_path / "files"), tmp_path)


def test_s3_needs_a_bucket(tmp_path):
    with pytest.raises(ValueError, match="LEARNINGOS_S3_BUCKET"):
        Settings(data_dir=tmp_path, storage_backend="s3")
