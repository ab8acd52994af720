"""In production a service shows no API documentation, serves metrics only with their token, and sends
security headers on every answer; in development the documentation is there."""

import httpx

from pixhound_ingest.app import create_app
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.migrations import upgrade_async

SECRET = "a-production-secret-of-more-than-32-characters"


async def _answers(tmp_path, **settings) -> dict[str, httpx.Response]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    await upgrade_async("pixhound_ingest", url)
    app = create_app(
        IngestSettings(data_dir=tmp_path, database_url=url, bus="memory", object_store="local", **settings),
        configure_logs=False,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            return {
                "docs": await client.get("/docs"),
                "openapi": await client.get("/openapi.json"),
                "metrics": await client.get("/metrics"),
                "metrics-with-token": await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}),
                "health": await client.get("/healthz"),
            }


async def test_production_hides_docs_and_guards_metrics(tmp_path):
    closed = await _answers(tmp_path / "a", environment="prod", auth_secret=SECRET)
    assert closed["docs"].status_code == 404 and closed["openapi"].status_code == 404
    assert closed["metrics"].status_code == 404, "no metrics in production without a token"
    tokened = await _answers(tmp_path / "b", environment="prod", auth_secret=SECRET, metrics_token="scrape-me")
    assert tokened["metrics"].status_code == 401 and tokened["metrics-with-token"].status_code == 200
    health = closed["health"]
    assert health.headers["x-content-type-options"] == "nosniff"
    assert health.headers["strict-transport-security"].startswith("max-age=")
    assert health.headers["x-frame-options"] == "DENY"


async def test_development_keeps_its_documentation(tmp_path):
    open_ = await _answers(tmp_path, environment="dev")
    assert open_["openapi"].status_code == 200 and open_["metrics"].status_code == 200
    assert open_["health"].headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in open_["health"].headers
