"""Page evidence: a WARC that warcio reads back with the exact page, its URL, date, server IP and hash."""

import hashlib
import io
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator

from pixhound_crawler.evidence import build_warc


def test_warc_holds_request_and_response_as_fetched():
    body = "<html><body>Appartement — 320 000 €<img src='/a.jpg'></body></html>".encode()
    archive = build_warc(
        url="https://agence.example/annonce?id=4",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("ETag", '"v1"')],
        body=body,
        request_headers=[("User-Agent", "PixhoundBot/0.1"), ("Host", "agence.example")],
        fetched_at=datetime(2026, 11, 28, 15, 4, 5, tzinfo=UTC),
        server_ip="203.0.113.7",
    )
    assert archive.sha256 == hashlib.sha256(archive.data).hexdigest()
    records, payloads = [], []
    for record in ArchiveIterator(io.BytesIO(archive.data)):
        records.append(record)
        payloads.append(record.content_stream().read())
    assert [record.rec_type for record in records] == ["response", "request"]
    response = records[0]
    assert response.rec_headers.get_header("WARC-Target-URI") == "https://agence.example/annonce?id=4"
    assert response.rec_headers.get_header("WARC-IP-Address") == "203.0.113.7"
    assert response.rec_headers.get_header("WARC-Date") == "2026-11-28T15:04:05Z"
    assert response.http_headers.get_statuscode() == "200"
    assert response.http_headers.get_header("Content-Encoding") is None, "the stored body is decoded"
    assert response.http_headers.get_header("ETag") == '"v1"'
    assert payloads[0] == body
    request = records[1]
    assert request.http_headers.protocol == "GET" and "/annonce?id=4" in request.http_headers.statusline
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header("WARC-Record-ID")
