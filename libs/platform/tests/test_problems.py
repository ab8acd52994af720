"""Errors as RFC 9457 problems: a dependency that is down answers 503 with Retry-After, a bug 500."""

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from pixhound_platform.problems import install_problem_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/database-down")
    async def database_down():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))

    @app.get("/bug")
    async def bug():
        raise KeyError("photo_id")

    return app


async def test_a_database_outage_answers_503_with_retry_after_and_a_bug_500():
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        down = await client.get("/database-down")
        bug = await client.get("/bug")
    assert down.status_code == 503 and down.headers["retry-after"] == "5"
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["type"].endswith("/dependency-unavailable")
    assert bug.status_code == 500 and bug.json()["type"].endswith("/internal-error")
