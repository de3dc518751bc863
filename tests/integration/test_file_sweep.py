"""The periodic file sweep: stored uploads with no content row and stale temp folders go
after the grace period; everything else stays."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

from learningos.content.cleanup import sweep, sweep_temp_folders
from learningos.kit.periodic import Timer, Timers
from learningos.models.content import Content
from tests.conftest import signed_in
from tests.integration.test_content import NOTES, processed, upload

HOUR = 3600


def age(path: Path, seconds: float) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def stored(services, key: str) -> Path:  # type: ignore[no-untyped-def]
    return services.settings.files_dir / key


def orphan(services, name: str) -> Path:  # type: ignore[no-untyped-def]
    """A file an upload stored before its request died (no content row points to it)."""
    path = stored(services, f"contents/{uuid.uuid4()}/{uuid.uuid4()}/{name}")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"left behind")
    return path


async def test_stored_files_without_a_row_are_removed_after_the_grace_period(
    client, services, tmp_path: Path
):
    tokens = await signed_in(client)
    response = await upload(client, tokens, "notes.md", NOTES)
    content_id = response.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    async with services.db.transaction() as session:
        content = await session.get(Content, uuid.UUID(content_id))
        assert content is not None and content.file_key is not None
    kept = stored(services, content.file_key)
    age(kept, 2 * HOUR)
    old, fresh, half_written = (
        orphan(services, "a.pdf"),
        orphan(services, "b.md"),
        orphan(services, "original.pdf.part"),
    )
    age(old, 2 * HOUR)
    age(half_written, 2 * HOUR)
    grace = services.settings.orphan_file_grace_seconds
    assert grace == HOUR
    result = await sweep(services, temp_root=tmp_path)
    assert result.files == 2
    assert kept.exists(), "an item's file stays, however old"
    assert fresh.exists(), "within the grace period an upload may still be committing"
    assert not old.exists() and not half_written.exists()
    assert not old.parent.exists(), "emptied folders go too"


def test_stale_temporary_upload_folders_are_removed(tmp_path: Path):
    stale = tmp_path / "learningos-upload-abc123"
    stale.mkdir()
    (stale / "upload").write_bytes(b"x")
    download = tmp_path / "learningos-k2j4"
    download.mkdir()
    recent = tmp_path / "learningos-upload-def456"
    recent.mkdir()
    other = tmp_path / "somebody-else"
    other.mkdir()
    for path in (stale, download, other):
        age(path, 2 * HOUR)
    assert sweep_temp_folders(tmp_path, HOUR) == 2
    assert not stale.exists() and not download.exists()
    assert recent.exists() and other.exists()


async def test_timers_repeat_and_survive_a_failed_run():
    runs: list[int] = []

    async def work() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("the database was away")

    timers = Timers([Timer("test.work", 0.02, work)])
    timers.start()
    await asyncio.sleep(0.3)
    await timers.stop()
    count = len(runs)
    assert count >= 3
    await asyncio.sleep(0.1)
    assert len(runs) == count, "stopped timers do not run"
