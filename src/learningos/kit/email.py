"""Outgoing email. Embedded: messages are written to an outbox folder and logged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import anyio

from learningos.kit.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None


class EmailSender(Protocol):
    async def send(self, email: Email) -> str: ...


class OutboxEmailSender:
    """Writes each message as an RFC 5322 .eml file; the file name is the message id."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, email: Email) -> str:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = email.to
        msg["Subject"] = email.subject
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = make_msgid(domain="learningos.local")
        msg.set_content(email.text)
        if email.html:
            msg.add_alternative(email.html, subtype="html")
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
        path = self.folder / name

        def _write() -> None:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(bytes(msg))
            tmp.replace(path)

        await anyio.to_thread.run_sync(_write)
        log.info("email.outbox_written", to=email.to, subject=email.subject, file=str(path))
        return name
