"""Discovery from web archives (WARC and WAT files, e.g. Common Crawl segments) without re-fetching.

Public crawls have already fetched billions of pages; reading their archives finds pages
that use a photographer's images far faster and more politely than crawling them again,
and the archive record itself is evidence of what the page showed and when. Both readers
stream record by record from a path or any binary file-like object (object storage bodies
included, seekable or not), keep at most one capped payload in memory, report where each
record sits in the file so evidence can point at it, and stop quietly at a damaged or
truncated tail instead of failing the whole segment.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from pixhound_crawler.domain import extract_page, largest_from_srcset, normalise_url

log = logging.getLogger(__name__)

MiB = 1024 * 1024
HTML_TYPES = {"text/html", "application/xhtml+xml"}
DRAIN_STEP = 64 * 1024
ARCHIVE_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError)
Source = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class ArchivedPage:
    """An HTML response found in a WARC file; `record_offset`/`record_length` locate the whole record
    (the gzip member, for .warc.gz) so it can be re-read with a range request."""

    url: str
    fetched_at: datetime | None
    status: int
    content_type: str
    image_urls: tuple[str, ...]
    links: tuple[str, ...]
    payload_sha256: str
    record_id: str | None
    record_offset: int
    record_length: int


@dataclass(frozen=True)
class WatPage:
    """An HTML page described by a WAT metadata record; `warc_*` locate the original response record
    in its WARC file when the WAT names it (Common Crawl WATs do), `record_*` locate the WAT record."""

    url: str
    fetched_at: datetime | None
    status: int | None
    image_urls: tuple[str, ...]
    warc_filename: str | None
    warc_offset: int | None
    warc_length: int | None
    record_offset: int
    record_length: int


class _Unusable(Exception):
    pass


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _records(source: Source) -> Iterator[tuple[ArchiveIterator, ArcWarcRecord]]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield from _records(stream)
        return
    iterator = ArchiveIterator(source)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except ARCHIVE_ERRORS as error:
            log.warning("stopping archive read after a damaged record: %s", error)
            return
        yield iterator, record


def _read_block(record: ArcWarcRecord, max_bytes: int) -> bytes | None:
    """The record's remaining block (the HTTP payload for responses), or None when it is over the cap.

    Always drains the record and refuses one whose block is shorter than its Content-Length."""
    stream = record.raw_stream
    data = stream.read(max_bytes + 1)
    oversized = len(data) > max_bytes
    while stream.read(DRAIN_STEP):
        pass
    if getattr(stream, "limit", 0) > 0:
        raise _Unusable(f"record ends {stream.limit} bytes before its declared length")
    return None if oversized else data


def _decode_payload(raw: bytes, headers: Any, max_bytes: int) -> bytes:
    encoding = (headers.get_header("content-encoding") or "").strip().lower()
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    source = io.BytesIO(raw)
    if (headers.get_header("transfer-encoding") or "").strip().lower() == "chunked":
        reader: IO[bytes] = ChunkedDataReader(source, decomp_type=encoding)
    elif encoding:
        reader = BufferedReader(source, decomp_type=encoding)
    else:
        return raw
    decoded = reader.read(max_bytes + 1)
    if len(decoded) > max_bytes:
        raise _Unusable(f"payload inflates past {max_bytes} bytes")
    return decoded


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return "utf-8"


def iter_warc_discoveries(source: Source, *, max_payload_bytes: int = 10 * MiB) -> Iterator[ArchivedPage]:
    """Yield every HTML `response` record of a WARC (plain or per-record gzip) with the page's images.

    The SHA-256 is of the HTTP payload exactly as stored (before any Content-Encoding is undone),
    so it can be checked against the bytes at `record_offset`. Non-HTML, oversized, truncated
    and undecodable records are skipped.
    """
    for iterator, record in _records(source):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        url = normalise_url(record.rec_headers.get_header("WARC-Target-URI") or "")
        content_type = (record.http_headers.get_header("content-type") or "").strip()
        if url is None or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            continue
        try:
            raw = _read_block(record, max_payload_bytes)
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
        except _Unusable as error:
            log.warning("skipping archived %s: %s", url, error)
            continue
        except ARCHIVE_ERRORS as error:
            log.warning("stopping archive read inside the record for %s: %s", url, error)
            return
        if raw is None:
            log.info("skipping archived %s: payload over %d bytes", url, max_payload_bytes)
            continue
        try:
            payload = _decode_payload(raw, record.http_headers, max_payload_bytes)
        except Exception as error:  # any decoder (gzip, deflate, brotli, chunked) may choke on archived bytes
            log.warning("skipping archived %s: cannot decode its payload: %s", url, error)
            continue
        try:
            html = payload.decode(_charset(content_type), errors="replace")
        except LookupError:
            html = payload.decode("utf-8", errors="replace")
        page = extract_page(html, url)
        yield ArchivedPage(
            url=url,
            fetched_at=_parse_date(record.rec_headers.get_header("WARC-Date")),
            status=_int(record.http_headers.get_statuscode()) or 0,
            content_type=content_type,
            image_urls=tuple(page.image_urls),
            links=tuple(page.links),
            payload_sha256=hashlib.sha256(raw).hexdigest(),
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            record_offset=offset,
            record_length=length,
        )


def _dig(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _wat_images(html_metadata: dict[str, Any], base: str) -> tuple[str, ...]:
    head_base = _dig(html_metadata, "Head", "Base")
    if isinstance(head_base, str):
        base = normalise_url(head_base, base) or base
    raw: list[str] = []
    for link in html_metadata.get("Links") or []:
        path, url = (link.get("path"), link.get("url")) if isinstance(link, dict) else (None, None)
        if not isinstance(path, str) or not isinstance(url, str) or not path.upper().startswith("IMG@/"):
            continue
        raw.append((largest_from_srcset(url) or "") if path.lower().endswith("srcset") else url)
    for meta in _dig(html_metadata, "Head", "Metas") or []:
        if isinstance(meta, dict) and (meta.get("property") or meta.get("name")) in {"og:image", "twitter:image"}:
            raw.append(meta.get("content") or "")
    images: list[str] = []
    for candidate in raw:
        if candidate and not candidate.startswith("data:"):
            url = normalise_url(candidate, base)
            if url and url not in images:
                images.append(url)
    return tuple(images)


def _source_record_length(container: Any) -> int | None:
    gzip_metadata = _dig(container, "Gzip-Metadata")
    parts = [_int(_dig(gzip_metadata, key)) for key in ("Header-Length", "Deflate-Length", "Footer-Length")]
    return sum(parts) if all(part is not None for part in parts) else None  # type: ignore[misc]


def iter_wat_discoveries(source: Source, *, max_record_bytes: int = 10 * MiB) -> Iterator[WatPage]:
    """Yield the HTML pages a WAT file describes (`Envelope.Payload-Metadata.HTTP-Response-Metadata.HTML-Metadata`),
    with the image URLs from its `Links` (`IMG@/...` paths) and `og:image`/`twitter:image` metas."""
    for iterator, record in _records(source):
        if record.rec_type != "metadata":
            continue
        try:
            raw = _read_block(record, max_record_bytes)
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
        except _Unusable as error:
            log.warning("skipping WAT record: %s", error)
            continue
        except ARCHIVE_ERRORS as error:
            log.warning("stopping WAT read inside a record: %s", error)
            return
        if raw is None:
            continue
        try:
            document = json.loads(raw)
        except ValueError:
            log.warning("skipping WAT record at offset %d: not JSON", offset)
            continue
        envelope = _dig(document, "Envelope")
        warc_headers = _dig(envelope, "WARC-Header-Metadata")
        if _dig(warc_headers, "WARC-Type") != "response":
            continue
        response = _dig(envelope, "Payload-Metadata", "HTTP-Response-Metadata")
        html_metadata = _dig(response, "HTML-Metadata")
        target = _dig(warc_headers, "WARC-Target-URI") or record.rec_headers.get_header("WARC-Target-URI")
        url = normalise_url(target) if isinstance(target, str) else None
        if url is None or not isinstance(html_metadata, dict):
            continue
        container = _dig(document, "Container")
        filename = _dig(container, "Filename")
        yield WatPage(
            url=url,
            fetched_at=_parse_date(_dig(warc_headers, "WARC-Date")),
            status=_int(_dig(response, "Response-Message", "Status")),
            image_urls=_wat_images(html_metadata, url),
            warc_filename=filename if isinstance(filename, str) else None,
            warc_offset=_int(_dig(container, "Offset")),
            warc_length=_source_record_length(container),
            record_offset=offset,
            record_length=length,
        )
