"""The crawler's application factory: settings in, FastAPI app out; the HTTP client is built in the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from pixhound_crawler import api, events, store, worker
from pixhound_crawler.settings import CrawlerSettings
from pixhound_platform.app import create_service_app
from pixhound_platform.bus import EventBus


def create_app(
    settings: CrawlerSettings | None = None, *, shared_bus: EventBus | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or CrawlerSettings()
    return create_service_app(
        settings=settings,
        tables=store.messaging,
        routers=[api.router],
        consumers=worker.CONSUMERS,
        workers=worker.WORKERS,
        startup=worker.STARTUP,
        publishes=events.PUBLISHES,
        shared_bus=shared_bus,
        title="Pixhound crawler",
        description="Polite, safe web discovery of images, with page evidence.",
        configure_logs=configure_logs,
    )
