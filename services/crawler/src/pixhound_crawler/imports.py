"""Discoveries from web-archive files (WARC or WAT, e.g. Common Crawl segments) without fetching the pages again.

The archive is read from object storage as a stream, in a worker thread, and handed page
by page through a bounded queue, so memory stays flat whatever the file size. Each page
that shows images becomes a fetched page of an import crawl, with the archive record as
its evidence (`<object key>#<offset>+<length>` locates the record for a range read); only
the images are downloaded, politely, to be fingerprinted.

A photographer imports only archives under their own prefix, `imports/<account id>/`; any
other key is answered as if it did not exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from typing import Literal

from sqlalchemy import update

from pixhound_crawler import crawl, domain, events, store
from pixhound_crawler.fetch import FetchFailed
from pixhound_crawler.sources import iter_warc_discoveries, iter_wat_discoveries
from pixhound_platform.db import utcnow
from pixhound_platform.runtime import ServiceRuntime

log = logging.getLogger(__name__)
ArchiveFormat = Literal["warc", "wat"]
QUEUE_SIZE = 64
IMPORTS_PREFIX = "imports/"
DONE = object()


def owner_prefix(account_id: str) -> str:
    return f"{IMPORTS_PREFIX}{account_id}/"


def owns_key(account_id: str, object_key: str) -> bool:
    """Whether the key lies under the account's own prefix, with no path segment that could leave it."""
    prefix = owner_prefix(account_id)
    if "/" in account_id or not account_id or not object_key.startswith(prefix):
        return False
    parts = object_key[len(prefix) :].split("/")
    return all(part not in ("", ".", "..") for part in parts) and "\\" not in object_key


def _produce(runtime: ServiceRuntime, object_key: str, fmt: ArchiveFormat, queue: asyncio.Queue, loop, stop) -> None:
    stream = runtime.objects.open_stream(object_key)
    try:
        pages = iter_warc_discoveries(stream) if fmt == "warc" else iter_wat_discoveries(stream)
        for page in pages:
            if stop.is_set():
                break
            if page.image_urls:
                asyncio.run_coroutine_threadsafe(queue.put(page), loop).result()
    finally:
        with contextlib.suppress(Exception):
            stream.close()
        asyncio.run_coroutine_threadsafe(queue.put(DONE), loop).result()


async def import_archive(
    runtime: ServiceRuntime, crawl_id: str, object_key: str, fmt: ArchiveFormat, max_pages: int
) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
    stop = threading.Event()
    producer = loop.run_in_executor(None, _produce, runtime, object_key, fmt, queue, loop, stop)
    pages = 0
    try:
        while (page := await queue.get()) is not DONE:
            if pages >= max_pages:
                stop.set()
                continue
            await _record(runtime, crawl_id, object_key, page)
            pages += 1
    finally:
        stop.set()
        while not producer.done():
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()
            await asyncio.sleep(0.01)
        async with runtime.transaction() as session:
            await session.execute(
                update(store.crawls)
                .where(store.crawls.c.id == crawl_id)
                .values(status="completed", finished_at=utcnow())
            )
            crawl_row = (await session.execute(store.crawls.select().where(store.crawls.c.id == crawl_id))).one()
            await runtime.outbox.add(
                session,
                events.crawl_completed(
                    crawl_id=crawl_id,
                    pages=crawl_row.pages_fetched,
                    images=crawl_row.images_found,
                    errors=crawl_row.errors,
                    finished_at=utcnow(),
                ),
            )
    with contextlib.suppress(Exception):
        await producer


async def _record(runtime: ServiceRuntime, crawl_id: str, object_key: str, page) -> None:
    delay = runtime.settings.host_delay_seconds
    stored, errors = [], 0
    for image_url in page.image_urls[: crawl.MAX_IMAGES_PER_PAGE]:
        try:
            stored.append(await crawl.download_image(runtime, crawl_id, image_url, delay))
        except (FetchFailed, domain.RefusedAddress) as error:
            log.info("archived image %s not kept: %s", image_url, error)
            errors += 1
    evidence_key = f"{object_key}#{page.record_offset}+{page.record_length}"
    page_sha256 = getattr(page, "payload_sha256", "") or ""
    fetched_at = page.fetched_at or utcnow()
    page_id = str(uuid.uuid4())
    host = domain.host_of(page.url)
    async with runtime.transaction() as session:
        await session.execute(
            store.pages.insert().values(
                id=page_id,
                crawl_id=crawl_id,
                url=page.url,
                final_url=page.url,
                http_status=page.status or 200,
                server_ip="",
                sha256=page_sha256,
                archive_key=evidence_key,
                archive_sha256="",
                site_host=host,
                fetched_at=fetched_at,
            )
        )
        await crawl.record_occurrences(
            runtime,
            session,
            crawl_id=crawl_id,
            page_id=page_id,
            page_url=page.url,
            stored=stored,
            archive_key=evidence_key,
            page_sha256=page_sha256,
            fetched_at=fetched_at,
            server_ip="",
            http_status=page.status or 200,
            site_host=host,
        )
        await session.execute(
            update(store.crawls)
            .where(store.crawls.c.id == crawl_id)
            .values(
                pages_fetched=store.crawls.c.pages_fetched + 1,
                images_found=store.crawls.c.images_found + len(stored),
                errors=store.crawls.c.errors + errors,
            )
        )


def start(runtime: ServiceRuntime, crawl_id: str, object_key: str, fmt: ArchiveFormat, max_pages: int) -> None:
    """Run an import in the background; the service's shutdown cancels it."""
    tasks: set[asyncio.Task] = runtime.state.setdefault("imports", set())
    if not tasks and "imports_closer" not in runtime.state:

        async def cancel_imports() -> None:
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        runtime.state["imports_closer"] = True
        runtime.closers.append(cancel_imports)
    task = asyncio.get_running_loop().create_task(import_archive(runtime, crawl_id, object_key, fmt, max_pages))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
