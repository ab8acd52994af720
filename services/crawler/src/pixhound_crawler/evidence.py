"""Page evidence as WARC: the request and the response, exactly as fetched, with their hashes.

A WARC file (ISO 28500) is the archival standard courts and archives accept. Each page
that shows an image gets its own gzip-compressed WARC with a `request` and a `response`
record (target URI, date, server IP, payload digest), stored under a key that is never
reused, and its SHA-256 recorded with the page, so the proof cannot change unnoticed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HOP_BY_HOP = {"content-encoding", "transfer-encoding", "connection", "keep-alive", "content-length"}


@dataclass(frozen=True)
class Archive:
    data: bytes
    sha256: str


def build_warc(
    *,
    url: str,
    status: int,
    reason: str,
    response_headers: list[tuple[str, str]],
    body: bytes,
    request_headers: list[tuple[str, str]],
    fetched_at: datetime,
    server_ip: str,
) -> Archive:
    """The request/response pair as one gzip WARC. The body is stored decoded, so encoding headers are dropped."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    kept = [(name, value) for name, value in response_headers if name.lower() not in HOP_BY_HOP]
    kept.append(("Content-Length", str(len(body))))
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(f"{status} {reason or 'OK'}", kept, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": server_ip},
    )
    path = url.split("://", 1)[-1].split("/", 1)
    target = "/" + (path[1] if len(path) > 1 else "")
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", request_headers, is_http_request=True),
        warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": server_ip},
    )
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
    writer.write_record(response)
    writer.write_record(request)
    data = buffer.getvalue()
    return Archive(data=data, sha256=hashlib.sha256(data).hexdigest())
