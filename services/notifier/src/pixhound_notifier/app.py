"""The notifier's definition: the mail transport is built in the lifespan."""

from pixhound_notifier import api, events, store, worker
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.app import ServiceDefinition

SERVICE = ServiceDefinition(
    title="Pixhound notifier",
    description="Email, webhooks and in-app alerts.",
    settings_class=NotifierSettings,
    tables=store.messaging,
    routers=[api.router],
    consumers=worker.CONSUMERS,
    workers=worker.WORKERS,
    startup=worker.STARTUP,
    publishes=events.PUBLISHES,
)
create_app = SERVICE.create_app
