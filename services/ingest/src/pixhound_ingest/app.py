"""Ingest's definition: accounts and photo upload; publishes through the outbox only."""

from pixhound_ingest import api, events, store, worker
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.app import ServiceDefinition

SERVICE = ServiceDefinition(
    title="Pixhound ingest",
    description="Photographer accounts and photo upload.",
    settings_class=IngestSettings,
    tables=store.messaging,
    routers=[api.router],
    consumers=worker.CONSUMERS,
    workers=worker.WORKERS,
    startup=worker.STARTUP,
    publishes=events.PUBLISHES,
)
create_app = SERVICE.create_app
