"""The scripted scenario: a photographer's photo is stolen, found, matched, and a case is opened.

It drives the platform only through its public HTTP APIs, so the same script runs
against the embedded single process and against the distributed stack (`make up`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import uvicorn

from pixhound_embedded.sample import agency_site_with_copy, serve_website, stolen_copy, synthetic_photo

log = logging.getLogger(__name__)
REAL_STACK = {
    name: f"http://127.0.0.1:{port}"
    for name, port in (("ingest", 8001), ("crawler", 8002), ("matcher", 8003), ("cases", 8004), ("notifier", 8005))
}


class DemoFailed(RuntimeError):
    pass


async def _poll(description: str, probe, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await asyncio.sleep(0.25)
    raise DemoFailed(f"timed out after {timeout:.0f}s waiting for {description}")


async def run_scenario(urls: dict[str, str], *, timeout: float = 90.0, seed: int = 7) -> dict:
    original = synthetic_photo(seed)
    website = serve_website(agency_site_with_copy(stolen_copy(original)))
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for name, base in urls.items():
                await _poll(f"{name} to be ready", lambda base=base: _ready(client, base), timeout)
            email = f"demo-{uuid.uuid4().hex[:8]}@example.org"
            account = await _expect(
                client.post(
                    f"{urls['ingest']}/v1/accounts",
                    json={
                        "email": email,
                        "display_name": "Camille Demo",
                        "password": "correct horse battery",
                        "locale": "fr",
                    },
                ),
                201,
            )
            auth = {"Authorization": f"Bearer {account['token']}"}
            upload = await client.post(
                f"{urls['ingest']}/v1/photos",
                headers=auth,
                data={"title": "Vue sur le port"},
                files={"file": ("vue-sur-le-port.jpg", original, "image/jpeg")},
            )
            photo = await _expect(_done(upload), 201)
            crawl = await _expect(
                client.post(
                    f"{urls['crawler']}/v1/crawls",
                    headers=auth,
                    json={"seeds": [website.url], "max_pages": 10, "max_depth": 1},
                ),
                202,
            )

            async def case_opened():
                page = await _expect(
                    client.get(f"{urls['cases']}/v1/cases", headers=auth, params={"photo_id": photo["id"]}), 200
                )
                return page["items"][0] if page["items"] else None

            case = await _poll("the case to open", case_opened, timeout)

            async def notified():
                page = await _expect(client.get(f"{urls['notifier']}/v1/notifications", headers=auth), 200)
                sent = [
                    item
                    for item in page["items"]
                    if item["subject_id"] == case["id"] and item["email_status"] == "sent"
                ]
                return sent[0] if sent else None

            notification = await _poll("the photographer's email", notified, timeout)
            return {
                "case": case["id"],
                "state": case["state"],
                "photo": photo["id"],
                "photo_title": photo["title"],
                "page_url": case["page_url"],
                "image_url": case["image_url"],
                "score": case["score"],
                "crawl": crawl["id"],
                "notification": notification["title"],
                "trace_id": upload.headers.get("x-trace-id", ""),
            }
    finally:
        website.close()


async def _ready(client: httpx.AsyncClient, base: str) -> bool:
    try:
        return (await client.get(f"{base}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def _done(response: httpx.Response) -> httpx.Response:
    return response


async def _expect(request, status: int) -> dict:
    response = await request
    if response.status_code != status:
        raise DemoFailed(
            f"{response.request.method} {response.request.url} answered {response.status_code}: {response.text}"
        )
    return response.json()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_embedded_demo(data_dir: Path | None = None) -> dict:
    from pixhound_embedded.runner import build_embedded_app

    with tempfile.TemporaryDirectory(prefix="pixhound-demo-") as scratch:
        folder = data_dir or Path(scratch)
        port = _free_port()
        app = build_embedded_app(folder, {"crawler": {"allowed_networks": "127.0.0.0/8"}})
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
        server_task = asyncio.create_task(server.serve())
        try:
            base = f"http://127.0.0.1:{port}"
            result = await run_scenario(
                {name: f"{base}/{name}" for name in ("ingest", "crawler", "matcher", "cases", "notifier")}
            )
            result["email_files"] = sorted(str(path.name) for path in (folder / "mail").glob("*.eml"))
            return result
        finally:
            server.should_exit = True
            await asyncio.gather(server_task, return_exceptions=True)


def main(stack: str) -> int:
    try:
        result = asyncio.run(run_embedded_demo() if stack == "embedded" else run_scenario(REAL_STACK))
    except DemoFailed as failure:
        log.error("demo failed: %s", failure)
        return 1
    summary = json.dumps(result, indent=2, ensure_ascii=False)
    sys.stdout.write(f"Case opened on the {stack} stack:\n{summary}\n")
    return 0
