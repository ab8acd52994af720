"""The crawler as a good citizen, over real sites on loopback: robots.txt, Crawl-delay, overload back-off,
refused redirects, a slow site, and a crawl interrupted and resumed without losing or repeating work."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from pixhound_crawler import store
from pixhound_crawler.app import create_app
from pixhound_crawler.settings import CrawlerSettings
from pixhound_embedded.sample import stolen_copy, synthetic_photo
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import bearer, serve_app, wait_until

pytestmark = pytest.mark.infra
OWNER = bearer("alice")
IMAGE = stolen_copy(synthetic_photo(31))


class Site:
    """A website whose answers each test scripts, recording every request with its time."""

    def __init__(self, routes: dict) -> None:
        self.routes = routes
        self.requests: list[tuple[float, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                site.requests.append((time.monotonic(), self.path))
                answer = site.routes.get(self.path)
                if callable(answer):
                    answer = answer(site)
                if answer is None:
                    self.send_error(404)
                    return
                status, headers, body = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hits(self, path: str) -> list[float]:
        return [stamp for stamp, requested in self.requests if requested == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(body: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, f"<html><body>{body}</body></html>".encode()


async def _settings(pg_url, infra_settings, **extra) -> CrawlerSettings:
    await upgrade_async("pixhound_crawler", pg_url)
    values = {
        "allowed_networks": "127.0.0.0/8",
        "host_delay_seconds": 0,
        "poll_seconds": 0.1,
        "identity_pages": 0,
        "retry_base_seconds": 0.2,
        **extra,
    }
    return CrawlerSettings(database_url=pg_url, **{**infra_settings, **values})


async def _crawl(client, seeds: list[str], **options) -> str:
    response = await client.post("/v1/crawls", headers=OWNER, json={"seeds": seeds, **options})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def _finished(client, crawl_id: str, timeout: float = 60):
    async def done():
        crawl = (await client.get(f"/v1/crawls/{crawl_id}", headers=OWNER)).json()
        return crawl if crawl["status"] == "completed" else None

    return await wait_until(done, timeout=timeout, description="crawl completion")


async def _frontier(app) -> dict[str, tuple[str, str]]:
    async with app.state.runtime.database.sessions() as session:
        rows = (
            await session.execute(select(store.frontier.c.url, store.frontier.c.status, store.frontier.c.error))
        ).all()
    return {row.url: (row.status, row.error) for row in rows}


async def test_robots_txt_and_crawl_delay_are_honoured(pg_url, infra_settings):
    robots = "User-agent: *\nDisallow: /private\n\nUser-agent: PixhoundBot\nDisallow: /private\nCrawl-delay: 1\n"
    site = Site(
        {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, robots.encode()),
            "/": html('<a href="/a">a</a><a href="/b">b</a><a href="/private/secret">s</a><img src="/i.jpg">'),
            "/a": html('<img src="/i.jpg">'),
            "/b": html("nothing"),
            "/private/secret": html('<img src="/i.jpg">'),
            "/i.jpg": (200, {"Content-Type": "image/jpeg"}, IMAGE),
        }
    )
    try:
        settings = await _settings(pg_url, infra_settings, concurrency=4)
        app = create_app(settings, configure_logs=False)
        async with serve_app(app) as client:
            crawl = await _finished(client, await _crawl(client, [site.url + "/"], max_depth=1))
            assert crawl["pages_fetched"] == 3
            frontier = await _frontier(app)
            assert frontier[site.url + "/private/secret"] == ("blocked", "disallowed by robots.txt")
    finally:
        site.close()
    assert site.hits("/private/secret") == [], "a disallowed page is never requested"
    stamps = sorted(stamp for stamp, path in site.requests)
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[1:], strict=False)]
    assert len(stamps) >= 5 and min(gaps) >= 0.95, f"one request per Crawl-delay (1 s) to the host, gaps: {gaps}"


async def test_overloaded_site_is_retried_after_retry_after(pg_url, infra_settings):
    answers = iter([(503, {"Retry-After": "1", "Content-Type": "text/html"}, b"busy")])

    def busy_then_fine(_site):
        return next(answers, html("welcome"))

    site = Site({"/robots.txt": None, "/": busy_then_fine})
    try:
        app = create_app(await _settings(pg_url, infra_settings), configure_logs=False)
        async with serve_app(app) as client:
            crawl = await _finished(client, await _crawl(client, [site.url + "/"]))
            assert crawl["pages_fetched"] == 1 and crawl["errors"] == 0
    finally:
        site.close()
    first, second = site.hits("/")
    assert second - first >= 0.95, "the second try waited for Retry-After"


async def test_refused_redirects_slow_pages_and_oversized_bodies(pg_url, infra_settings):
    def slow(_site):
        time.sleep(1.5)
        return html("too late")

    site = Site(
        {
            "/robots.txt": None,
            "/": html(
                '<a href="/meta">m</a><a href="/private-net">p</a><a href="/slow">s</a><a href="/huge">h</a>'
                '<a href="/loop">l</a>'
            ),
            "/meta": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/private-net": (302, {"Location": "http://10.1.2.3/admin"}, b""),
            "/slow": slow,
            "/huge": (200, {"Content-Type": "text/html"}, b"<html>" + b"x" * (50 * 1024 * 1024)),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
    )
    try:
        settings = await _settings(
            pg_url, infra_settings, read_timeout_seconds=0.5, max_page_bytes=1024 * 1024, max_attempts=2
        )
        app = create_app(settings, configure_logs=False)
        async with serve_app(app) as client:
            await _finished(client, await _crawl(client, [site.url + "/"], max_depth=1))
            frontier = await _frontier(app)
    finally:
        site.close()
    assert frontier[site.url + "/meta"][0] == "failed" and "metadata" in frontier[site.url + "/meta"][1]
    assert frontier[site.url + "/private-net"][0] == "failed" and "private" in frontier[site.url + "/private-net"][1]
    assert frontier[site.url + "/slow"][0] == "failed" and "gave up after 2 attempts" in frontier[site.url + "/slow"][1]
    assert frontier[site.url + "/huge"][0] == "failed" and "bytes" in frontier[site.url + "/huge"][1]
    assert frontier[site.url + "/loop"][0] == "failed" and "redirects" in frontier[site.url + "/loop"][1]


async def test_an_interrupted_crawl_resumes_without_losing_or_repeating_work(pg_url, infra_settings):
    pages = {f"/p{n}": html(f'<img src="/img{n % 3}.jpg">') for n in range(12)}
    links = "".join(f'<a href="{path}">{path}</a>' for path in pages)
    images = {
        f"/img{n}.jpg": (200, {"Content-Type": "image/jpeg"}, stolen_copy(synthetic_photo(40 + n))) for n in range(3)
    }
    site = Site({"/robots.txt": None, "/": html(links), **pages, **images})
    try:
        settings = await _settings(pg_url, infra_settings, host_delay_seconds=0.15, concurrency=2, lease_seconds=2)
        first = create_app(settings, configure_logs=False)
        async with serve_app(first) as client:
            crawl_id = await _crawl(client, [site.url + "/"], max_depth=1, max_pages=50)

            async def some_pages():
                crawl = (await client.get(f"/v1/crawls/{crawl_id}", headers=OWNER)).json()
                return crawl["pages_fetched"] >= 4

            await wait_until(some_pages, timeout=30, interval=0.05, description="a few pages")
        second = create_app(settings, configure_logs=False)
        async with serve_app(second) as client:
            crawl = await _finished(client, crawl_id)
            async with second.state.runtime.database.sessions() as session:
                recorded = (
                    await session.execute(select(store.pages.c.url, func.count()).group_by(store.pages.c.url))
                ).all()
    finally:
        site.close()
    assert crawl["pages_fetched"] == 13
    assert len(recorded) == 13 and all(count == 1 for _, count in recorded), "every page recorded exactly once"
    refetched = [path for path in ["/", *pages] if len(site.hits(path)) > 1]
    assert len(refetched) <= settings.concurrency, (
        f"at most the pages in flight at the stop are fetched again: {refetched}"
    )
    await asyncio.sleep(0)


async def test_two_replicas_share_the_frontier_the_host_delay_and_an_exact_page_budget(pg_url, infra_settings):
    paths = [f"/p{n}" for n in range(40)]
    links = "".join(f'<a href="{path}">{path}</a>' for path in paths)
    site = Site({"/robots.txt": None, "/": html(links), **{path: html(links) for path in paths}})
    delay = 0.2
    try:
        settings = await _settings(pg_url, infra_settings, host_delay_seconds=delay, concurrency=4)
        first, second = create_app(settings, configure_logs=False), create_app(settings, configure_logs=False)
        async with serve_app(first) as client, serve_app(second):
            crawl = await _finished(client, await _crawl(client, [site.url + "/"], max_depth=2, max_pages=15))
            async with first.state.runtime.database.sessions() as session:
                recorded = (
                    await session.execute(select(store.pages.c.url, func.count()).group_by(store.pages.c.url))
                ).all()

            async def host_idle():
                async with first.state.runtime.database.sessions() as session:
                    return (await session.execute(select(store.hosts.c.has_work))).scalar_one() is False

            await wait_until(host_idle, timeout=10, description="the host going idle")
    finally:
        site.close()
    assert crawl["pages_fetched"] == 15, "the page budget counts every URL queued, whichever replica queued it"
    assert len(recorded) == 15 and all(count == 1 for _, count in recorded)
    stamps = sorted(stamp for stamp, path in site.requests if path != "/robots.txt")
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[1:], strict=False)]
    assert min(gaps) >= delay - 0.02, f"two replicas visited the host {min(gaps):.3f} s apart"


async def test_sitemaps_add_the_pages_no_link_reaches(pg_url, infra_settings):
    sitemap = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/orphan</loc></url></urlset>"""
    site = Site(
        {
            "/": html("home, no links"),
            "/orphan": html('<img src="/i.jpg">'),
            "/i.jpg": (200, {"Content-Type": "image/jpeg"}, IMAGE),
        }
    )
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, f"Sitemap: {site.url}/sitemap.xml\n".encode())
    site.routes["/sitemap.xml"] = (
        200,
        {"Content-Type": "application/xml"},
        sitemap.replace("{base}", site.url).encode(),
    )
    try:
        app = create_app(await _settings(pg_url, infra_settings), configure_logs=False)
        async with serve_app(app) as client:
            with_maps = await _finished(client, await _crawl(client, [site.url + "/"], max_depth=1, use_sitemaps=True))
            without = await _finished(client, await _crawl(client, [site.url + "/"], max_depth=1))
    finally:
        site.close()
    assert with_maps["pages_fetched"] == 2 and with_maps["images_found"] == 1
    assert without["pages_fetched"] == 1


