"""One crawl step: lease a frontier URL from a host that may be visited now, fetch it politely, keep the proof.

Leases are taken in the crawler's own database (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so
several replicas share the work without visiting one host more often than allowed: a URL
is leased only from a host whose next allowed visit has come and which has fewer than
`max_connections_per_host` leases in flight. An expired lease (a crashed replica) is taken
again, so an interrupted crawl resumes without losing or repeating work. Network I/O runs
outside transactions; each page's results, its evidence and its `ImageDiscovered` events
are written in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from PIL import Image
from sqlalchemy import and_, bindparam, case, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_crawler import domain, events, evidence, identity, politeness, sources, store
from pixhound_crawler.fetch import FetchFailed, FetchResult, SafeFetcher
from pixhound_platform.db import utcnow
from pixhound_platform.runtime import ServiceRuntime

log = logging.getLogger(__name__)
FETCHER = "fetcher"
WAKEUP = "crawl_wakeup"
MEMORY = "crawler_memory"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_IMAGES_PER_PAGE = 100
OVERLOADED = {429, 503}
WAITING_HOST_RECHECK_SECONDS = 1.0
CACHED_HOSTS = 10_000
CACHED_IMAGES = 10_000


@dataclass
class CrawlerMemory:
    """What one replica remembers between leases, bounded so memory stays flat however long it crawls.

    Nothing here is needed for correctness: the database stays the source of truth and a
    forgotten entry is read again.
    """

    last_request_at: LRUCache = field(default_factory=lambda: LRUCache(CACHED_HOSTS))
    robots: LRUCache = field(default_factory=lambda: LRUCache(CACHED_HOSTS))
    sites: LRUCache = field(default_factory=lambda: LRUCache(CACHED_HOSTS))
    images: LRUCache = field(default_factory=lambda: LRUCache(CACHED_IMAGES))


def memory_of(runtime: ServiceRuntime) -> CrawlerMemory:
    return runtime.state[MEMORY]


@dataclass(frozen=True)
class StoredImage:
    url: str
    sha256: str
    object_key: str
    content_type: str
    byte_size: int
    width: int
    height: int


def insert_for(session: AsyncSession):
    return postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def enqueue(session: AsyncSession, crawl_id: str, urls: list[str], depth: int, budget: int) -> int:
    """Add new URLs to a crawl's frontier, at most `budget` of them; returns how many were new.

    The hosts get `has_work` set in the same transaction; the leaser clears it only while it
    holds the host's row, so a host can never be left idle with URLs waiting.
    """
    unique = list(dict.fromkeys(urls))[: max(0, budget)]
    if not unique:
        return 0
    build_insert = insert_for(session)
    now = utcnow()
    inserted = (
        await session.execute(
            build_insert(store.frontier)
            .values(
                [
                    {"crawl_id": crawl_id, "url": url, "host": domain.host_of(url), "depth": depth, "status": "pending"}
                    for url in unique
                ]
            )
            .on_conflict_do_nothing(index_elements=["crawl_id", "url"])
            .returning(store.frontier.c.host)
        )
    ).all()
    if not inserted:
        return 0
    upsert = build_insert(store.hosts).values(
        [{"host": host, "next_fetch_at": now, "has_work": True} for host in sorted({row.host for row in inserted})]
    )
    await session.execute(upsert.on_conflict_do_update(index_elements=["host"], set_={"has_work": True}))
    await session.execute(
        update(store.crawls)
        .where(store.crawls.c.id == crawl_id)
        .values(pages_queued=store.crawls.c.pages_queued + len(inserted))
    )
    return len(inserted)


def _leasable(now: datetime):
    f = store.frontier.c
    return and_(
        or_(f.status == "pending", and_(f.status == "leased", f.leased_until < now)),
        or_(f.not_before.is_(None), f.not_before <= now),
    )


async def lease_batch(runtime: ServiceRuntime, limit: int) -> list[Row]:
    """Lease up to `limit` URLs, one per host whose next allowed visit has come, in one transaction.

    Hosts are locked `FOR UPDATE SKIP LOCKED`, so replicas never lease from the same host
    at once; each leased host's next visit is pushed back by its delay.
    """
    settings = runtime.settings
    now = utcnow()
    f, c, h = store.frontier, store.crawls, store.hosts
    leasable = _leasable(now)
    first_open = (
        select(f.c.id)
        .join(c, c.c.id == f.c.crawl_id)
        .where(f.c.host == h.c.host, f.c.status.in_(store.OPEN_STATUSES), c.c.status == "running", leasable)
        .order_by(f.c.id)
        .limit(1)
        .correlate(h)
        .scalar_subquery()
    )
    other = store.frontier.alias("in_flight")
    in_flight = (
        select(func.count())
        .select_from(other)
        .where(
            other.c.host == h.c.host,
            other.c.status.in_(store.OPEN_STATUSES),
            other.c.status == "leased",
            other.c.leased_until >= now,
        )
        .correlate(h)
        .scalar_subquery()
    )
    query = (
        select(h.c.host, first_open.label("frontier_id"))
        .where(h.c.has_work == true(), h.c.next_fetch_at <= now, in_flight < settings.max_connections_per_host)
        .order_by(h.c.next_fetch_at)
        .limit(limit)
    )
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=h)
    async with runtime.transaction() as session:
        due = (await session.execute(query)).all()
        waiting = [row.host for row in due if row.frontier_id is None]
        if waiting:
            await _park_hosts(session, waiting, now)
        chosen = [row.frontier_id for row in due if row.frontier_id is not None]
        if not chosen:
            return []
        items = (
            await session.execute(
                select(
                    f.c.id,
                    f.c.crawl_id,
                    f.c.url,
                    f.c.host,
                    f.c.depth,
                    f.c.attempts,
                    c.c.trace_id,
                    c.c.use_sitemaps,
                    c.c.max_pages,
                    h.c.crawl_delay,
                )
                .join(c, c.c.id == f.c.crawl_id)
                .join(h, h.c.host == f.c.host)
                .where(f.c.id.in_(chosen))
                .order_by(f.c.id)
            )
        ).all()
        await session.execute(
            update(f)
            .where(f.c.id.in_(chosen))
            .values(status="leased", leased_until=now + timedelta(seconds=settings.lease_seconds))
        )
        await session.execute(
            update(h).where(h.c.host == bindparam("leased_host")).values(next_fetch_at=bindparam("next_visit")),
            [
                {
                    "leased_host": item.host,
                    "next_visit": now
                    + timedelta(seconds=politeness.host_delay(settings.host_delay_seconds, item.crawl_delay)),
                }
                for item in items
            ],
        )
    return items


async def _park_hosts(session: AsyncSession, hosts: list[str], now: datetime) -> None:
    """Due hosts with nothing to lease: idle when no URL is open, otherwise looked at again a little later."""
    f, h = store.frontier, store.hosts
    open_urls = select(f.c.id).where(f.c.host == h.c.host, f.c.status.in_(store.OPEN_STATUSES)).exists()
    await session.execute(update(h).where(h.c.host.in_(hosts), ~open_urls).values(has_work=False))
    await session.execute(
        update(h)
        .where(h.c.host.in_(hosts), h.c.has_work == true())
        .values(next_fetch_at=now + timedelta(seconds=WAITING_HOST_RECHECK_SECONDS))
    )


async def wait_turn(runtime: ServiceRuntime, host: str, delay: float) -> None:
    """In-process spacing of the requests one lease makes to its host (robots, page, images, legal pages)."""
    loop = asyncio.get_running_loop()
    last_requests = memory_of(runtime).last_request_at
    now = loop.time()
    previous = last_requests.get(host)
    slot = now if previous is None else max(now, previous + delay)
    last_requests[host] = slot
    if slot > now:
        await asyncio.sleep(slot - now)


async def fetch_politely(runtime: ServiceRuntime, url: str, delay: float, **kwargs: Any) -> FetchResult:
    await wait_turn(runtime, domain.host_of(url), delay)
    fetcher: SafeFetcher = runtime.state[FETCHER]
    return await fetcher.fetch(url, **kwargs)


async def robots_for(runtime: ServiceRuntime, item: Row, delay: float) -> politeness.RobotsRules:
    settings = runtime.settings
    remembered = memory_of(runtime).robots
    cached = remembered.get(item.host)
    if cached is not None and _robots_fresh(cached[0]):
        return cached[1]
    host_row = (await _read(runtime, select(store.hosts).where(store.hosts.c.host == item.host))).one()
    if host_row.robots_fetched_at is not None and _robots_fresh(host_row.robots_fetched_at):
        rules = politeness.RobotsRules(politeness.robots_verdict(host_row.robots_status), host_row.robots_txt or "")
        remembered[item.host] = (host_row.robots_fetched_at, rules)
        return rules
    scheme = item.url.split("://", 1)[0]
    robots_url = f"{scheme}://{domain.netloc_of(item.url)}/robots.txt"
    try:
        result = await fetch_politely(runtime, robots_url, delay, max_bytes=512 * 1024, accept="text/plain")
        status, text = result.status, result.body.decode("utf-8", errors="replace")
    except FetchFailed:
        status, text = None, ""
    fetched_at = utcnow()
    rules = politeness.RobotsRules(politeness.robots_verdict(status), text)
    async with runtime.transaction() as session:
        await session.execute(
            update(store.hosts)
            .where(store.hosts.c.host == item.host)
            .values(
                robots_status=status,
                robots_txt=text[:500_000],
                robots_fetched_at=fetched_at,
                crawl_delay=rules.crawl_delay(politeness.user_agent_token(settings.user_agent)),
            )
        )
    remembered[item.host] = (fetched_at, rules)
    return rules


def _robots_fresh(fetched_at: datetime) -> bool:
    return (utcnow() - fetched_at).total_seconds() < politeness.ROBOTS_MAX_AGE_SECONDS


async def _read(runtime: ServiceRuntime, query):
    async with runtime.database.sessions() as session:
        return await session.execute(query)


async def finish(
    runtime: ServiceRuntime,
    item: Row,
    *,
    delay: float,
    status: str,
    error: str = "",
    errors: int = 0,
    fetched: bool = False,
) -> None:
    async with runtime.transaction() as session:
        await session.execute(
            update(store.frontier).where(store.frontier.c.id == item.id).values(status=status, error=error[:1000])
        )
        await session.execute(
            update(store.crawls)
            .where(store.crawls.c.id == item.crawl_id)
            .values(
                errors=store.crawls.c.errors + errors,
                pages_fetched=store.crawls.c.pages_fetched + (1 if fetched else 0),
            )
        )
        await hold_host(session, item.host, delay, healthy=errors == 0)


async def retry_later(runtime: ServiceRuntime, item: Row, error: str, wait: float, *, delay: float) -> None:
    """Put a URL back with a delay, or give up on it after `max_attempts`."""
    attempts = item.attempts + 1
    if attempts >= runtime.settings.max_attempts:
        error = f"gave up after {attempts} attempts: {error}"
        await finish(runtime, item, delay=delay, status="failed", error=error, errors=1)
        return
    async with runtime.transaction() as session:
        await session.execute(
            update(store.frontier)
            .where(store.frontier.c.id == item.id)
            .values(
                status="pending",
                attempts=attempts,
                error=error[:1000],
                leased_until=None,
                not_before=utcnow() + timedelta(seconds=wait),
            )
        )
        await hold_host(session, item.host, delay, healthy=False)


async def back_off_host(runtime: ServiceRuntime, host: str, seconds: float) -> None:
    async with runtime.transaction() as session:
        await session.execute(
            update(store.hosts)
            .where(store.hosts.c.host == host)
            .values(
                next_fetch_at=utcnow() + timedelta(seconds=seconds),
                consecutive_errors=store.hosts.c.consecutive_errors + 1,
            )
        )


async def hold_host(session: AsyncSession, host: str, delay: float, *, healthy: bool) -> None:
    """The next visit to a host waits `delay` after this lease's last request, whichever replica makes it.

    Done in the transaction that ends the lease, so the host is never free between the URL
    leaving the lease and its next visit being pushed back.
    """
    h = store.hosts.c
    earliest = utcnow() + timedelta(seconds=delay)
    changes: dict[str, Any] = {"next_fetch_at": case((h.next_fetch_at < earliest, earliest), else_=h.next_fetch_at)}
    if healthy:
        changes["consecutive_errors"] = 0
    await session.execute(update(store.hosts).where(h.host == host).values(**changes))


async def release_host(runtime: ServiceRuntime, host: str, delay: float) -> None:
    async with runtime.transaction() as session:
        await hold_host(session, host, delay, healthy=False)


async def process(runtime: ServiceRuntime, item: Row) -> None:
    settings = runtime.settings
    delay = politeness.host_delay(settings.host_delay_seconds, item.crawl_delay)
    try:
        rules = await robots_for(runtime, item, delay)
    except domain.RefusedAddress as error:
        log.warning("page %s refused: %s", item.url, error)
        await finish(runtime, item, delay=delay, status="failed", error=str(error), errors=1)
        return
    agent = politeness.user_agent_token(settings.user_agent)
    delay = politeness.host_delay(settings.host_delay_seconds, rules.crawl_delay(agent))
    try:
        await _visit(runtime, item, rules, agent, delay)
    except Exception:
        await release_host(runtime, item.host, delay)
        raise


async def _visit(runtime: ServiceRuntime, item: Row, rules: politeness.RobotsRules, agent: str, delay: float) -> None:
    """Visit one leased URL; each way out ends the lease and holds the host for `delay`."""
    settings = runtime.settings
    if not rules.allows(item.url, agent):
        log.info("robots.txt of %s disallows %s", item.host, item.url)
        await finish(runtime, item, delay=delay, status="blocked", error="disallowed by robots.txt")
        return
    if item.depth == 0 and item.use_sitemaps:
        await enqueue_from_sitemaps(runtime, item, rules, delay)
    try:
        page = await fetch_politely(
            runtime, item.url, delay, max_bytes=settings.max_page_bytes, accept="text/html,application/xhtml+xml"
        )
    except domain.RefusedAddress as error:
        log.warning("page %s refused: %s", item.url, error)
        await finish(runtime, item, delay=delay, status="failed", error=str(error), errors=1)
        return
    except FetchFailed as error:
        log.warning("page %s not fetched: %s", item.url, error)
        wait = politeness.retry_delay(item.attempts + 1, settings.retry_base_seconds)
        await retry_later(runtime, item, str(error), wait, delay=delay)
        return
    if page.status in OVERLOADED:
        wait = politeness.retry_after_seconds(page.headers.get("retry-after"))
        log.info("%s answered %d; backing off %s for %.0f s", item.url, page.status, item.host, wait)
        await back_off_host(runtime, item.host, wait)
        await retry_later(runtime, item, f"HTTP {page.status}", wait, delay=delay)
        return
    fetched_at = utcnow()
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if page.status != 200 or content_type not in HTML_TYPES:
        error = f"HTTP {page.status} {content_type}"
        await finish(runtime, item, delay=delay, status="done", error=error, fetched=True)
        return
    html = page.body.decode(
        page.headers.get_encoding() if hasattr(page.headers, "get_encoding") else "utf-8", errors="replace"
    )
    content = domain.extract_page(html, page.final_url)
    stored: list[StoredImage] = []
    errors = 0
    for image_url in content.image_urls[:MAX_IMAGES_PER_PAGE]:
        try:
            stored.append(await download_image(runtime, item.crawl_id, image_url, delay))
        except (FetchFailed, domain.RefusedAddress) as error:
            log.warning("image %s not kept: %s", image_url, error)
            errors += 1
    archive = None
    if stored:
        archive = evidence.build_warc(
            url=page.final_url,
            status=page.status,
            reason=page.reason,
            response_headers=list(page.headers.multi_items()),
            body=page.body,
            request_headers=list(page.request_headers.multi_items()),
            fetched_at=fetched_at,
            server_ip=page.server_ip,
        )
    if stored:
        await identify_site(runtime, page, html, delay)
    await record_page(runtime, item, page, fetched_at, archive, stored, content.links, errors, delay)


class PoliteFetcher:
    """The fetcher as discovery sources see it, with this lease's spacing between requests to a host."""

    def __init__(self, runtime: ServiceRuntime, delay: float) -> None:
        self.runtime = runtime
        self.delay = delay

    async def fetch(self, url: str, **kwargs: Any) -> FetchResult:
        return await fetch_politely(self.runtime, url, self.delay, **kwargs)


