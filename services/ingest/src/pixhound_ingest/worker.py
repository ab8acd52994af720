"""Ingest's background work: none yet; it consumes no events and only publishes through the outbox."""

from pixhound_platform.consumer import EventConsumer
from pixhound_platform.runtime import Worker

CONSUMERS: list[EventConsumer] = []
WORKERS: list[Worker] = []
STARTUP: list = []
