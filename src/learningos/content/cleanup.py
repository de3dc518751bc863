"""The periodic file sweep: stored uploads no content row points to, and stale temp folders.

An upload stores its file before its transaction commits, so a request that died in
between (or a purge job that gave up) leaves a file nobody will read. Past a grace period,
longer than any upload request, such files are removed; so are the temporary folders an
upload or a download from S3 left behind when its process was killed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import anyio
from sqlalchemy import select

from learningos.kit.db import utcnow
from learningos.kit.logging import get_logger
from learningos.models.content import Content
from learningos.services import Services

log = get_logger(__name__)
PREFIX = "contents"
TEMP_PREFIXES = ("learningos-upload-", "learningos-")  # content/upload.py, kit/storage.py
BATCH = 500


@dataclass(frozen=True)
class Swept:
    files: int
    folders: int


async def sweep(services: Services, temp_root: Path | None = None) -> Swept:
    grace = services.settings.orphan_file_grace_seconds
    files = await sweep_orphan_files(services, grace)
    folders = await anyio.to_thread.run_sync(
        sweep_temp_folders, temp_root or Path(tempfile.gettempdir()), grace
    )
    if files or folders:
        log.info("content.swept_files", files=files, folders=folders)
    return Swept(files, folders)


async def sweep_orphan_files(services: Services, grace_seconds: float) -> int:
    """Remove stored files under contents/ older than the grace period with no content row."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    old = [f.key for f in await services.storage.listing(PREFIX) if f.modified < cutoff]
    removed = 0
    for start in range(0, len(old), BATCH):
        keys = old[start : start + BATCH]
        async with services.db.transaction() as session:
            kept = set(
                await session.scalars(select(Content.file_key).where(Content.file_key.in_(keys)))
            )
        for key in keys:
            if key not in kept:
                await services.storage.delete(key)
                removed += 1
    return removed


def sweep_temp_folders(root: Path, grace_seconds: float) -> int:
    """Remove this user's learningos temporary folders not touched for the grace period."""
    cutoff = time.time() - grace_seconds
    removed = 0
    for path in root.iterdir():
        if not path.name.startswith(TEMP_PREFIXES) or not path.is_dir() or path.is_symlink():
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if stat.st_uid == os.getuid() and stat.st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed
