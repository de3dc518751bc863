"""Getting an uploaded file onto disk without holding it in memory."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import UploadFile

from learningos.kit.errors import ValidationFailed


@asynccontextmanager
async def spooled(upload: UploadFile | None) -> AsyncIterator[tuple[Path, str]]:
    """Copy the upload to a temporary file (in a thread) and yield its path and name."""
    if upload is None or not upload.filename:
        message = "Choose a file to upload."
        raise ValidationFailed(message, details=[{"field": "file", "message": message}])
    with tempfile.TemporaryDirectory(prefix="learningos-upload-") as folder:
        path = Path(folder) / "upload"

        def _copy() -> None:
            upload.file.seek(0)
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1 << 20)

        await anyio.to_thread.run_sync(_copy)
        yield path, upload.filename
