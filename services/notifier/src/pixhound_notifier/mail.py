"""Mail transports: real SMTP (aiosmtplib), or a local folder of `.eml` files for the embedded default."""

from __future__ import annotations

import asyncio
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from pixhound_notifier.settings import NotifierSettings


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        settings = self.settings
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


class FolderTransport:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4()}.eml"
        await asyncio.to_thread(path.write_bytes, bytes(message))


def build_transport(settings: NotifierSettings) -> MailTransport:
    if settings.mail_transport == "smtp":
        return SmtpTransport(settings)
    return FolderTransport(settings.data_dir / "mail")
