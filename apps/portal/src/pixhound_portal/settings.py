"""The portal's typed settings, read from `PIXHOUND_*` environment variables.

The portal owns no database, bus or object store: what it needs is where each service's
public API lives, the secret that signs its session cookie, and the limits it enforces
before a request body reaches a service.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ONLY_SESSION_SECRET = "pixhound-portal-development-only-secret"


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIXHOUND_", extra="ignore")

    service_name: str = Field(default="portal", description="Name used in logs and metrics")
    environment: Literal["dev", "test", "prod"] = Field(default="dev", description="prod refuses development secrets")
    log_level: str = Field(default="INFO", description="Python log level")
    log_json: bool = Field(default=True, description="JSON log lines (with trace ids) instead of plain text")

    ingest_url: str = Field(default="http://127.0.0.1:8001", description="Ingest's API, as the portal reaches it")
    crawler_url: str = Field(default="http://127.0.0.1:8002", description="Crawler's API, as the portal reaches it")
    cases_url: str = Field(default="http://127.0.0.1:8004", description="Cases' API, as the portal reaches it")
    notifier_url: str = Field(default="http://127.0.0.1:8005", description="Notifier's API, as the portal reaches it")
    backend_timeout_seconds: float = Field(default=30.0, gt=0, description="Timeout of one call to a service")

    session_secret: SecretStr = Field(
        default=SecretStr(DEV_ONLY_SESSION_SECRET), description="Secret that signs the portal's session cookie"
    )
    session_ttl_seconds: int = Field(default=14 * 24 * 3600, gt=0, description="Lifetime of a portal session")
    secure_cookies: bool | None = Field(
        default=None, description="Send cookies only over HTTPS; unset means on everywhere but dev"
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="Largest photo the portal forwards")
    max_form_bytes: int = Field(default=64 * 1024, gt=0, description="Largest form body the portal reads")
    page_size: int = Field(default=48, ge=1, le=200, description="Items per page on list pages")

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> PortalSettings:
        secret = self.session_secret.get_secret_value()
        if self.environment == "prod" and (secret == DEV_ONLY_SESSION_SECRET or len(secret) < 32):
            raise ValueError("PIXHOUND_SESSION_SECRET must be a real secret of at least 32 characters in production")
        return self

    @property
    def cookies_secure(self) -> bool:
        return self.environment != "dev" if self.secure_cookies is None else self.secure_cookies
