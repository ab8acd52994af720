"""Mount every service's app under one server, on SQLite, a local object folder and the in-process bus,
with the photographers' portal at `/`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from pixhound_cases.app import create_app as create_cases
from pixhound_cases.settings import CasesSettings
from pixhound_crawler.app import create_app as create_crawler
from pixhound_crawler.settings import CrawlerSettings
from pixhound_ingest.app import create_app as create_ingest
from pixhound_ingest.settings import IngestSettings
from pixhound_matcher.app import create_app as create_matcher
from pixhound_matcher.settings import MatcherSettings
from pixhound_notifier.app import create_app as create_notifier
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.bus import InMemoryBus
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.observability import configure_logging
from pixhound_portal.app import create_app as create_portal
from pixhound_portal.settings import PortalSettings

CASES_SERVICE_SEGMENTS = frozenset(
    {"v1", "partner", "admin", "docs", "redoc", "openapi.json", "healthz", "readyz", "metrics"}
)


class PortalOrCasesService:
    """`/cases/<id>` is the portal's case page and `/cases/v1/...` the cases service's API: route each.

    Only the embedded platform shares one address between the portal and the services; on
    its own (make up, Kubernetes) the portal has an address of its own.
    """

    def __init__(self, app: ASGIApp, portal: ASGIApp) -> None:
        self.app = app
        self.portal = portal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            parts = scope["path"].split("/", 3)
            if parts[1] == "cases" and (len(parts) == 2 or parts[2] not in CASES_SERVICE_SEGMENTS):
                await self.portal(scope, receive, send)
                return
        await self.app(scope, receive, send)


SERVICES = {
    "ingest": ("pixhound_ingest", IngestSettings, create_ingest),
    "crawler": ("pixhound_crawler", CrawlerSettings, create_crawler),
    "matcher": ("pixhound_matcher", MatcherSettings, create_matcher),
    "cases": ("pixhound_cases", CasesSettings, create_cases),
    "notifier": ("pixhound_notifier", NotifierSettings, create_notifier),
}


def embedded_settings(service: str, data_dir: Path, **overrides):
    _, settings_class, _ = SERVICES[service]
    return settings_class(
        data_dir=data_dir, database_url="", bus="memory", object_store="local", **overrides.get(service, {})
    )


def build_embedded_app(data_dir: Path, overrides: dict[str, dict] | None = None, *, log_json: bool = False) -> FastAPI:
    overrides = overrides or {}
    configure_logging("embedded", "INFO", log_json)
    bus = InMemoryBus()
    apps = {
        name: (package, factory(embedded_settings(name, data_dir, **overrides), shared_bus=bus, configure_logs=False))
        for name, (package, _, factory) in SERVICES.items()
    }

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        data_dir.mkdir(parents=True, exist_ok=True)
        for name, (package, _service_app) in apps.items():
            await upgrade_async(package, f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}")
        async with AsyncExitStack() as stack:
            for _name, (_package, service_app) in apps.items():
                await stack.enter_async_context(service_app.router.lifespan_context(service_app))
            await bus.start()
            stack.push_async_callback(bus.stop)
            await stack.enter_async_context(portal.router.lifespan_context(portal))
            yield

    root = FastAPI(title="Pixhound (embedded)", lifespan=lifespan)
    portal = create_portal(
        PortalSettings(
            **{f"{name}_url": f"http://embedded/{name}" for name in ("ingest", "crawler", "cases", "notifier")},
            **overrides.get("portal", {}),
        ),
        transport=lambda: httpx.ASGITransport(app=root),
    )

    @root.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for name, (_package, service_app) in apps.items():
        root.mount(f"/{name}", service_app)
    root.mount("/", portal)
    root.add_middleware(PortalOrCasesService, portal=portal)
    root.state.bus = bus
    root.state.apps = {name: service_app for name, (_, service_app) in apps.items()}
    return root


async def serve(app: FastAPI, host: str, port: int) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False))
    await server.serve()


def run(host: str, port: int, data_dir: Path) -> None:
    asyncio.run(serve(build_embedded_app(data_dir), host, port))
