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

    service_name: str = Field(default="pixhound", description="Name used in logs, metrics, consumer groups and events")
    environment: Literal["dev", "test", "prod"] = Field(default="dev", description="prod refuses development secrets")
    log_level: str = Field(default="INFO", description="Python log level")
    log_json: bool = Field(default=True, description="JSON log lines (with trace ids) instead of plain text")

    database_url: str = Field(
        default="", description="SQLAlchemy async URL (postgresql+asyncpg://…); empty means SQLite in data_dir"
    )
    database_pool_size: int = Field(default=5, ge=1, description="PostgreSQL connections kept open")
    database_max_overflow: int = Field(default=5, ge=0, description="Extra PostgreSQL connections under load")
    data_dir: Path = Field(
        default=Path(".local/embedded"), description="Folder for embedded SQLite files, objects and mail"
    )

    bus: Literal["memory", "kafka"] = Field(default="memory", description="Event bus: in-process or Kafka")
    kafka_bootstrap: str = Field(default="127.0.0.1:19092", description="Kafka bootstrap servers")
    topic_prefix: str = Field(default="", description="Prefix for every topic and consumer group (test isolation)")
    consumer_group: str = Field(default="", description="Consumer group; empty means pixhound-<service>")
    max_delivery_attempts: int = Field(
        default=3, ge=1, description="Handler attempts before a message is dead-lettered"
    )
    retry_backoff_seconds: float = Field(default=0.2, ge=0, description="First retry delay, doubled on each attempt")

    object_store: Literal["local", "s3"] = Field(default="local", description="Object storage: local folder or S3")
    s3_endpoint: str = Field(default="127.0.0.1:19000", description="S3 endpoint, host:port or http(s):// URL")
    s3_access_key: str = Field(default="pixhound", description="S3 access key")
    s3_secret_key: SecretStr = Field(default=SecretStr("pixhound-secret"), description="S3 secret key")
    s3_bucket: str = Field(default="pixhound", description="Bucket holding photos, images and evidence")
    s3_secure: bool = Field(default=False, description="Use TLS to reach S3 (set by an https:// endpoint)")
    s3_region: str = Field(default="us-east-1", description="S3 region")

    auth_secret: SecretStr = Field(
        default=SecretStr(DEV_ONLY_SECRET), description="Secret that signs photographers' bearer tokens (shared)"
    )
    token_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0, description="Lifetime of a bearer token")

    max_json_body_bytes: int = Field(
        default=1024 * 1024, gt=0, description="Largest JSON request body; past it the request is answered 413"
    )
    max_request_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="Largest request body of any other kind (uploads keep their own, lower limits); past it, 413",
    )

    expose_api_docs: bool | None = Field(
        default=None, description="Serve /docs, /redoc and /openapi.json; unset means everywhere but prod"
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token /metrics asks for; in prod, metrics are off without one"
    )
    outbox_poll_seconds: float = Field(default=0.5, gt=0, description="Outbox relay poll interval when idle")
    run_workers: bool = Field(default=True, description="Run consumers, relay and workers in this process")

    @model_validator(mode="after")
    def _split_s3_url(self) -> ServiceSettings:
        for scheme, secure in (("https://", True), ("http://", False)):
            if self.s3_endpoint.startswith(scheme):
                self.s3_endpoint = self.s3_endpoint.removeprefix(scheme).rstrip("/")
                self.s3_secure = secure
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        secret = self.auth_secret.get_secret_value()
        if self.environment == "prod" and (secret == DEV_ONLY_SECRET or len(secret) < 32):
            raise ValueError(
                "PIXHOUND_AUTH_SECRET must be set to a real secret of at least 32 characters in production"
            )
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
