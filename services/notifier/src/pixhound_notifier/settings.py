"""Notifier settings: where mail goes, how hard to try, and when the daily digest leaves."""

from typing import Literal

from pydantic import Field, SecretStr

from pixhound_platform.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    service_name: str = "notifier"
    mail_transport: Literal["smtp", "folder"] = Field(
        default="folder", description="smtp, or folder (.eml files in data_dir/mail, the embedded default)"
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host")
    smtp_port: int = Field(default=1025, description="SMTP server port")
    smtp_username: str = Field(default="", description="SMTP user (empty: no authentication)")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_timeout_seconds: float = Field(default=10.0, description="SMTP connect and command timeout")
    mail_from: str = Field(default="Pixhound <alerts@pixhound.local>", description="From header of every email")
    portal_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of the photographers' portal, used in links"
    )
    mail_max_attempts: int = Field(default=8, ge=1, description="Delivery attempts before an email is marked failed")
    mail_poll_seconds: float = Field(default=0.5, gt=0, description="Email sender poll interval when idle")
    digest_hour_utc: int = Field(
        default=7, ge=0, le=23, description="Hour (UTC) of the daily digest email, for accounts that chose none"
    )
    digest_poll_seconds: float = Field(default=60.0, gt=0, description="How often the worker looks for due digests")
