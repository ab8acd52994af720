"""Requests carrying NUL characters or oversized bodies are refused with a problem, others pass untouched."""

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

from pixhound_platform.guards import RejectNulCharacters
from pixhound_platform.problems import install_problem_handlers
from pixhound_platform.settings import ServiceSettings


class Note(BaseModel):
    text: str


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RejectNulCharacters)

    @app.post("/notes")
    async def create(note: Note) -> dict:
        return {"text": note.text}

    @app.get("/notes/{name}")
    async def read(name: str, q: str = "") -> dict:
        return {"name": name, "q": q}

    return app


async def test_nul_characters_are_refused_everywhere():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as client:
        ok = await client.post("/notes", json={"text": "café"})
        assert ok.status_code == 200 and ok.json() == {"text": "café"}
        for response in (
            await client.post("/notes", json={"text": "a\x00b"}),
            await client.get("/notes/x%00y"),
            await client.get("/notes/x", params={"q": "a\x00"}),
        ):
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("nul-character")
        assert (await client.get("/notes/plain", params={"q": "fine"})).json() == {"name": "plain", "q": "fine"}


async def test_bodies_are_capped_while_they_stream_in():
    app = _app()
    install_problem_handlers(app)
    capped = RejectNulCharacters(app, max_json_body_bytes=1024, max_request_body_bytes=4096)
    read: list[int] = []

    @app.post("/blobs")
    async def blob(request: Request) -> dict:
        body = await request.body()
        read.append(len(body))
        return {"size": len(body)}

    async def chunks(count: int, size: int):
        for _ in range(count):
            yield b"x" * size

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=capped), base_url="http://t") as client:
        assert (await client.post("/notes", json={"text": "a" * 900})).status_code == 200
        for response in (
            await client.post("/notes", json={"text": "a" * 2000}),
            await client.post("/notes", content=chunks(100, 512), headers={"content-type": "application/json"}),
            await client.post("/blobs", content=b"x" * 5000),
            await client.post("/blobs", content=chunks(100, 512)),
        ):
            assert response.status_code == 413, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("too-large")
        assert (await client.post("/blobs", content=b"x" * 4000)).json() == {"size": 4000}
        assert read == [4000], "no handler saw an oversized body"


def test_the_caps_are_settings():
    settings = ServiceSettings()
    assert settings.max_json_body_bytes == 1024 * 1024 and settings.max_request_body_bytes == 64 * 1024 * 1024
