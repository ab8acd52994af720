"""The cases service's definition: match review and the recovery lifecycle."""

from pixhound_cases import api, events, store, worker
from pixhound_cases.settings import CasesSettings
from pixhound_platform.app import ServiceDefinition

SERVICE = ServiceDefinition(
    title="Pixhound cases",
    description="Match review and the recovery case lifecycle.",
    settings_class=CasesSettings,
    tables=store.messaging,
    routers=api.routers,
    consumers=worker.CONSUMERS,
    workers=worker.WORKERS,
    startup=worker.STARTUP,
    publishes=events.PUBLISHES,
)
create_app = SERVICE.create_app
