"""Getting an uploaded file onto disk without holding it in memory."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service
from learningos.kit.errors import ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.models.user import User
from learningos.services import Services


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


async def store_upload(
    session: AsyncSession,
    services: Services,
    user: User,
    file: UploadFile | None,
    *,
    title: str | None,
    description: str | None,
    meta: RequestMeta,
) -> service.Uploaded:
    """The upload as the API and the page receive it: spooled to disk, then stored."""
    async with spooled(file) as (path, filename):
        return await service.upload(
            session,
            services,
            user,
            path=path,
            filename=filename,
            title=title,
            description=description,
            meta=meta,
        )
