"""Notifier settings: where mail goes and how hard to try."""

from typing import Literal

from pydantic import Field, SecretStr

from pixhound_platform.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    service_name: str = "notifier"
    mail_transport: Literal["smtp", "folder"] = "folder"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Pixhound <alerts@pixhound.local>"
    portal_url: str = "http://127.0.0.1:8000"
    mail_max_attempts: int = Field(default=8, ge=1)
    mail_poll_seconds: float = Field(default=0.5, gt=0)
