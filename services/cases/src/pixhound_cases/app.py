"""The cases application factory: settings in, FastAPI app out; clients are built in the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from pixhound_cases import api, events, store, worker
from pixhound_cases.settings import CasesSettings
from pixhound_platform.app import create_service_app
from pixhound_platform.bus import EventBus


def create_app(
    settings: CasesSettings | None = None, *, shared_bus: EventBus | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or CasesSettings()
    return create_service_app(
        settings=settings,
        tables=store.messaging,
        routers=[api.router],
        consumers=worker.CONSUMERS,
        workers=worker.WORKERS,
        startup=worker.STARTUP,
        publishes=events.PUBLISHES,
        shared_bus=shared_bus,
        title="Pixhound cases",
        description="Match review and the recovery case lifecycle.",
        configure_logs=configure_logs,
    )