async def enqueue_from_sitemaps(
    runtime: ServiceRuntime, item: Row, rules: politeness.RobotsRules, delay: float
) -> None:
    """A seed's site also contributes the pages its sitemaps list, within the crawl's page budget."""
    c = store.crawls.c
    queued = (await _read(runtime, select(c.pages_queued).where(c.id == item.crawl_id))).scalar_one()
    budget = max(0, item.max_pages - queued)
    if budget == 0:
        return
    urls: list[str] = []
    try:
        async for entry in sources.discover_sitemap_urls(
            PoliteFetcher(runtime, delay), item.url, robots_sitemaps=rules.sitemaps(), max_urls=budget
        ):
            urls.append(entry.url)
    except (FetchFailed, domain.RefusedAddress) as error:
        log.info("sitemaps of %s not read: %s", item.host, error)
    if urls:
        async with runtime.transaction() as session:
            locked = select(c.max_pages, c.pages_queued).where(c.id == item.crawl_id)
            if runtime.database.is_postgres:
                locked = locked.with_for_update()
            crawl = (await session.execute(locked)).one()
            added = await enqueue(session, item.crawl_id, urls, 1, crawl.max_pages - crawl.pages_queued)
        log.info("%d pages of %s queued from its sitemaps", added, item.host)


async def download_image(runtime: ServiceRuntime, crawl_id: str, url: str, delay: float) -> StoredImage:
    """An image of this crawl already seen at this URL is reused; otherwise fetched, checked and stored once by hash."""
    remembered = memory_of(runtime).images
    if (crawl_id, url) in remembered:
        return remembered[(crawl_id, url)]
    o, i = store.occurrences, store.images
    known = (
        await _read(
            runtime,
            select(i)
            .join(o, o.c.image_sha256 == i.c.sha256)
            .where(o.c.crawl_id == crawl_id, o.c.image_url == url)
            .limit(1),
        )
    ).first()
    if known is not None:
        image = StoredImage(
            url, known.sha256, known.object_key, known.content_type, known.byte_size, known.width, known.height
        )
        remembered[(crawl_id, url)] = image
        return image
    settings = runtime.settings
    result = await fetch_politely(runtime, url, delay, max_bytes=settings.max_image_bytes, accept="image/*")
    if result.status != 200:
        raise FetchFailed(f"image {url} answered HTTP {result.status}")
    declared = result.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared and not (
        declared.startswith("image/") or declared in {"application/octet-stream", "binary/octet-stream"}
    ):
        raise FetchFailed(f"image {url} is served as {declared}")
    try:
        with Image.open(io.BytesIO(result.body)) as image:
            width, height = image.size
            image_format = (image.format or "unknown").lower()
    except Exception as error:
        raise FetchFailed(f"image {url} is not a readable image: {error}") from error
    if width * height > settings.max_image_pixels:
        raise FetchFailed(f"image {url} has {width}x{height} pixels, over the limit")
    sha256 = hashlib.sha256(result.body).hexdigest()
    object_key = f"crawler/images/{sha256[:2]}/{sha256}"
    exists = (await _read(runtime, select(i.c.sha256).where(i.c.sha256 == sha256))).first() is not None
    if not exists:
        await runtime.objects.put(object_key, result.body, f"image/{image_format}")
    image = StoredImage(url, sha256, object_key, f"image/{image_format}", len(result.body), width, height)
    remembered[(crawl_id, url)] = image
    return image