async def test_a_matched_copy_is_rechecked_until_it_is_removed(pg_url, infra_settings, probe):
    from datetime import timedelta

    from sqlalchemy import update

    from pixhound_crawler.worker import recheck_due_pages
    from pixhound_events.v1 import matches_pb2
    from pixhound_platform.db import utcnow

    site = Site({"/robots.txt": None, "/listing": html('<img src="/copy.jpg">')})
    try:
        app = create_app(await _settings(pg_url, infra_settings), configure_logs=False)
        async with serve_app(app):
            runtime = app.state.runtime
            await probe.publish(
                matches_pb2.MatchFound(
                    match_id="m1",
                    photo_id="p1",
                    owner_id="o1",
                    discovery_id="d1",
                    page_url=site.url + "/listing",
                    image_url=site.url + "/copy.jpg",
                    score=0.9,
                )
            )

            async def watched():
                async with runtime.database.sessions() as session:
                    return (await session.execute(select(store.watched_pages))).first()

            row = await wait_until(watched, timeout=30, description="the page to be watched")
            assert row.next_check_at > utcnow() + timedelta(days=6), "the first recheck is a recheck interval away"

            async def due_now():
                async with runtime.transaction() as session:
                    await session.execute(update(store.watched_pages).values(next_check_at=utcnow()))

            await due_now()
            assert await recheck_due_pages(runtime) == 1
            site.routes["/listing"] = html("the photo was taken down")
            await due_now()
            assert await recheck_due_pages(runtime) == 1
            async with runtime.database.sessions() as session:
                final = (await session.execute(select(store.watched_pages))).one()
            assert final.status == "removed" and final.removed_at is not None
            checks = await probe.events("pixhound.rechecks.v1", 2)
            assert [(c.status, c.HasField("removed_at")) for c in checks] == [("up", False), ("removed", True)]
    finally:
        site.close()
