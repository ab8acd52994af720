"""Fixtures for the cases service: the app on PostgreSQL, Kafka and S3, agencies with keys, a webhook receiver."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import uvicorn

from pixhound_cases.app import create_app
from pixhound_cases.settings import CasesSettings
from pixhound_events.v1 import matches_pb2, photos_pb2
from pixhound_platform.migrations import upgrade, upgrade_async
from pixhound_platform.testing import bearer, create_database, drop_database, serve_app, wait_until

ADMIN = {"Authorization": "Bearer operator-token-for-tests"}


@dataclass
class WebhookReceiver:
    server: ThreadingHTTPServer
    received: list[tuple[dict, bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"


@pytest.fixture
def webhook_receiver():
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield WebhookReceiver(server, received)
    server.shutdown()
    server.server_close()


@dataclass
class CasesWorld:
    client: object
    probe: object
    app: object
    agencies: dict[str, dict]

    def partner(self, name: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.agencies[name]['token']}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    async def open_case(self, owner: str, photo_id: str, page: str, *, object_key: str = "", **match) -> dict:
        """Publish the photo and a MatchFound for it on `page` (fields of `match` override the defaults)."""
        await self.probe.publish(
            photos_pb2.PhotoIngested(
                photo_id=photo_id,
                owner_id=owner,
                object_key=object_key or f"ingest/photos/{photo_id}.jpg",
                sha256="ab" * 32,
                title=f"Photo {photo_id}",
                authorship=photos_pb2.Authorship(creator="Camille", copyright="© Camille 2026"),
            )
        )
        await self.probe.publish(
            matches_pb2.MatchFound(
                match_id=f"m-{photo_id}-{page}",
                photo_id=photo_id,
                owner_id=owner,
                discovery_id="d",
                page_url=page,
                image_url=f"{page}/img.jpg",
                score=0.92,
                site_host=urlsplit(page).hostname,
                image_sha256="cd" * 32,
                page_sha256="ef" * 32,
                **{
                    "evidence_key": "crawler/pages/ef.html",
                    "image_object_key": "crawler/images/cd",
                    **match,
                },
            )
        )

        async def found():
            items = (await self.client.get("/v1/cases", headers=bearer(owner), params={"photo_id": photo_id})).json()[
                "items"
            ]
            return items[0] if items else None

        return await wait_until(found, timeout=30, description=f"a case for {photo_id}")


@pytest.fixture
async def world(pg_url, infra_settings, probe, webhook_receiver):
    await upgrade_async("pixhound_cases", pg_url)
    settings = CasesSettings(
        database_url=pg_url,
        admin_token="operator-token-for-tests",
        webhook_allowed_networks="127.0.0.0/8",
        payout_check_seconds=0.2,
        worker_poll_seconds=0.2,
        **infra_settings,
    )
    app = create_app(settings, configure_logs=False)
    async with serve_app(app) as client:
        agencies = {}
        for name, percent in (("Cabinet Alpha", "35"), ("Recouvrement Beta", "30")):
            created = await client.post(
                "/admin/v1/agencies",
                headers=ADMIN,
                json={
                    "name": name,
                    "contact_email": "ops@agency.example",
                    "fee_percent": percent,
                    "payout_days": 14,
                    "webhook_url": webhook_receiver.url,
                    "webhook_secret": f"secret-{name}",
                },
            )
            assert created.status_code == 201, created.text
            key = await client.post(
                f"/admin/v1/agencies/{created.json()['id']}/keys", headers=ADMIN, json={"label": "tests"}
            )
            assert key.status_code == 201, key.text
            agencies[name] = {
                "id": created.json()["id"],
                "token": key.json()["token"],
                "key_id": key.json()["key_id"],
                "secret": f"secret-{name}",
            }
        yield CasesWorld(client=client, probe=probe, app=app, agencies=agencies)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_cases(pg_dsn_base, infra_settings):
    """The service on a real port (uvicorn in a thread) with its own database: (base URL, app, infra settings)."""
    name = f"t_fuzz_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(create_database(pg_dsn_base, name))
    upgrade("pixhound_cases", url)
    app = create_app(
        CasesSettings(database_url=url, admin_token="fuzz-operator-token", **infra_settings), configure_logs=False
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the cases service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app, infra_settings
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        asyncio.run(drop_database(pg_dsn_base, name))