async def identify_site(runtime: ServiceRuntime, page: FetchResult, html: str, delay: float) -> Row | None:
    """Who runs the site: read once per host from the page and its legal-notice/contact pages."""
    host = domain.host_of(page.final_url)
    remembered = memory_of(runtime).sites
    if host in remembered:
        return remembered[host]
    existing = (await _read(runtime, select(store.sites).where(store.sites.c.host == host))).first()
    if existing is not None:
        remembered[host] = existing
        return existing
    if runtime.settings.identity_pages == 0:
        return None
    pages = [(page.final_url, html)]
    candidates = identity.legal_page_candidates(html, page.final_url) or identity.common_legal_urls(page.final_url)
    for candidate in candidates[: runtime.settings.identity_pages]:
        try:
            extra = await fetch_politely(
                runtime,
                candidate,
                delay,
                max_bytes=runtime.settings.max_page_bytes,
                accept="text/html,application/xhtml+xml",
            )
        except (FetchFailed, domain.RefusedAddress) as error:
            log.info("legal page %s not fetched: %s", candidate, error)
            continue
        if extra.status == 200 and "html" in extra.headers.get("content-type", ""):
            pages.append((extra.final_url, extra.body.decode("utf-8", errors="replace")))
    found = identity.extract_identity(pages)
    details = found.to_dict()
    async with runtime.transaction() as session:
        inserted = await session.execute(
            insert_for(session)(store.sites)
            .values(
                host=host,
                identity=details,
                name=(found.name or "")[:300],
                country=(found.country or "")[:2],
                commercial=found.commercial,
                actionability=found.actionability,
            )
            .on_conflict_do_nothing(index_elements=["host"])
        )
        if inserted.rowcount == 1:
            await runtime.outbox.add(
                session, events.site_identified(host=host, details=details, pages=[url for url, _ in pages])
            )
    site = (await _read(runtime, select(store.sites).where(store.sites.c.host == host))).first()
    remembered[host] = site
    return site


