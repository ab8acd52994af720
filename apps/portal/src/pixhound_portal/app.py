"""The portal's application factory: pages, static files, sessions, errors and hardening.

The HTTP clients to the services are built in the lifespan, never at import. In the embedded
platform the portal reaches the services in-process through an ASGI transport; on its own
(`make up`, Kubernetes) it calls their URLs from settings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pixhound_platform.observability import RequestObservabilityMiddleware
from pixhound_portal.backend import Backend, BackendError, SignedOut
from pixhound_portal.guards import BodyLimit, SecurityHeaders
from pixhound_portal.pages import ROUTERS, UPLOAD_PATHS
from pixhound_portal.sessions import SessionCodec
from pixhound_portal.settings import PortalSettings
from pixhound_portal.web import CsrfRejected, SignInRequired, guest_context, redirect, render

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


def create_app(settings: PortalSettings | None = None, *, transport: TransportFactory | None = None) -> FastAPI:
    settings = settings or PortalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backend = Backend(settings, transport() if transport else None)
        try:
            yield
        finally:
            await app.state.backend.close()

    production = settings.environment == "prod"
    app = FastAPI(
        title="Pixhound portal",
        lifespan=lifespan,
        docs_url=None if production else "/portal-api/docs",
        redoc_url=None,
        openapi_url=None if production else "/portal-api/openapi.json",
    )
    app.state.settings = settings
    app.state.sessions = SessionCodec(settings)
    app.add_middleware(
        BodyLimit,
        default_limit=settings.max_form_bytes,
        upload_limit=settings.max_upload_bytes + 64 * 1024,
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.cookies_secure)
    app.add_middleware(RequestObservabilityMiddleware, service=settings.service_name)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        return JSONResponse({"status": "ready", "checks": {"portal": "ok"}})

    if not production:

        @app.get("/metrics", include_in_schema=False)
        async def metrics() -> Response:
            return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, error: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "signed-out"}, status_code=401)
        return redirect("/signin", next=error.next_path)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _error: SignedOut) -> Response:
        response: Response = (
            JSONResponse({"error": "signed-out"}, status_code=401)
            if _wants_json(request)
            else RedirectResponse("/signin?expired=1", status_code=303)
        )
        request.app.state.sessions.clear(response)
        return response

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _error: CsrfRejected) -> Response:
        ctx = guest_context(request)
        if _wants_json(request):
            return JSONResponse({"error": "csrf", "reason": ctx.gettext("The form expired. Reload the page.")}, 403)
        return render(ctx, "error.html", status_code=403, problem="csrf")

    @app.exception_handler(BackendError)
    async def backend_error(request: Request, error: BackendError) -> Response:
        log.warning("service answered %s", error)
        ctx = guest_context(request)
        status = error.status if error.status in {403, 404, 409, 422, 429} else 502
        if _wants_json(request):
            return JSONResponse({"error": error.slug, "reason": error.detail}, status_code=status)
        return render(ctx, "error.html", status_code=status, problem="not-found" if status == 404 else "backend")

    @app.exception_handler(404)
    async def not_found(request: Request, _error: Exception) -> Response:
        return render(guest_context(request), "error.html", status_code=404, problem="not-found")

    @app.exception_handler(413)
    async def too_large(request: Request, _error: Exception) -> Response:
        return PlainTextResponse("Request body too large.", status_code=413)

    return app


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")
