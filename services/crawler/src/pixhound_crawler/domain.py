"""Pure crawling rules: URL normalisation, scope, which addresses may be reached, what a page links to.

No I/O here; the fetcher and the worker call these with what they received.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from pixhound_platform import network

IpNetwork = network.IpNetwork
RefusedAddress = network.RefusedAddress
check_address = network.check_address
LAZY_SOURCE_ATTRIBUTES = ("data-src", "data-lazy", "data-lazy-src", "data-original", "data-url")
LAZY_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def normalise_url(url: str, base: str | None = None) -> str | None:
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(absolute)
        port = parts.port
    except ValueError:  # malformed IPv6 literal or port out of range: not a URL we can use
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def largest_from_srcset(srcset: str) -> str | None:
    best: tuple[float, str] | None = None
    for candidate in srcset.split(","):
        pieces = candidate.strip().split()
        if not pieces:
            continue
        size = 1.0
        if len(pieces) > 1:
            descriptor = pieces[1].lower()
            try:
                size = float(descriptor[:-1]) if descriptor[-1] in "wx" else 1.0
            except ValueError:
                size = 1.0
        if best is None or size > best[0]:
            best = (size, pieces[0])
    return best[1] if best else None


@dataclass
class PageContent:
    image_urls: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def extract_page(html: str, page_url: str) -> PageContent:
    tree = HTMLParser(html)
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(page_url, base_node.attributes["href"])
    images: list[str] = []

    def add_image(raw: str | None) -> None:
        if raw and not raw.startswith("data:"):
            url = normalise_url(raw, base)
            if url and url not in images:
                images.append(url)

    for node in tree.css("img"):
        attributes = node.attributes
        # Lazy loaders park a data: placeholder in src or srcset; skip it and take the real source.
        candidates = [largest_from_srcset(attributes.get(name) or "") for name in ("srcset", *LAZY_SRCSET_ATTRIBUTES)]
        candidates += [attributes.get(name) for name in (*LAZY_SOURCE_ATTRIBUTES, "src")]
        add_image(next((c for c in candidates if c and not c.strip().lower().startswith("data:")), None))
    for node in tree.css("picture source[srcset]"):
        add_image(largest_from_srcset(node.attributes.get("srcset") or ""))
    for node in tree.css("meta[property='og:image'], meta[name='twitter:image'], meta[property='twitter:image']"):
        add_image(node.attributes.get("content"))
    for node in tree.css("[style]"):
        for raw in CSS_URL.findall(node.attributes.get("style") or ""):
            add_image(raw)
    for node in tree.css("style"):
        for raw in CSS_URL.findall(node.text() or ""):
            add_image(raw)
    for node in tree.css("script[type='application/ld+json']"):
        for raw in _json_ld_images(node.text() or ""):
            add_image(raw)
    links: list[str] = []
    for node in tree.css("a[href]"):
        url = normalise_url(node.attributes.get("href") or "", base)
        if url and url not in links:
            links.append(url)
    return PageContent(image_urls=images, links=links)


def _json_ld_images(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("@type") == "ImageObject" and isinstance(node.get("contentUrl") or node.get("url"), str):
                found.append(node.get("contentUrl") or node.get("url"))
            image = node.get("image")
            if isinstance(image, str):
                found.append(image)
            elif isinstance(image, list):
                found.extend(item for item in image if isinstance(item, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def in_scope(url: str, seed_hosts: set[str]) -> bool:
    return host_of(url) in seed_hosts