async def record_page(runtime, item, page: FetchResult, fetched_at, archive, stored, links, errors, delay) -> None:
    page_id = str(uuid.uuid4())
    page_sha256 = hashlib.sha256(page.body).hexdigest()
    archive_key = ""
    if archive is not None:
        archive_key = f"crawler/evidence/{fetched_at:%Y/%m/%d}/{page_id}.warc.gz"
        await runtime.objects.put(archive_key, archive.data, "application/warc")
    site_host = domain.host_of(page.final_url)
    c = store.crawls.c
    async with runtime.transaction() as session:
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
                archive_sha256=archive.sha256 if archive else "",
                site_host=site_host,
                etag=page.headers.get("etag", "")[:300],
                last_modified=page.headers.get("last-modified", "")[:100],
                fetched_at=fetched_at,
            )
        )
        await record_occurrences(
            runtime,
            session,
            crawl_id=item.crawl_id,
            page_id=page_id,
            page_url=page.final_url,
            stored=stored,
            archive_key=archive_key,
            page_sha256=page_sha256,
            fetched_at=fetched_at,
            server_ip=page.server_ip,
            http_status=page.status,
            site_host=site_host,
        )
        await session.execute(
            update(store.frontier).where(store.frontier.c.id == item.id).values(status="done", error="")
        )
        # Last, as it locks the crawl's row until commit: the counters, then new links within the page budget.
        crawl = (
            await session.execute(
                update(store.crawls)
                .where(c.id == item.crawl_id)
                .values(
                    pages_fetched=c.pages_fetched + 1,
                    images_found=c.images_found + len(stored),
                    errors=c.errors + errors,
                )
                .returning(c.max_depth, c.max_pages, c.pages_queued, c.hosts)
            )
        ).one()
        if item.depth < crawl.max_depth:
            in_scope = [link for link in links if domain.in_scope(link, set(crawl.hosts))]
            await enqueue(session, item.crawl_id, in_scope, item.depth + 1, crawl.max_pages - crawl.pages_queued)
        await hold_host(session, item.host, delay, healthy=True)


