"""Discovery sources: sitemaps and a reverse-search API served by real loopback HTTP servers, WARC/WAT files
written with warcio in tmp_path."""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import ipaddress
import json
import logging
import random
import threading
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pixhound_crawler.fetch import SafeFetcher
from pixhound_crawler.sources import (
    GoogleVisionWebDetection,
    ReverseMatch,
    ReverseSearchAuthError,
    ReverseSearchError,
    ReverseSearchQuotaExceeded,
    ReverseSearchUnavailable,
    SitemapEntry,
    discover_sitemap_urls,
    iter_warc_discoveries,
    iter_wat_discoveries,
)
from pixhound_crawler.sources.sitemaps import same_site

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]
MiB = 1024 * 1024


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def serve(handle: Callable[[Seen], Reply]) -> Iterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {name.lower(): value for name, value in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            seen.append(request)
            reply = handle(request)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = _serve  # noqa: N815 (the standard library's names)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- sitemaps ---------------------------------------------------------------------------------------------------

URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'


def urlset(*urls: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{URLSET}{"".join(urls)}</urlset>'.encode()


def url_entry(loc: str, lastmod: str | None = None, images: tuple[str, ...] = ()) -> str:
    parts = [f"<loc>{loc}</loc>"]
    if lastmod is not None:
        parts.append(f"<lastmod>{lastmod}</lastmod>")
    parts += [f"<image:image><image:loc>{image}</image:loc></image:image>" for image in images]
    return f"<url>{''.join(parts)}</url>"


def index(*locs: str) -> bytes:
    children = "".join(f"<sitemap><loc>{loc}</loc><lastmod>2024-01-01</lastmod></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'.encode()


def gzip_bomb(uncompressed: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    return b"".join(compressor.compress(zeros) for _ in range(uncompressed // MiB)) + compressor.flush()


@dataclass
class SitemapSite:
    base: str
    seen: list[Seen]
    routes: dict[str, Reply]

    def fetched(self, path: str) -> int:
        return sum(1 for request in self.seen if request.path == path)


def build_routes(base: str) -> dict[str, Reply]:
    xml = {"Content-Type": "application/xml"}
    routes = {
        "/sitemap_index.xml": index(
            f"{base}/sitemaps/pages.xml", f"{base}/sitemaps/photos.xml.gz", "http://evil.example/sitemap.xml"
        ),
        "/sitemaps/pages.xml": urlset(
            url_entry(
                f"{base}/gallery/sunset",
                "2024-03-01T10:15:00+02:00",
                ("https://cdn.photos.example/sunset.jpg", "https://cdn.photos.example/sunset-wide.jpg"),
            ),
            url_entry(f"HTTP://127.0.0.1:{urlsplit(base).port}/About#team", "2023-12-24"),
            url_entry("https://evil.example/stolen", "2024-01-01", ("https://evil.example/x.jpg",)),
            url_entry(f"{base}/gallery/undated", "yesterday"),
        ),
        "/loop-a.xml": index(f"{base}/loop-b.xml", f"{base}/loop-a.xml"),
        "/loop-b.xml": index(f"{base}/loop-a.xml", f"{base}/loop-leaf.xml"),
        "/loop-leaf.xml": urlset(url_entry(f"{base}/leaf")),
        "/wide.xml": index(*(f"{base}/wide-{n}.xml" for n in range(10))),
        "/broken.xml": b'<?xml version="1.0"?>'
        + URLSET.encode()
        + f"<url><loc>{base}/half</loc></url><url><loc>".encode(),
        "/entities.xml": (
            f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY page "{base}/from-entity">]>'
            f"{URLSET}<url><loc>&page;</loc></url></urlset>"
        ).encode(),
        "/soft-404.xml": b"<!doctype html><html><body><p>Not found</p></body></html>",
        "/fine.xml": urlset(url_entry(f"{base}/fine")),
        "/urls.txt": f"{base}/one\r\n\r\n  {base}/two  \nnot a url\nhttps://evil.example/three\n{base}/one\n".encode(),
    }
    replies = {path: Reply(200, body, xml) for path, body in routes.items()}
    replies["/sitemaps/photos.xml.gz"] = Reply(
        200,
        gzip.compress(
            urlset(
                url_entry(f"{base}/gallery/sunset", "2024-03-01"),
                url_entry(f"{base}/photos/42", "2024-01", ("/img/42.jpg",)),
                url_entry(f"https://shop.127.0.0.1.example/p/{urlsplit(base).port}"),
            )
        ),
        {"Content-Type": "application/x-gzip"},
    )
    replies["/urls.txt"] = Reply(200, routes["/urls.txt"], {"Content-Type": "text/plain; charset=utf-8"})
    replies["/bomb.xml.gz"] = Reply(200, gzip_bomb(100 * MiB), {"Content-Type": "application/gzip"})
    for n in range(10):
        replies[f"/deep-{n}.xml"] = Reply(200, index(f"{base}/deep-{n + 1}.xml"), xml)
        replies[f"/wide-{n}.xml"] = Reply(200, urlset(url_entry(f"{base}/wide/{n}")), xml)
    return replies


@pytest.fixture(scope="module")
def sitemap_site() -> Iterator[SitemapSite]:
    routes: dict[str, Reply] = {}
    with serve(lambda request: routes.get(request.path, Reply(404, b"not found"))) as (base, seen):
        routes.update(build_routes(base))
        yield SitemapSite(base, seen, routes)


@pytest.fixture
async def fetcher() -> AsyncIterator[SafeFetcher]:
    fetcher = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=LOOPBACK, connect_timeout=1.0, read_timeout=2.0, max_redirects=3
    )
    yield fetcher
    await fetcher.close()


async def collect(fetcher: SafeFetcher, site: SitemapSite, *paths: str, **limits: int) -> list[SitemapEntry]:
    robots = [f"{site.base}{path}" for path in paths]
    return [entry async for entry in discover_sitemap_urls(fetcher, site.base, robots_sitemaps=robots, **limits)]


async def test_sitemap_index_with_plain_and_gzipped_children(sitemap_site: SitemapSite, fetcher: SafeFetcher) -> None:
    base = sitemap_site.base
    entries = await collect(fetcher, sitemap_site)

    assert entries == [
        SitemapEntry(
            f"{base}/gallery/sunset",
            datetime(2024, 3, 1, 10, 15, tzinfo=timezone(timedelta(hours=2))),
            ("https://cdn.photos.example/sunset.jpg", "https://cdn.photos.example/sunset-wide.jpg"),
            f"{base}/sitemaps/pages.xml",
        ),
        SitemapEntry(f"{base}/About", datetime(2023, 12, 24, tzinfo=UTC), (), f"{base}/sitemaps/pages.xml"),
        SitemapEntry(f"{base}/gallery/undated", None, (), f"{base}/sitemaps/pages.xml"),
        SitemapEntry(
            f"{base}/photos/42",
            datetime(2024, 1, 1, tzinfo=UTC),
            (f"{base}/img/42.jpg",),
            f"{base}/sitemaps/photos.xml.gz",
        ),
    ]
    assert sitemap_site.fetched("/sitemap.xml") == 1
    assert sitemap_site.fetched("/sitemap_index.xml") == 1
    assert sitemap_site.fetched("/sitemaps/photos.xml.gz") == 1

    limited = [entry async for entry in discover_sitemap_urls(fetcher, base, max_urls=2)]
    assert [entry.url for entry in limited] == [f"{base}/gallery/sunset", f"{base}/About"]


async def test_sitemap_index_loop_terminates_and_fetches_each_document_once(
    sitemap_site: SitemapSite, fetcher: SafeFetcher
) -> None:
    before = {path: sitemap_site.fetched(path) for path in ("/loop-a.xml", "/loop-b.xml", "/loop-leaf.xml")}
    entries = await collect(fetcher, sitemap_site, "/loop-a.xml", "/loop-b.xml")

    assert [entry.url for entry in entries] == [f"{sitemap_site.base}/leaf"]
    assert {path: sitemap_site.fetched(path) - count for path, count in before.items()} == {
        "/loop-a.xml": 1,
        "/loop-b.xml": 1,
        "/loop-leaf.xml": 1,
    }


async def test_sitemap_depth_and_document_count_are_bounded(sitemap_site: SitemapSite, fetcher: SafeFetcher) -> None:
    await collect(fetcher, sitemap_site, "/deep-0.xml", max_depth=2)
    assert [sitemap_site.fetched(f"/deep-{n}.xml") for n in range(5)] == [1, 1, 1, 0, 0]

    entries = await collect(fetcher, sitemap_site, "/wide.xml", max_sitemaps=4)
    assert [entry.url for entry in entries] == [f"{sitemap_site.base}/wide/{n}" for n in range(3)]
    assert sum(sitemap_site.fetched(f"/wide-{n}.xml") for n in range(10)) == 3


async def test_malformed_unsafe_and_non_sitemap_xml_is_skipped(
    sitemap_site: SitemapSite, fetcher: SafeFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pixhound_crawler.sources.sitemaps")
    entries = await collect(fetcher, sitemap_site, "/broken.xml", "/entities.xml", "/soft-404.xml", "/fine.xml")

    assert [entry.url for entry in entries] == [f"{sitemap_site.base}/fine"]
    skipped = " ".join(record.getMessage() for record in caplog.records)
    for path in ("/broken.xml", "/entities.xml", "/soft-404.xml"):
        assert f"{sitemap_site.base}{path}" in skipped


async def test_gzip_bomb_is_refused_without_inflating_it(
    sitemap_site: SitemapSite, fetcher: SafeFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(sitemap_site.routes["/bomb.xml.gz"].body) < 1 * MiB
    tracemalloc.start()
    try:
        entries = await collect(fetcher, sitemap_site, "/bomb.xml.gz", "/fine.xml", max_bytes=5 * MiB)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [entry.url for entry in entries] == [f"{sitemap_site.base}/fine"]
    assert peak < 20 * MiB
    assert any("inflates to more than" in record.getMessage() for record in caplog.records)


async def test_plain_text_sitemap(sitemap_site: SitemapSite, fetcher: SafeFetcher) -> None:
    entries = await collect(fetcher, sitemap_site, "/urls.txt")
    base = sitemap_site.base
    assert entries == [
        SitemapEntry(f"{base}/one", None, (), f"{base}/urls.txt"),
        SitemapEntry(f"{base}/two", None, (), f"{base}/urls.txt"),
    ]


@pytest.mark.parametrize(
    ("host", "site", "expected"),
    [
        ("photos.example", "photos.example", True),
        ("cdn.photos.example", "photos.example", True),
        ("photos.example", "www.photos.example", True),
        ("shop.photos.example", "www.photos.example", True),
        ("notphotos.example", "photos.example", False),
        ("photos.example.evil", "photos.example", False),
        ("", "photos.example", False),
    ],
)
def test_same_site(host: str, site: str, expected: bool) -> None:
    assert same_site(host, site) is expected


# --- WARC and WAT ------------------------------------------------------------------------------------------------

WARC_DATE = "2024-02-03T04:05:06Z"
PAGE_ONE = (
    b"<html><head><meta property='og:image' content='https://cdn.example/og.jpg'></head><body>"
    b"<img src='/img/a.jpg'><img srcset='/img/b-small.jpg 400w, /img/b-large.jpg 1600w'>"
    b"<a href='/about'>About</a></body></html>"
)
PAGE_TWO = "<html><body><p>Café</p><img src='photo.jpg'></body></html>".encode()
NOT_FOUND = b"<html><body><img src='/sad.png'>gone</body></html>"


def write_record(
    writer: WARCWriter, uri: str, body: bytes, headers: list[tuple[str, str]], status: str = "200 OK"
) -> None:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": WARC_DATE}
    )
    writer.write_record(record)


def write_warc(path: Path, *, compress: bool, tail: str = "truncated") -> dict[str, bytes]:
    """Write a small WARC; return each HTML page's payload as stored (what the SHA-256 must cover)."""
    two_stored = gzip.compress(PAGE_TWO)
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "pixhound-tests"}))
        request = StatusAndHeaders("GET /gallery HTTP/1.1", [("Host", "photos.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record("https://photos.example/gallery", "request", http_headers=request)
        )
        write_record(writer, "https://photos.example/gallery", PAGE_ONE, [("Content-Type", "text/html; charset=utf-8")])
        write_record(
            writer,
            "https://photos.example/img/a.jpg",
            b"\xff\xd8\xff\xe0" + bytes(2000),
            [("Content-Type", "image/jpeg")],
        )
        write_record(
            writer,
            "https://blog.example/posts/trip",
            two_stored,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        )
        write_record(writer, "https://photos.example/gone", NOT_FOUND, [("Content-Type", "text/html")], "404 Not Found")
        writer.write_record(
            writer.create_warc_record(
                "https://photos.example/gallery",
                "metadata",
                payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                warc_content_type="application/warc-fields",
            )
        )
        if tail == "truncated":
            spare = io.BytesIO()
            write_record(
                WARCWriter(spare, gzip=compress),
                "https://photos.example/truncated",
                b"<html><img src='/cut.jpg'>" + b"x" * 20_000 + b"</html>",
                [("Content-Type", "text/html")],
            )
            stream.write(spare.getvalue()[: len(spare.getvalue()) - 5000])
        else:
            stream.write(b"this is not a WARC record\r\n" * 3)
    return {
        "https://photos.example/gallery": PAGE_ONE,
        "https://blog.example/posts/trip": two_stored,
        "https://photos.example/gone": NOT_FOUND,
    }


class OneWayStream:
    """What an object-storage download looks like: read() only, no seek or tell."""

    def __init__(self, stream: io.BufferedReader) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_warc_pages_images_digests_and_offsets(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / "segment.warc"
    payloads = write_warc(path, compress=compress)

    pages = list(iter_warc_discoveries(path))

    assert [(page.url, page.status) for page in pages] == [
        ("https://photos.example/gallery", 200),
        ("https://blog.example/posts/trip", 200),
        ("https://photos.example/gone", 404),
    ]
    assert pages[0].image_urls == (
        "https://photos.example/img/a.jpg",
        "https://photos.example/img/b-large.jpg",
        "https://cdn.example/og.jpg",
    )
    assert pages[0].links == ("https://photos.example/about",)
    assert pages[1].image_urls == ("https://blog.example/posts/photo.jpg",)
    assert all(page.fetched_at == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC) for page in pages)
    with path.open("rb") as stream:
        for page in pages:
            assert page.payload_sha256 == hashlib.sha256(payloads[page.url]).hexdigest()
            stream.seek(page.record_offset)
            stored = stream.read(page.record_length)
            (record,) = list(ArchiveIterator(io.BytesIO(stored)))
            assert record.rec_headers.get_header("WARC-Target-URI") == page.url
            # The span is exactly one record: one whole gzip member, or the block up to the end of the payload.
            block = gzip.decompress(stored) if compress else stored
            assert block.endswith(payloads[page.url] + (b"\r\n\r\n" if compress else b""))
            assert record.rec_headers.get_header("WARC-Record-ID") == page.record_id
    with path.open("rb") as stream:
        assert list(iter_warc_discoveries(OneWayStream(stream))) == pages  # type: ignore[arg-type]


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("tail", ["truncated", "garbage"])
def test_warc_damaged_tail_ends_iteration_quietly(tmp_path: Path, compress: bool, tail: str) -> None:
    path = tmp_path / "segment.warc"
    payloads = write_warc(path, compress=compress, tail=tail)

    assert [page.url for page in iter_warc_discoveries(path)] == list(payloads)


def test_warc_oversized_page_is_skipped_without_being_held(tmp_path: Path) -> None:
    # Incompressible on purpose: warcio inflates one input block at a time, so this measures what we hold.
    path = tmp_path / "big.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        write_record(
            writer,
            "https://photos.example/huge",
            b"<html>" + random.Random(7).randbytes(8 * MiB) + b"</html>",
            [("Content-Type", "text/html")],
        )
        write_record(writer, "https://photos.example/small", PAGE_ONE, [("Content-Type", "text/html")])

    tracemalloc.start()
    try:
        pages = list(iter_warc_discoveries(path, max_payload_bytes=1 * MiB))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [page.url for page in pages] == ["https://photos.example/small"]
    assert peak < 4 * MiB


def wat_record(writer: WARCWriter, uri: str, document: object | bytes) -> None:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    record = writer.create_warc_record(
        uri,
        "metadata",
        payload=io.BytesIO(body),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": WARC_DATE},
    )
    writer.write_record(record)


def wat_envelope(
    uri: str, warc_type: str = "response", html: dict | None = None, container: dict | None = None
) -> dict:
    response = {
        "Response-Message": {"Version": "HTTP/1.1", "Status": "200", "Reason": "OK"},
        "Headers": {"Content-Type": "text/html; charset=UTF-8"},
        "Headers-Length": "180",
        "Entity-Length": "5120",
    }
    if html is not None:
        response["HTML-Metadata"] = html
    document: dict = {
        "Envelope": {
            "Format": "WARC",
            "WARC-Header-Length": "520",
            "WARC-Header-Metadata": {
                "WARC-Type": warc_type,
                "WARC-Date": "2024-02-03T04:05:06Z",
                "WARC-Target-URI": uri,
                "WARC-Payload-Digest": "sha1:5EWVWPKYOPZPBUBH7SPH7JF6DUFQDPBT",
            },
            "Payload-Metadata": {
                "Actual-Content-Type": "application/http; msgtype=response",
                "HTTP-Response-Metadata": response,
            },
        }
    }
    if container is not None:
        document["Container"] = container
    return document


def test_wat_yields_pages_with_image_links(tmp_path: Path) -> None:
    path = tmp_path / "segment.warc.wat.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "pixhound-tests"}))
        wat_record(
            writer,
            "https://photos.example/gallery",
            wat_envelope(
                "https://photos.example/gallery",
                html={
                    "Head": {
                        "Title": "Gallery",
                        "Base": "https://photos.example/static/",
                        "Metas": [{"property": "og:image", "content": "https://cdn.example/og.jpg"}],
                        "Link": [{"path": "LINK@/href", "url": "site.css", "rel": "stylesheet"}],
                    },
                    "Links": [
                        {"path": "A@/href", "url": "/about", "text": "About"},
                        {"path": "IMG@/src", "url": "img/a.jpg", "alt": "a"},
                        {"path": "IMG@/srcset", "url": "b-400.jpg 400w, b-1600.jpg 1600w"},
                        {"path": "IMG@/src", "url": "data:image/gif;base64,R0lGOD"},
                        {"path": "IMG@/src", "url": "https://cdn.example/og.jpg"},
                    ],
                },
                container={
                    "Filename": "CC-MAIN-20240203-00001.warc.gz",
                    "Compressed": True,
                    "Offset": "48211",
                    "Gzip-Metadata": {"Deflate-Length": "3012", "Header-Length": "10", "Footer-Length": "8"},
                },
            ),
        )
        wat_record(writer, "https://photos.example/gallery", wat_envelope("https://photos.example/gallery", "request"))
        wat_record(writer, "https://photos.example/a.jpg", wat_envelope("https://photos.example/a.jpg"))
        wat_record(writer, "https://photos.example/broken", b'{"Envelope": {')
        wat_record(
            writer,
            "https://blog.example/post",
            wat_envelope("https://blog.example/post", html={"Links": [{"path": "IMG@/src", "url": "/p.jpg"}]}),
        )

    pages = list(iter_wat_discoveries(path))

    assert [page.url for page in pages] == ["https://photos.example/gallery", "https://blog.example/post"]
    gallery, post = pages
    assert gallery.image_urls == (
        "https://photos.example/static/img/a.jpg",
        "https://photos.example/static/b-1600.jpg",
        "https://cdn.example/og.jpg",
    )
    assert (gallery.status, gallery.fetched_at) == (200, datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert (gallery.warc_filename, gallery.warc_offset, gallery.warc_length) == (
        "CC-MAIN-20240203-00001.warc.gz",
        48211,
        3030,
    )
    assert post.image_urls == ("https://blog.example/p.jpg",)
    assert (post.warc_filename, post.warc_offset, post.warc_length) == (None, None, None)
    with path.open("rb") as stream:
        stream.seek(post.record_offset)
        (record,) = list(ArchiveIterator(io.BytesIO(stream.read(post.record_length))))
        assert record.rec_headers.get_header("WARC-Target-URI") == "https://blog.example/post"


# --- reverse image search ----------------------------------------------------------------------------------------

API_KEY = "AIzaSy-test-key-0123456789abcdef"
ACCESS_TOKEN = "ya29.test-access-token"
# JPEG magic, then every byte value: the standard base64 of this has '+' and '/', so a URL-safe or hex encoding differs.
SUNSET = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
UNKNOWN = b"\x89PNG\r\n\x1a\n" + bytes(64)
SUNSET_DETECTION = {
    "webEntities": [{"entityId": "/m/06npx", "score": 0.81, "description": "Sunset"}],
    "fullMatchingImages": [
        {"url": "https://stolen.example/uploads/sunset.jpg"},
        {"url": "https://images.example.net/only-image.jpg"},
    ],
    "partialMatchingImages": [{"url": "https://blog.example.org/crop.jpg"}],
    "pagesWithMatchingImages": [
        {
            "url": "https://stolen.example/post/123",
            "pageTitle": "Free <b>sunset</b> wallpaper &amp; more",
            "fullMatchingImages": [{"url": "https://stolen.example/uploads/sunset.jpg"}],
        },
        {
            "url": "https://blog.example.org/travel",
            "pageTitle": "Travel",
            "score": 0.5,
            "partialMatchingImages": [{"url": "https://blog.example.org/crop.jpg"}],
        },
        {"url": "https://forum.example.com/t/9", "pageTitle": "Thread"},
    ],
    "visuallySimilarImages": [{"url": "https://other.example/similar.jpg"}],
    "bestGuessLabels": [{"label": "sunset", "languageCode": "en"}],
}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF", b"BM")
FEATURE_TYPES = {"WEB_DETECTION", "LABEL_DETECTION", "TEXT_DETECTION", "SAFE_SEARCH_DETECTION", "IMAGE_PROPERTIES"}


def google_error(http_status: int, status: str, message: str, reason: str | None = None) -> Reply:
    error: dict = {"code": http_status, "message": message, "status": status}
    if reason:
        error["details"] = [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}
        ]
    return Reply(
        http_status, json.dumps({"error": error}).encode(), {"Content-Type": "application/json; charset=UTF-8"}
    )


def decode_proto_bytes(value: object) -> bytes | None:
    """proto3 JSON `bytes`: standard or URL-safe base64, padded or not; anything else is an error."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass
class FakeVision:
    """`POST /v1/images:annotate` as the Cloud Vision REST API documents it, for WEB_DETECTION."""

    quota_left: int | None = None
    outage: bool = False
    catalogue: dict[bytes, dict] = field(default_factory=lambda: {SUNSET: SUNSET_DETECTION})
    images: list[bytes] = field(default_factory=list)

    def handle(self, request: Seen) -> Reply:
        if request.method != "POST" or request.path != "/v1/images:annotate":
            return google_error(404, "NOT_FOUND", "The requested URL was not found on this server.")
        key = request.headers.get("x-goog-api-key") or (request.query.get("key") or [None])[0]
        bearer = request.headers.get("authorization", "")
        if key is None and not bearer:
            return google_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.")
        if key is not None and key != API_KEY:
            return google_error(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID"
            )
        if key is None and bearer != f"Bearer {ACCESS_TOKEN}":
            return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if self.outage:
            return google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
        if self.quota_left is not None:
            if self.quota_left <= 0:
                return google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests'.")
            self.quota_left -= 1
        try:
            body = json.loads(request.body)
        except ValueError:
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return google_error(400, "INVALID_ARGUMENT", "No requests specified.")
        responses = []
        for number, item in enumerate(requests):
            image = decode_proto_bytes((item.get("image") or {}).get("content"))
            if image is None:
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    f"Invalid value at 'requests[{number}].image.content' (TYPE_BYTES), Base64 decoding failed",
                )
            features = item.get("features")
            if not isinstance(features, list) or not features:
                return google_error(400, "INVALID_ARGUMENT", f"requests[{number}].features: No feature specified.")
            for feature in features:
                if feature.get("type") not in FEATURE_TYPES or not isinstance(feature.get("maxResults", 10), int):
                    return google_error(400, "INVALID_ARGUMENT", f"Invalid value at 'requests[{number}].features'")
            self.images.append(image)
            if not image.startswith(IMAGE_MAGIC):
                responses.append({"error": {"code": 3, "message": "Bad image data."}})
                continue
            limit = next(f.get("maxResults", 10) for f in features if f["type"] == "WEB_DETECTION")
            detection = self.catalogue.get(image, {})
            responses.append({"webDetection": {name: value[:limit] for name, value in detection.items()}})
        return Reply(
            200, json.dumps({"responses": responses}).encode(), {"Content-Type": "application/json; charset=UTF-8"}
        )


@pytest.fixture(scope="module")
def vision_server() -> Iterator[tuple[str, list[Seen], list[FakeVision]]]:
    current = [FakeVision()]
    with serve(lambda request: current[0].handle(request)) as (base, seen):
        yield base, seen, current


@pytest.fixture
def vision(vision_server: tuple[str, list[Seen], list[FakeVision]]) -> tuple[str, list[Seen], FakeVision]:
    base, seen, current = vision_server
    current[0] = FakeVision()
    seen.clear()
    return base, seen, current[0]


async def test_vision_round_trip_maps_web_detection(
    vision: tuple[str, list[Seen], FakeVision], caplog: pytest.LogCaptureFixture
) -> None:
    base, seen, fake = vision
    caplog.set_level(logging.DEBUG)
    async with GoogleVisionWebDetection(api_key=API_KEY, endpoint=base, timeout=5) as search:
        matches = await search.search(SUNSET, max_results=10)

    assert matches == [
        ReverseMatch(
            "https://stolen.example/post/123",
            "https://stolen.example/uploads/sunset.jpg",
            "Free sunset wallpaper & more",
            None,
            "google-vision",
            "full",
        ),
        ReverseMatch(
            "https://blog.example.org/travel",
            "https://blog.example.org/crop.jpg",
            "Travel",
            0.5,
            "google-vision",
            "partial",
        ),
        ReverseMatch("https://forum.example.com/t/9", None, "Thread", None, "google-vision", "page"),
        ReverseMatch(None, "https://images.example.net/only-image.jpg", None, None, "google-vision", "full"),
    ]
    (request,) = seen
    assert fake.images == [SUNSET]
    assert json.loads(request.body)["requests"][0]["features"] == [{"type": "WEB_DETECTION", "maxResults": 10}]
    assert request.headers["x-goog-api-key"] == API_KEY
    assert "key" not in request.query
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(search)


async def test_vision_max_results_similar_images_and_unknown_image(vision: tuple[str, list[Seen], FakeVision]) -> None:
    base, seen, _fake = vision
    async with GoogleVisionWebDetection(api_key=API_KEY, endpoint=base, include_similar=True) as search:
        two = await search.search(SUNSET, max_results=2)
        everything = await search.search(SUNSET, max_results=20)
        nothing = await search.search(UNKNOWN, max_results=5)

    assert [match.match for match in two] == ["full", "partial"]
    assert json.loads(seen[0].body)["requests"][0]["features"][0]["maxResults"] == 2
    assert everything[-1] == ReverseMatch(
        None, "https://other.example/similar.jpg", None, None, "google-vision", "similar"
    )
    assert nothing == []


async def test_vision_bearer_token_and_quota_project(vision: tuple[str, list[Seen], FakeVision]) -> None:
    base, seen, _fake = vision
    async with GoogleVisionWebDetection(
        access_token=ACCESS_TOKEN, quota_project="pixhound-prod", endpoint=base
    ) as search:
        matches = await search.search(SUNSET, max_results=1)

    assert [match.page_url for match in matches] == ["https://stolen.example/post/123"]
    assert seen[0].headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert seen[0].headers["x-goog-user-project"] == "pixhound-prod"
    assert "x-goog-api-key" not in seen[0].headers


@pytest.mark.parametrize(
    ("setup", "credentials", "image", "error_type", "status", "retryable"),
    [
        ("none", {"api_key": "AIzaSy-wrong"}, SUNSET, ReverseSearchAuthError, "INVALID_ARGUMENT", False),
        ("none", {"access_token": "ya29.expired"}, SUNSET, ReverseSearchAuthError, "UNAUTHENTICATED", False),
        ("quota", {"api_key": API_KEY}, SUNSET, ReverseSearchQuotaExceeded, "RESOURCE_EXHAUSTED", True),
        ("outage", {"api_key": API_KEY}, SUNSET, ReverseSearchUnavailable, "UNAVAILABLE", True),
        ("none", {"api_key": API_KEY}, b"not an image at all", ReverseSearchError, "INVALID_ARGUMENT", False),
    ],
    ids=["bad-key", "bad-token", "quota", "outage", "bad-image"],
)
async def test_vision_errors_are_mapped(
    vision: tuple[str, list[Seen], FakeVision],
    setup: str,
    credentials: dict[str, str],
    image: bytes,
    error_type: type[ReverseSearchError],
    status: str,
    retryable: bool,
) -> None:
    base, _seen, fake = vision
    fake.quota_left = 0 if setup == "quota" else None
    fake.outage = setup == "outage"
    async with GoogleVisionWebDetection(endpoint=base, **credentials) as search:
        with pytest.raises(ReverseSearchError) as caught:
            await search.search(image, max_results=5)

    assert type(caught.value) is error_type
    assert caught.value.status == status
    assert caught.value.retryable is retryable
    assert caught.value.provider == "google-vision"
    assert all(secret not in str(caught.value) for secret in credentials.values())


async def test_vision_quota_runs_out_after_allowed_calls(vision: tuple[str, list[Seen], FakeVision]) -> None:
    base, _seen, fake = vision
    fake.quota_left = 1
    async with GoogleVisionWebDetection(api_key=API_KEY, endpoint=base) as search:
        assert await search.search(SUNSET, max_results=3)
        with pytest.raises(ReverseSearchQuotaExceeded) as caught:
            await search.search(SUNSET, max_results=3)
    assert caught.value.http_status == 429


async def test_vision_unreachable_endpoint_is_unavailable() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    async with GoogleVisionWebDetection(api_key=API_KEY, endpoint=f"http://127.0.0.1:{port}", timeout=2) as search:
        with pytest.raises(ReverseSearchUnavailable) as caught:
            await search.search(SUNSET, max_results=3)
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (
            {"requests": [{"image": {"content": "/9j/4AAQ"}}]},
            {"X-Goog-Api-Key": API_KEY},
            (400, "No feature specified"),
        ),
        (
            {
                "requests": [
                    {"image": {"content": "data:image/jpeg;base64,/9j/"}, "features": [{"type": "WEB_DETECTION"}]}
                ]
            },
            {"X-Goog-Api-Key": API_KEY},
            (400, "Base64 decoding failed"),
        ),
        (
            {"requests": [{"image": {"content": SUNSET.hex()}, "features": [{"type": "WEB_DETECTION"}]}]},
            {"X-Goog-Api-Key": API_KEY},
            (200, "Bad image data"),
        ),
        (
            {"requests": [{"image": {"content": "/9j/4AAQ"}, "features": [{"type": "WEB"}]}]},
            {"X-Goog-Api-Key": API_KEY},
            (400, "features"),
        ),
        (
            {"requests": [{"image": {"content": "/9j/4AAQ"}, "features": [{"type": "WEB_DETECTION"}]}]},
            {},
            (403, "unregistered"),
        ),
    ],
    ids=["no-features", "data-uri", "hex", "unknown-feature", "no-key"],
)
async def test_fake_vision_rejects_what_the_real_api_rejects(
    vision: tuple[str, list[Seen], FakeVision], body: dict, headers: dict[str, str], expected: tuple[int, str]
) -> None:
    base, _seen, _fake = vision
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{base}/v1/images:annotate", json=body, headers=headers)
    assert (response.status_code, expected[1] in response.text) == (expected[0], True)


def test_vision_adapter_needs_exactly_one_credential() -> None:
    with pytest.raises(ValueError):
        GoogleVisionWebDetection()
    with pytest.raises(ValueError):
        GoogleVisionWebDetection(api_key=API_KEY, access_token=ACCESS_TOKEN)
