"""Fixtures for ingest: the app on PostgreSQL, S3 and Kafka, and photographers signing up."""

import pytest

from pixhound_ingest.app import create_app
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import serve_app


@pytest.fixture
async def client(pg_url, infra_settings):
    await upgrade_async("pixhound_ingest", pg_url)
    app = create_app(
        IngestSettings(database_url=pg_url, max_upload_bytes=2_000_000, **infra_settings), configure_logs=False
    )
    async with serve_app(app) as client:
        client.app = app
        yield client


@pytest.fixture
def signup(client):
    """Open an account; returns the TokenOut body and ready-made Authorization headers."""

    async def open_account(email: str = "camille@example.org", password: str = "a long password"):
        response = await client.post(
            "/v1/accounts", json={"email": email, "display_name": "Camille", "password": password}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body, {"Authorization": f"Bearer {body['token']}"}

    return open_account
