"""The crawl loop: lease a frontier URL, fetch it politely and safely, keep evidence, announce images.

Frontier rows are leased (with `FOR UPDATE SKIP LOCKED` on PostgreSQL) so several
crawler replicas share the work; a lease that expires (a crashed replica) is taken
again, so an interrupted crawl resumes without losing pages. Network I/O happens
outside database transactions; each page's results are written in one transaction
together with its `ImageDiscovered` events.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pixhound_crawler import domain, events, store
from pixhound_crawler.fetch import FetchFailed, FetchResult, SafeFetcher
from pixhound_platform.db import utcnow
from pixhound_platform.observability import bind_trace_id, new_trace_id, reset_trace_id
from pixhound_platform.runtime import ServiceRuntime
from pixhound_platform.settings import parse_networks
from pixhound_platform.signals import wait_for_signal

log = logging.getLogger(__name__)
FETCHER = "fetcher"
WAKEUP = "crawl_wakeup"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_IMAGES_PER_PAGE = 100


@dataclass(frozen=True)
class StoredImage:
    url: str
    sha256: str
    object_key: str
    content_type: str
    byte_size: int
    width: int
    height: int
    is_new: bool


async def prepare_fetcher(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    fetcher = SafeFetcher(
        user_agent=settings.user_agent,
        allowed=parse_networks(settings.allowed_networks),
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.read_timeout_seconds,
        max_redirects=settings.max_redirects,
    )
    runtime.state[FETCHER] = fetcher
    runtime.state[WAKEUP] = asyncio.Event()
    runtime.state["host_turns"] = {}
    runtime.closers.append(fetcher.close)


async def _wait_turn(runtime: ServiceRuntime, host: str) -> None:
    loop = asyncio.get_running_loop()
    turns: dict[str, float] = runtime.state["host_turns"]
    now = loop.time()
    slot = max(now, turns.get(host, 0.0))
    turns[host] = slot + runtime.settings.host_delay_seconds
    if slot > now:
        await asyncio.sleep(slot - now)


async def _fetch(runtime: ServiceRuntime, url: str, *, max_bytes: int, accept: str) -> FetchResult:
    await _wait_turn(runtime, domain.host_of(url))
    return await runtime.state[FETCHER].fetch(url, max_bytes=max_bytes, accept=accept)


async def lease_next(runtime: ServiceRuntime):
    now = utcnow()
    f, c = store.frontier, store.crawls
    leasable = or_(f.c.status == "pending", and_(f.c.status == "leased", f.c.leased_until < now))
    query = (
        select(f.c.id, f.c.crawl_id, f.c.url, f.c.depth, c.c.trace_id)
        .join(c, c.c.id == f.c.crawl_id)
        .where(c.c.status == "running", leasable)
        .order_by(f.c.id)
        .limit(1)
    )
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=f)
    async with runtime.transaction() as session:
        item = (await session.execute(query)).first()
        if item is None:
            return None
        claimed = await session.execute(
            update(f)
            .where(f.c.id == item.id, leasable)
            .values(status="leased", leased_until=now + timedelta(seconds=runtime.settings.lease_seconds))
        )
    return item if claimed.rowcount == 1 else None


async def _image_seen_in_crawl(runtime: ServiceRuntime, crawl_id: str, url: str) -> StoredImage | None:
    o, i = store.occurrences, store.images
    async with runtime.database.sessions() as session:
        row = (
            await session.execute(
                select(i)
                .join(o, o.c.image_sha256 == i.c.sha256)
                .where(o.c.crawl_id == crawl_id, o.c.image_url == url)
                .limit(1)
            )
        ).first()
    if row is None:
        return None
    return StoredImage(url, row.sha256, row.object_key, row.content_type, row.byte_size, row.width, row.height, False)


async def _download_image(runtime: ServiceRuntime, crawl_id: str, url: str) -> StoredImage:
    known = await _image_seen_in_crawl(runtime, crawl_id, url)
    if known is not None:
        return known
    settings = runtime.settings
    result = await _fetch(runtime, url, max_bytes=settings.max_image_bytes, accept="image/*")
    if result.status != 200:
        raise FetchFailed(f"image {url} answered HTTP {result.status}")
    try:
        with Image.open(io.BytesIO(result.body)) as image:
            width, height = image.size
            image_format = image.format or "unknown"
    except Exception as error:
        raise FetchFailed(f"image {url} is not a readable image: {error}") from error
    if width * height > settings.max_image_pixels:
        raise FetchFailed(f"image {url} has {width}x{height} pixels, over the limit")
    sha256 = hashlib.sha256(result.body).hexdigest()
    object_key = f"crawler/images/{sha256[:2]}/{sha256}"
    async with runtime.database.sessions() as session:
        exists = (
            await session.execute(select(store.images.c.sha256).where(store.images.c.sha256 == sha256))
        ).first() is not None
    if not exists:
        await runtime.objects.put(object_key, result.body, f"image/{image_format.lower()}")
    return StoredImage(
        url, sha256, object_key, f"image/{image_format.lower()}", len(result.body), width, height, not exists
    )


async def _finish_item(runtime: ServiceRuntime, item, *, status: str, error: str = "", errors: int = 0) -> None:
    async with runtime.transaction() as session:
        await session.execute(
            update(store.frontier).where(store.frontier.c.id == item.id).values(status=status, error=error[:1000])
        )
        await session.execute(
            update(store.crawls)
            .where(store.crawls.c.id == item.crawl_id)
            .values(
                errors=store.crawls.c.errors + errors,
                pages_fetched=store.crawls.c.pages_fetched + (1 if status == "done" else 0),
            )
        )


async def process(runtime: ServiceRuntime, item) -> None:
    settings = runtime.settings
    try:
        page = await _fetch(
            runtime, item.url, max_bytes=settings.max_page_bytes, accept="text/html,application/xhtml+xml"
        )
    except (FetchFailed, domain.RefusedAddress) as error:
        log.warning("page %s not fetched: %s", item.url, error)
        await _finish_item(runtime, item, status="failed", error=str(error), errors=1)
        return
    fetched_at = utcnow()
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if page.status != 200 or content_type not in HTML_TYPES:
        await _finish_item(runtime, item, status="done", error=f"HTTP {page.status} {content_type}")
        return
    page_sha256 = hashlib.sha256(page.body).hexdigest()
    archive_key = f"crawler/pages/{page_sha256[:2]}/{page_sha256}.html"
    await runtime.objects.put(archive_key, page.body, content_type)
    charset = page.headers.get_encoding() if hasattr(page.headers, "get_encoding") else None
    html = page.body.decode(charset or "utf-8", errors="replace")
    content = domain.extract_page(html, page.final_url)
    stored: list[StoredImage] = []
    errors = 0
    for image_url in content.image_urls[:MAX_IMAGES_PER_PAGE]:
        try:
            stored.append(await _download_image(runtime, item.crawl_id, image_url))
        except (FetchFailed, domain.RefusedAddress) as error:
            log.warning("image %s not kept: %s", image_url, error)
            errors += 1
    await _record_page(runtime, item, page, fetched_at, page_sha256, archive_key, stored, content.links, errors)


async def _record_page(
    runtime, item, page: FetchResult, fetched_at, page_sha256, archive_key, stored, links, errors
) -> None:
    page_id = str(uuid.uuid4())
    site_host = domain.host_of(page.final_url)
    async with runtime.transaction() as session:
        crawl = (await session.execute(select(store.crawls).where(store.crawls.c.id == item.crawl_id))).one()
        await session.execute(
            store.pages.insert().values(
                id=page_id,
                crawl_id=item.crawl_id,
                url=item.url,
                final_url=page.final_url,
                http_status=page.status,
                server_ip=page.server_ip,
                sha256=page_sha256,
                archive_key=archive_key,
                fetched_at=fetched_at,
            )
        )
        build_insert = postgres_insert if runtime.database.is_postgres else sqlite_insert
        for image in stored:
            await session.execute(
                build_insert(store.images)
                .values(
                    sha256=image.sha256,
                    object_key=image.object_key,
                    content_type=image.content_type,
                    byte_size=image.byte_size,
                    width=image.width,
                    height=image.height,
                    first_url=image.url,
                )
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
            discovery_id = str(uuid.uuid4())
            await session.execute(
                store.occurrences.insert().values(
                    id=discovery_id,
                    crawl_id=item.crawl_id,
                    page_id=page_id,
                    image_url=image.url,
                    image_sha256=image.sha256,
                )
            )
            await runtime.outbox.add(
                session,
                events.image_discovered(
                    discovery_id=discovery_id,
                    crawl_id=item.crawl_id,
                    page_url=page.final_url,
                    image_url=image.url,
                    object_key=image.object_key,
                    sha256=image.sha256,
                    width=image.width,
                    height=image.height,
                    archive_key=archive_key,
                    page_sha256=page_sha256,
                    fetched_at=fetched_at,
                    final_url=page.final_url,
                    server_ip=page.server_ip,
                    http_status=page.status,
                    site_host=site_host,
                ),
            )
        if item.depth < crawl.max_depth:
            queued = (
                await session.execute(
                    select(func.count()).select_from(store.frontier).where(store.frontier.c.crawl_id == item.crawl_id)
                )
            ).scalar_one()
            budget = max(0, crawl.max_pages - queued)
            hosts = set(crawl.hosts)
            for link in [link for link in links if domain.in_scope(link, hosts)][:budget]:
                await session.execute(
                    build_insert(store.frontier)
                    .values(crawl_id=item.crawl_id, url=link, depth=item.depth + 1, status="pending")
                    .on_conflict_do_nothing(index_elements=["crawl_id", "url"])
                )
        await session.execute(update(store.frontier).where(store.frontier.c.id == item.id).values(status="done"))
        await session.execute(
            update(store.crawls)
            .where(store.crawls.c.id == item.crawl_id)
            .values(
                pages_fetched=store.crawls.c.pages_fetched + 1,
                images_found=store.crawls.c.images_found + len(stored),
                errors=store.crawls.c.errors + errors,
            )
        )


async def complete_finished_crawls(runtime: ServiceRuntime) -> None:
    f, c = store.frontier, store.crawls
    unfinished = select(f.c.id).where(f.c.crawl_id == c.c.id, f.c.status.in_(["pending", "leased"])).exists()
    query = select(c).where(c.c.status == "running", ~unfinished)
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=c)
    async with runtime.transaction() as session:
        for crawl in (await session.execute(query)).all():
            finished_at = utcnow()
            token = bind_trace_id(crawl.trace_id)
            await session.execute(
                update(c).where(c.c.id == crawl.id).values(status="completed", finished_at=finished_at)
            )
            await runtime.outbox.add(
                session,
                events.crawl_completed(
                    crawl_id=crawl.id,
                    pages=crawl.pages_fetched,
                    images=crawl.images_found,
                    errors=crawl.errors,
                    finished_at=finished_at,
                ),
            )
            reset_trace_id(token)
            log.info("crawl %s completed: %d pages, %d images", crawl.id, crawl.pages_fetched, crawl.images_found)


async def crawl_worker(runtime: ServiceRuntime) -> None:
    wakeup: asyncio.Event = runtime.state[WAKEUP]

    async def one_lane() -> None:
        while True:
            try:
                item = await lease_next(runtime)
                if item is not None:
                    token = bind_trace_id(item.trace_id or new_trace_id())
                    try:
                        await process(runtime, item)
                    finally:
                        reset_trace_id(token)
                    continue
                await complete_finished_crawls(runtime)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("crawl step failed")
            await wait_for_signal(wakeup, runtime.settings.poll_seconds)

    await asyncio.gather(*(one_lane() for _ in range(runtime.settings.concurrency)))


CONSUMERS: list = []
WORKERS = [crawl_worker]
STARTUP = [prepare_fetcher]
