"""Ingest's background work: it consumes no events and only publishes through the outbox.

At startup it sets how many photo renditions may be made at once: decoding a large
original takes hundreds of megabytes, so a burst of first views of a gallery waits its turn
instead of exhausting memory.
"""

import asyncio

from pixhound_platform.consumer import EventConsumer
from pixhound_platform.runtime import ServiceRuntime, Worker

RENDITION_SLOTS = 2
RENDITIONS = "rendition_slots"


async def prepare_renditions(runtime: ServiceRuntime) -> None:
    runtime.state[RENDITIONS] = asyncio.Semaphore(RENDITION_SLOTS)


CONSUMERS: list[EventConsumer] = []
WORKERS: list[Worker] = []
STARTUP = [prepare_renditions]
