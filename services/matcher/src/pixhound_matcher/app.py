"""The matcher's application factory: settings in, FastAPI app out; indexes load in the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from pixhound_matcher import api, events, store, worker
from pixhound_matcher.settings import MatcherSettings
from pixhound_platform.app import create_service_app
from pixhound_platform.bus import EventBus


def create_app(
    settings: MatcherSettings | None = None, *, shared_bus: EventBus | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or MatcherSettings()
    return create_service_app(
        settings=settings,
        tables=store.messaging,
        routers=[api.router],
        consumers=worker.CONSUMERS,
        workers=worker.WORKERS,
        startup=worker.STARTUP,
        publishes=events.PUBLISHES,
        shared_bus=shared_bus,
        title="Pixhound matcher",
        description="Fingerprints and nearest-neighbour search over reference photos and discovered images.",
        configure_logs=configure_logs,
    )
