"""The FastAPI application shell shared by every service.

It wires the lifespan (the runtime is built and started there), health, readiness and
metrics endpoints, request observability and problem-details errors, so each service
only supplies its routers, consumers and workers.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.bus import EventBus
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import MessagingTables
from pixhound_platform.guards import RejectNulCharacters
from pixhound_platform.headers import ServiceSecurityHeaders
from pixhound_platform.observability import RequestObservabilityMiddleware, configure_logging
from pixhound_platform.problems import Problem, install_problem_handlers
from pixhound_platform.runtime import ServiceRuntime, StartupHook, Worker
from pixhound_platform.settings import ServiceSettings


def get_runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_runtime(request).transaction() as session:
        yield session


# The transaction ends before the answer is sent (scope="function"): a client that got a 2xx can
# read what it wrote at once, and a commit that fails is answered as an error, never as a success.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


def operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database, bus and object store reachable")
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks}, status_code=200 if ready else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request, runtime: RuntimeDep) -> Response:
        settings = runtime.settings
        token = settings.metrics_token.get_secret_value()
        if token:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                raise Problem(401, "metrics-token", "Send the metrics token as a bearer token.", title="Unauthorized")
        elif settings.environment == "prod":
            raise Problem(404, "not-found", "Set PIXHOUND_METRICS_TOKEN to serve metrics in production.")
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes a service itself; everything else (lifespan, operations, errors) is shared."""

    title: str
    description: str
    settings_class: type[ServiceSettings]
    tables: MessagingTables
    routers: Sequence[APIRouter]
    consumers: Sequence[EventConsumer] = ()
    workers: Sequence[Worker] = ()
    startup: Sequence[StartupHook] = ()
    publishes: Sequence[str] = ()

    def create_app(
        self,
        settings: ServiceSettings | None = None,
        *,
        shared_bus: EventBus | None = None,
        configure_logs: bool = True,
    ) -> FastAPI:
        settings = settings or self.settings_class()
        if configure_logs:
            configure_logging(settings.service_name, settings.log_level, settings.log_json)

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            runtime = ServiceRuntime(
                settings,
                self.tables,
                consumers=list(self.consumers),
                workers=list(self.workers),
                startup=list(self.startup),
                publishes=list(self.publishes),
                shared_bus=shared_bus,
            )
            app.state.runtime = runtime
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()

        docs = settings.expose_api_docs if settings.expose_api_docs is not None else settings.environment != "prod"
        app = FastAPI(
            title=self.title,
            description=self.description,
            version="0.1.0",
            lifespan=lifespan,
            docs_url="/docs" if docs else None,
            redoc_url="/redoc" if docs else None,
            openapi_url="/openapi.json" if docs else None,
        )
        app.add_middleware(RejectNulCharacters)
        app.add_middleware(ServiceSecurityHeaders, production=settings.environment == "prod")
        app.add_middleware(RequestObservabilityMiddleware, service=settings.service_name)
        install_problem_handlers(app)
        app.include_router(operations_router())
        for router in self.routers:
            app.include_router(router)
        return app
