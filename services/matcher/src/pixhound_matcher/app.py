"""The matcher's definition: its indexes load in the lifespan before consumers start."""

from pixhound_matcher import api, events, store, worker
from pixhound_matcher.settings import MatcherSettings
from pixhound_platform.app import ServiceDefinition

SERVICE = ServiceDefinition(
    title="Pixhound matcher",
    description="Fingerprints and nearest-neighbour search over reference photos and discovered images.",
    settings_class=MatcherSettings,
    tables=store.messaging,
    routers=[api.router],
    consumers=worker.CONSUMERS,
    workers=worker.WORKERS,
    startup=worker.STARTUP,
    publishes=events.PUBLISHES,
)
create_app = SERVICE.create_app
