"""Typed settings shared by every service, read from `PIXHOUND_*` environment variables.

The defaults are the embedded ones (SQLite, a local object folder, the in-process bus)
so a newcomer can run the platform with no infrastructure; production and the test
suite point the same fields at PostgreSQL, Kafka and S3.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ONLY_SECRET = "pixhound-development-only-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIXHOUND_", extra="ignore")

    service_name: str = "pixhound"
    environment: Literal["dev", "test", "prod"] = "dev"
    log_level: str = "INFO"
    log_json: bool = True

    database_url: str = ""
    data_dir: Path = Path(".local/embedded")

    bus: Literal["memory", "kafka"] = "memory"
    kafka_bootstrap: str = "127.0.0.1:19092"
    topic_prefix: str = ""
    consumer_group: str = ""
    max_delivery_attempts: int = Field(default=3, ge=1)
    retry_backoff_seconds: float = Field(default=0.2, ge=0)

    object_store: Literal["local", "s3"] = "local"
    s3_endpoint: str = "127.0.0.1:19000"
    s3_access_key: str = "pixhound"
    s3_secret_key: SecretStr = SecretStr("pixhound-secret")
    s3_bucket: str = "pixhound"
    s3_secure: bool = False
    s3_region: str = "us-east-1"

    auth_secret: SecretStr = SecretStr(DEV_ONLY_SECRET)
    token_ttl_seconds: int = 30 * 24 * 3600

    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    run_workers: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "prod" and self.auth_secret.get_secret_value() == DEV_ONLY_SECRET:
            raise ValueError("PIXHOUND_AUTH_SECRET must be set to a real secret in production")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / f'{self.service_name}.db'}"

    @property
    def effective_consumer_group(self) -> str:
        return self.consumer_group or f"pixhound-{self.service_name}"

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"


def parse_networks(spec: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse a comma-separated list of CIDRs such as `127.0.0.0/8,::1/128`."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()]
