"""Waiting for a wake-up signal or a poll interval, whichever comes first.

Background loops (outbox relay, crawl lanes, email sender) sleep on an `asyncio.Event`
with a timeout. `asyncio.wait_for` is not used for this because on Python 3.11 it can
swallow a cancellation that arrives as the event fires, leaving a loop that never stops.
"""

from __future__ import annotations

import asyncio


async def wait_for_signal(event: asyncio.Event, timeout: float) -> None:
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        pass
    event.clear()
