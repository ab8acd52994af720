"""The crawler's background work: crawl lanes, and checking that matched copies are still up.

Crawl lanes run concurrently across hosts (politeness is per host, see `crawl`). When the
matcher reports a copy (`MatchFound`), its page is watched: it is fetched again every
`recheck_days` (conditionally, with the last ETag/Last-Modified) to see whether the copy
is still up and when it was removed; each change is published as `CopyChecked`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_crawler import crawl, domain, events, store
from pixhound_crawler.fetch import FetchFailed, SafeFetcher
from pixhound_crawler.settings import parse_overrides
from pixhound_events.v1 import matches_pb2
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import utcnow
from pixhound_platform.events import Envelope, MalformedEvent
from pixhound_platform.observability import bind_trace_id, new_trace_id, reset_trace_id
from pixhound_platform.runtime import ServiceRuntime
from pixhound_platform.settings import parse_networks
from pixhound_platform.signals import wait_for_signal

log = logging.getLogger(__name__)
consumer = EventConsumer("crawler")
LEASE_BATCH = 100


async def prepare_fetcher(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    fetcher = SafeFetcher(
        user_agent=settings.user_agent,
        allowed=parse_networks(settings.allowed_networks),
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.read_timeout_seconds,
        max_redirects=settings.max_redirects,
        resolve_overrides=parse_overrides(settings.resolve_overrides),
        max_connections=max(20, settings.concurrency * 2),
    )
    runtime.state[crawl.FETCHER] = fetcher
    runtime.state[crawl.WAKEUP] = asyncio.Event()
    runtime.state[crawl.MEMORY] = crawl.CrawlerMemory()
    runtime.closers.append(fetcher.close)


@consumer.on(matches_pb2.MatchFound)
async def watch_matched_page(
    runtime: ServiceRuntime, session: AsyncSession, event: matches_pb2.MatchFound, envelope: Envelope
) -> None:
    if not event.page_url or not event.image_url:
        raise MalformedEvent("MatchFound needs page_url and image_url")
    await session.execute(
        crawl.insert_for(session)(store.watched_pages)
        .values(
            id=str(uuid.uuid4()),
            page_url=event.page_url,
            image_url=event.image_url,
            image_sha256=event.image_sha256,
            next_check_at=utcnow() + timedelta(days=runtime.settings.recheck_days),
        )
        .on_conflict_do_nothing(index_elements=["page_url", "image_url"])
    )


async def recheck_due_pages(runtime: ServiceRuntime, limit: int = 10) -> int:
    """Fetch due watched pages again; record whether each copy is still there."""
    w = store.watched_pages.c
    now = utcnow()
    async with runtime.database.sessions() as session:
        due = (
            await session.execute(
                select(store.watched_pages).where(w.next_check_at <= now).order_by(w.next_check_at).limit(limit)
            )
        ).all()
    for watched in due:
        delay = runtime.settings.host_delay_seconds
        headers = {
            name: value
            for name, value in (("If-None-Match", watched.etag), ("If-Modified-Since", watched.last_modified))
            if value
        }
        etag, last_modified = watched.etag, watched.last_modified
        try:
            page = await crawl.fetch_politely(
                runtime,
                watched.page_url,
                delay,
                max_bytes=runtime.settings.max_page_bytes,
                accept="text/html,application/xhtml+xml",
                headers=headers,
            )
            if page.status == 304:
                status = watched.status
            elif page.status in (404, 410):
                status = "page_gone"
            elif page.status == 200:
                html = page.body.decode("utf-8", errors="replace")
                status = (
                    "up" if watched.image_url in domain.extract_page(html, page.final_url).image_urls else "removed"
                )
                etag, last_modified = page.headers.get("etag", "")[:300], page.headers.get("last-modified", "")[:100]
            else:
                status = "unreachable"
        except (FetchFailed, domain.RefusedAddress) as error:
            log.info("recheck of %s failed: %s", watched.page_url, error)
            status = "unreachable"
        checked_at = utcnow()
        gone = status in {"removed", "page_gone"}
        removed_at = watched.removed_at or (checked_at if gone else None)
        async with runtime.transaction() as session:
            await session.execute(
                update(store.watched_pages)
                .where(w.id == watched.id)
                .values(
                    status=status,
                    last_checked_at=checked_at,
                    removed_at=removed_at if gone else None,
                    etag=etag,
                    last_modified=last_modified,
                    next_check_at=checked_at + timedelta(days=runtime.settings.recheck_days),
                )
            )
            if status != watched.status or watched.last_checked_at is None:
                await runtime.outbox.add(
                    session,
                    events.copy_checked(
                        page_url=watched.page_url,
                        image_url=watched.image_url,
                        status=status,
                        checked_at=checked_at,
                        removed_at=removed_at if gone else None,
                    ),
                )
    return len(due)


async def crawl_worker(runtime: ServiceRuntime) -> None:
    """One leasing loop feeds `concurrency` lanes through a queue.

    The loop leases a batch of URLs (one per due host) for the lanes that are free, then
    sleeps until a lane frees up or the next poll; lanes only fetch and record. Idle lanes
    never touch the database, so its load follows the pages crawled, not the lane count.
    """
    settings = runtime.settings
    wakeup: asyncio.Event = runtime.state[crawl.WAKEUP]
    lane_freed = asyncio.Event()
    leases: asyncio.Queue = asyncio.Queue()
    busy = 0

    async def one_lane() -> None:
        nonlocal busy
        while True:
            item = await leases.get()
            token = bind_trace_id(item.trace_id or new_trace_id())
            try:
                await crawl.process(runtime, item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("crawl of %s failed", item.url)
            finally:
                reset_trace_id(token)
                busy -= 1
                lane_freed.set()

    async def lease_loop() -> None:
        nonlocal busy
        loop = asyncio.get_running_loop()
        checked_completion_at = 0.0
        while True:
            free = settings.concurrency - busy
            wanted = min(free, LEASE_BATCH)
            leased = []
            if wanted > 0:
                try:
                    leased = await crawl.lease_batch(runtime, wanted)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("leasing failed")
                for item in leased:
                    busy += 1
                    leases.put_nowait(item)
            if wanted > 0 and len(leased) == wanted:
                continue
            if loop.time() - checked_completion_at >= settings.poll_seconds:
                checked_completion_at = loop.time()
                try:
                    await crawl.complete_finished_crawls(runtime)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("completing crawls failed")
            await wait_for_signal(lane_freed if wanted == 0 else wakeup, settings.poll_seconds)

    await asyncio.gather(lease_loop(), *(one_lane() for _ in range(settings.concurrency)))


async def recheck_worker(runtime: ServiceRuntime) -> None:
    while True:
        try:
            checked = await recheck_due_pages(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("recheck failed")
            checked = 0
        await asyncio.sleep(1 if checked else max(runtime.settings.poll_seconds, 5.0))


CONSUMERS = [consumer]
WORKERS = [crawl_worker, recheck_worker]
STARTUP = [prepare_fetcher]
