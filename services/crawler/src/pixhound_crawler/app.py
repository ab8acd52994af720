"""The crawler's definition: the HTTP client is built in the lifespan."""

from pixhound_crawler import api, events, store, worker
from pixhound_crawler.settings import CrawlerSettings
from pixhound_platform.app import ServiceDefinition

SERVICE = ServiceDefinition(
    title="Pixhound crawler",
    description="Polite, safe web discovery of images, with page evidence.",
    settings_class=CrawlerSettings,
    tables=store.messaging,
    routers=[api.router],
    consumers=worker.CONSUMERS,
    workers=worker.WORKERS,
    startup=worker.STARTUP,
    publishes=events.PUBLISHES,
)
create_app = SERVICE.create_app
