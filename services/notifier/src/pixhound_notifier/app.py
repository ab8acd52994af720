"""The notifier's application factory: settings in, FastAPI app out; the mail transport is built in the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from pixhound_notifier import api, events, store, worker
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.app import create_service_app
from pixhound_platform.bus import EventBus


def create_app(
    settings: NotifierSettings | None = None, *, shared_bus: EventBus | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or NotifierSettings()
    return create_service_app(
        settings=settings,
        tables=store.messaging,
        routers=[api.router],
        consumers=worker.CONSUMERS,
        workers=worker.WORKERS,
        startup=worker.STARTUP,
        publishes=events.PUBLISHES,
        shared_bus=shared_bus,
        title="Pixhound notifier",
        description="Email, webhooks and in-app alerts.",
        configure_logs=configure_logs,
    )
