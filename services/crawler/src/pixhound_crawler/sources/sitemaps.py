"""Sitemap discovery: the pages (and photos) a site itself says it has.

Many photo pages are only reachable through search or infinite scroll, so following links
misses them; the site's sitemaps list them directly, often with the images on each page
(the `image:image` extension) and when the page last changed. Sitemaps are hostile input
like any other fetched document: index files can loop, gzip members can be bombs, XML can
carry entity tricks, and a sitemap can list other people's sites. Everything here is
bounded (documents, depth, bytes, URLs), parsed without DTDs or entities, and filtered to
the site being crawled.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from pixhound_crawler.domain import RefusedAddress, host_of, normalise_url
from pixhound_crawler.fetch import FetchFailed, SafeFetcher

log = logging.getLogger(__name__)

MiB = 1024 * 1024
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, application/gzip;q=0.8, text/plain;q=0.7, */*;q=0.5"
GZIP_MAGIC = b"\x1f\x8b"
INFLATE_STEP = 1 * MiB
YEAR_ONLY = re.compile(r"\d{4}")
YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None
    image_urls: tuple[str, ...]
    sitemap_url: str


class SitemapRefused(Exception):
    """A sitemap document that is not read: too large once inflated, or not parseable."""


@dataclass
class _Document:
    entries: list[SitemapEntry]
    children: list[str]
    is_index: bool


def same_site(url_host: str, site_host: str) -> bool:
    """The site's own host, a `www.` twin, or any subdomain of the site's name."""
    url_host = url_host.lower().rstrip(".")
    site = site_host.lower().rstrip(".")
    site = site.removeprefix("www.")
    return bool(url_host) and (url_host == site or url_host.endswith("." + site))


def inflate_capped(data: bytes, limit: int) -> bytes:
    """Gunzip (all members) in bounded steps, refusing as soon as the output passes `limit`."""
    output = bytearray()
    pending = data
    while pending:
        inflater = zlib.decompressobj(wbits=31)
        while True:
            try:
                chunk = inflater.decompress(pending, INFLATE_STEP)
            except zlib.error as error:
                raise SitemapRefused(f"corrupt gzip data: {error}") from error
            output += chunk
            if len(output) > limit:
                raise SitemapRefused(f"inflates to more than {limit} bytes")
            pending = inflater.unconsumed_tail
            if inflater.eof:
                pending = inflater.unused_data.lstrip(b"\0")
                break
            if not pending and not chunk:
                log.warning("gzip stream ends before its last member is complete")
                return bytes(output)
        if pending and not pending.startswith(GZIP_MAGIC):
            break
    return bytes(output)


def parse_lastmod(text: str | None) -> datetime | None:
    """W3C Datetime as sitemaps use it (year, month, date, or full timestamp); naive means UTC."""
    if not text:
        return None
    value = text.strip()
    try:
        if YEAR_ONLY.fullmatch(value):
            return datetime(int(value), 1, 1, tzinfo=UTC)
        if match := YEAR_MONTH.fullmatch(value):
            return datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _parse_xml(data: bytes, sitemap_url: str, accept: Callable[[str], bool], limit: int) -> _Document:
    document = _Document(entries=[], children=[], is_index=False)
    root: Element | None = None
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
            if root is None:
                root = element
                kind = _local(element.tag)
                if kind not in {"urlset", "sitemapindex"}:
                    raise SitemapRefused(f"root element <{kind}> is neither urlset nor sitemapindex")
                document.is_index = kind == "sitemapindex"
                continue
            if event != "end":
                continue
            name = _local(element.tag)
            if name == "sitemap" and document.is_index:
                child = normalise_url(_child_text(element, "loc") or "", sitemap_url)
                if child and child not in document.children:
                    document.children.append(child)
                root.clear()
            elif name == "url" and not document.is_index:
                url = normalise_url(_child_text(element, "loc") or "")
                if url and accept(url):
                    images = []
                    for child in element:
                        if _local(child.tag) == "image":
                            image = normalise_url(_child_text(child, "loc") or "", url)
                            if image and image not in images:
                                images.append(image)
                    entry = SitemapEntry(
                        url, parse_lastmod(_child_text(element, "lastmod")), tuple(images), sitemap_url
                    )
                    document.entries.append(entry)
                    if len(document.entries) >= limit:
                        break
                root.clear()
    except (ParseError, DefusedXmlException) as error:
        raise SitemapRefused(f"malformed or unsafe XML: {error}") from error
    return document


def _parse_text(data: bytes, sitemap_url: str, accept: Callable[[str], bool], limit: int) -> _Document:
    document = _Document(entries=[], children=[], is_index=False)
    for line in data.decode("utf-8", errors="replace").splitlines():
        url = normalise_url(line) if line.strip() else None
        if url and accept(url):
            document.entries.append(SitemapEntry(url, None, (), sitemap_url))
            if len(document.entries) >= limit:
                break
    return document


def _read_document(
    body: bytes, sitemap_url: str, accept: Callable[[str], bool], limit: int, max_bytes: int
) -> _Document:
    # Transport gzip (Content-Encoding) is already undone by the fetcher; only a gzip file body still has the magic.
    if body.startswith(GZIP_MAGIC):
        body = inflate_capped(body, max_bytes)
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return _parse_xml(text, sitemap_url, accept, limit)
    return _parse_text(text, sitemap_url, accept, limit)


async def discover_sitemap_urls(
    fetcher: SafeFetcher,
    site_root: str,
    *,
    robots_sitemaps: Iterable[str] = (),
    max_urls: int = 50_000,
    max_sitemaps: int = 200,
    max_bytes: int = 50 * MiB,
    max_depth: int = 4,
) -> AsyncIterator[SitemapEntry]:
    """Yield the site's pages from its sitemaps, each page once, never more than `max_urls`.

    Starts from the robots.txt `Sitemap:` URLs when given (these may live on another host,
    since robots.txt vouches for them), else `/sitemap.xml` and `/sitemap_index.xml`.
    Index files are followed breadth-first to `max_depth`, fetching at most `max_sitemaps`
    documents, each document at most once; an index may only point at the site itself or
    at the host that served the index. Failures are logged and skipped, never raised.
    """
    root = normalise_url(site_root)
    if root is None:
        raise ValueError(f"not an http(s) site root: {site_root!r}")
    site_host = host_of(root)

    def accept(url: str) -> bool:
        return same_site(host_of(url), site_host)

    starts = [url for url in (normalise_url(raw, root) for raw in robots_sitemaps) if url]
    if not starts:
        starts = [urljoin(root, "/sitemap.xml"), urljoin(root, "/sitemap_index.xml")]
    queue: deque[tuple[str, int]] = deque((url, 0) for url in dict.fromkeys(starts))
    seen_sitemaps = {url for url, _depth in queue}
    seen_urls: set[str] = set()
    fetched = 0
    while queue and fetched < max_sitemaps:
        sitemap_url, depth = queue.popleft()
        fetched += 1
        try:
            result = await fetcher.fetch(sitemap_url, max_bytes=max_bytes, accept=SITEMAP_ACCEPT)
        except (FetchFailed, RefusedAddress) as error:
            log.warning("skipping sitemap %s: %s", sitemap_url, error)
            continue
        if result.status != 200:
            log.info("skipping sitemap %s: HTTP %s", sitemap_url, result.status)
            continue
        if result.final_url != sitemap_url:
            if result.final_url in seen_sitemaps:
                continue
            seen_sitemaps.add(result.final_url)
        try:
            document = await asyncio.to_thread(
                _read_document, result.body, result.final_url, accept, max_urls, max_bytes
            )
        except SitemapRefused as error:
            log.warning("skipping sitemap %s: %s", sitemap_url, error)
            continue
        if document.is_index:
            if depth >= max_depth:
                log.warning("not following sitemap index %s: deeper than %d levels", sitemap_url, max_depth)
                continue
            index_host = host_of(result.final_url)
            for child in document.children:
                if child in seen_sitemaps:
                    continue
                if not (accept(child) or host_of(child) == index_host):
                    log.info("ignoring off-site sitemap %s listed by %s", child, sitemap_url)
                    continue
                seen_sitemaps.add(child)
                queue.append((child, depth + 1))
            continue
        for entry in document.entries:
            if entry.url in seen_urls:
                continue
            seen_urls.add(entry.url)
            yield entry
            if len(seen_urls) >= max_urls:
                return
    if queue:
        log.warning("stopped after %d sitemaps for %s; %d more left unread", fetched, root, len(queue))
