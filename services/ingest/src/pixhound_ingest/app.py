"""Ingest's application factory: settings in, FastAPI app out; clients are built in the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from pixhound_ingest import api, events, store, worker
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.app import create_service_app
from pixhound_platform.bus import EventBus


def create_app(
    settings: IngestSettings | None = None, *, shared_bus: EventBus | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or IngestSettings()
    return create_service_app(
        settings=settings,
        tables=store.messaging,
        routers=[api.router],
        consumers=worker.CONSUMERS,
        workers=worker.WORKERS,
        startup=worker.STARTUP,
        publishes=events.PUBLISHES,
        shared_bus=shared_bus,
        title="Pixhound ingest",
        description="Photographer accounts and photo upload.",
        configure_logs=configure_logs,
    )
