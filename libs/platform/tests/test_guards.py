"""Requests carrying NUL characters are refused with a problem, others pass untouched."""

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from pixhound_platform.guards import RejectNulCharacters


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
