"""Settings: embedded defaults, S3 URLs, and production refusing development secrets."""

import pytest
from pydantic import ValidationError

from pixhound_platform.settings import ServiceSettings, parse_networks


def test_embedded_defaults_need_no_infrastructure(tmp_path):
    settings = ServiceSettings(service_name="ingest", data_dir=tmp_path)
    assert settings.bus == "memory" and settings.object_store == "local"
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    assert settings.effective_consumer_group == "pixhound-ingest"


@pytest.mark.parametrize(
    ("endpoint", "host", "secure"),
    [
        ("http://minio:9000", "minio:9000", False),
        ("https://s3.example.org/", "s3.example.org", True),
        ("minio:9000", "minio:9000", False),
    ],
)
def test_s3_endpoint_accepts_urls(endpoint, host, secure):
    settings = ServiceSettings(s3_endpoint=endpoint)
    assert (settings.s3_endpoint, settings.s3_secure) == (host, secure)


def test_production_refuses_the_development_secret():
    with pytest.raises(ValidationError, match="PIXHOUND_AUTH_SECRET"):
        ServiceSettings(environment="prod")
    with pytest.raises(ValidationError, match="at least 32"):
        ServiceSettings(environment="prod", auth_secret="short")
    assert ServiceSettings(environment="prod", auth_secret="x" * 40).environment == "prod"


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("PIXHOUND_BUS", "kafka")
    monkeypatch.setenv("PIXHOUND_MAX_DELIVERY_ATTEMPTS", "5")
    settings = ServiceSettings()
    assert settings.bus == "kafka" and settings.max_delivery_attempts == 5
    monkeypatch.setenv("PIXHOUND_BUS", "carrier-pigeon")
    with pytest.raises(ValidationError):
        ServiceSettings()


def test_parse_networks():
    assert [str(n) for n in parse_networks(" 127.0.0.0/8, ::1/128 ,")] == ["127.0.0.0/8", "::1/128"]