async def record_occurrences(
    runtime: ServiceRuntime,
    session: AsyncSession,
    *,
    crawl_id: str,
    page_id: str,
    page_url: str,
    stored: list[StoredImage],
    archive_key: str,
    page_sha256: str,
    fetched_at: datetime,
    server_ip: str,
    http_status: int,
    site_host: str,
) -> None:
    """Each image on the page: stored once by hash, recorded on the page, announced as `ImageDiscovered`."""
    build_insert = insert_for(session)
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
                id=discovery_id, crawl_id=crawl_id, page_id=page_id, image_url=image.url, image_sha256=image.sha256
            )
        )
        await runtime.outbox.add(
            session,
            events.image_discovered(
                discovery_id=discovery_id,
                crawl_id=crawl_id,
                page_url=page_url,
                image_url=image.url,
                object_key=image.object_key,
                sha256=image.sha256,
                width=image.width,
                height=image.height,
                archive_key=archive_key,
                page_sha256=page_sha256,
                fetched_at=fetched_at,
                final_url=page_url,
                server_ip=server_ip,
                http_status=http_status,
                site_host=site_host,
            ),
        )


async def complete_finished_crawls(runtime: ServiceRuntime) -> None:
    f, c = store.frontier, store.crawls
    unfinished = select(f.c.id).where(f.c.crawl_id == c.c.id, f.c.status.in_(store.OPEN_STATUSES)).exists()
    query = select(c).where(c.c.status == "running", ~unfinished)
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=c)
    async with runtime.transaction() as session:
        for crawl in (await session.execute(query)).all():
            finished_at = utcnow()
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
                trace_id=crawl.trace_id or None,
            )
            log.info("crawl %s completed: %d pages, %d images", crawl.id, crawl.pages_fetched, crawl.images_found)
