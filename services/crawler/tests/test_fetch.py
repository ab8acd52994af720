"""SafeFetcher against real HTTP servers on loopback: pinning, address checks on every hop, caps, decoding."""

from __future__ import annotations

import gzip
import ipaddress
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest

from pixhound_crawler.domain import RefusedAddress
from pixhound_crawler.fetch import FetchFailed, SafeFetcher, TooLarge

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]
BIG = b"x" * 5000
GZIPPED_TEXT = b"<html><body>" + b"compressed photo page " * 200 + b"</body></html>"


@dataclass
class Site:
    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args) -> None:
            return

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self._send(302, headers={"Location": location})

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            site.requests.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
            path = self.path.split("?")[0]
            try:
                if path == "/ok":
                    self._send(200, b"hello photographer", {"Content-Type": "text/plain"})
                elif path == "/hop":
                    self._redirect("/ok")
                elif path == "/to-metadata":
                    self._redirect("http://169.254.169.254/latest/meta-data/")
                elif path == "/to-private":
                    self._redirect("http://10.0.0.1/")
                elif path == "/to-private-via-hop":
                    self._redirect("/to-private")
                elif path == "/loop":
                    self._redirect("/loop")
                elif path == "/big-declared":
                    self._send(200, BIG, {"Content-Type": "application/octet-stream"})
                elif path == "/big-chunked":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for _ in range(10):
                        piece = b"y" * 1000
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif path == "/small-chunked":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for piece in (b"abc", b"def"):
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif path == "/gzip":
                    self._send(
                        200, gzip.compress(GZIPPED_TEXT), {"Content-Type": "text/html", "Content-Encoding": "gzip"}
                    )
                elif path == "/slow-headers":
                    site.release.wait(3)
                    self._send(200, b"too late")
                elif path == "/slow-body":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b"z" * 10)
                    self.wfile.flush()
                    site.release.wait(3)
                    self.wfile.write(b"z" * 90)
                else:
                    self._send(404, b"not found")
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    placeholder = Site(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(placeholder))
    placeholder.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield placeholder
    finally:
        placeholder.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
async def fetcher() -> AsyncIterator[SafeFetcher]:
    fetcher = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_redirects=3
    )
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    # A spy, not a mock: every request the client really puts on the wire is recorded.
    fetcher.client.event_hooks["request"].append(record)
    fetcher.sent = sent  # type: ignore[attr-defined]
    yield fetcher
    await fetcher.close()


def _sent_hosts(fetcher: SafeFetcher) -> set[str]:
    return {urlsplit(str(request.url)).hostname or "" for request in fetcher.sent}  # type: ignore[attr-defined]


async def test_fetch_returns_body_status_final_url_and_server_ip(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/ok", max_bytes=1000)
    assert result.status == 200
    assert result.body == b"hello photographer"
    assert result.requested_url == f"{site.base}/ok"
    assert result.final_url == f"{site.base}/ok"
    assert result.server_ip == "127.0.0.1"
    assert result.headers["content-type"] == "text/plain"


async def test_fetch_sends_user_agent_and_original_host_header(site: Site, fetcher: SafeFetcher) -> None:
    site.requests.clear()
    await fetcher.fetch(f"{site.base}/ok?tag=ua", max_bytes=1000, accept="text/html")
    path, headers = next((path, headers) for path, headers in site.requests if path == "/ok?tag=ua")
    assert headers["user-agent"] == "PixhoundTest/1.0"
    assert headers["host"] == urlsplit(site.base).netloc
    assert headers["accept"] == "text/html"


async def test_fetch_follows_an_allowed_redirect(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/hop", max_bytes=1000)
    assert result.status == 200
    assert result.body == b"hello photographer"
    assert result.requested_url == f"{site.base}/hop"
    assert result.final_url == f"{site.base}/ok"


async def test_fetch_returns_error_statuses_without_raising(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/missing", max_bytes=1000)
    assert result.status == 404


async def test_loopback_is_refused_without_an_allow_list(site: Site) -> None:
    strict = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=[], connect_timeout=1.0, read_timeout=1.0, max_redirects=3
    )
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    strict.client.event_hooks["request"].append(record)
    site.requests.clear()
    try:
        with pytest.raises(RefusedAddress):
            await strict.fetch(f"{site.base}/ok", max_bytes=1000)
    finally:
        await strict.close()
    assert sent == []
    assert site.requests == []


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private", "/to-private-via-hop"])
async def test_redirect_to_a_forbidden_address_is_refused_before_connecting(
    site: Site, fetcher: SafeFetcher, path: str
) -> None:
    with pytest.raises(RefusedAddress):
        await fetcher.fetch(f"{site.base}{path}", max_bytes=1000)
    assert fetcher.sent, "the first hop should have been fetched"  # type: ignore[attr-defined]
    assert _sent_hosts(fetcher) == {"127.0.0.1"}


async def test_redirect_loop_fails_after_max_redirects(site: Site, fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchFailed, match="redirects"):
        await fetcher.fetch(f"{site.base}/loop", max_bytes=1000)
    assert len(fetcher.sent) == fetcher.max_redirects + 1  # type: ignore[attr-defined]


async def test_zero_redirects_allowed_refuses_the_first_redirect(site: Site) -> None:
    fetcher = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_redirects=0
    )
    try:
        with pytest.raises(FetchFailed):
            await fetcher.fetch(f"{site.base}/hop", max_bytes=1000)
        assert (await fetcher.fetch(f"{site.base}/ok", max_bytes=1000)).status == 200
    finally:
        await fetcher.close()


async def test_declared_body_over_the_cap_is_too_large(site: Site, fetcher: SafeFetcher) -> None:
    with pytest.raises(TooLarge):
        await fetcher.fetch(f"{site.base}/big-declared", max_bytes=len(BIG) - 1)


async def test_declared_body_at_the_cap_is_accepted(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/big-declared", max_bytes=len(BIG))
    assert result.body == BIG


async def test_chunked_body_over_the_cap_is_too_large(site: Site, fetcher: SafeFetcher) -> None:
    with pytest.raises(TooLarge):
        await fetcher.fetch(f"{site.base}/big-chunked", max_bytes=2500)


async def test_small_chunked_body_is_read_whole(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/small-chunked", max_bytes=2500)
    assert "content-length" not in result.headers
    assert result.body == b"abcdef"


async def test_too_large_is_a_fetch_failure() -> None:
    assert issubclass(TooLarge, FetchFailed)


async def test_gzip_response_is_decoded(site: Site, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(f"{site.base}/gzip", max_bytes=len(GZIPPED_TEXT))
    assert result.body == GZIPPED_TEXT
    assert "gzip" in result.request_headers["accept-encoding"]


async def test_gzip_cap_applies_to_the_decoded_size(site: Site, fetcher: SafeFetcher) -> None:
    # The compressed body is far below the cap; the decoded one is not (a compression bomb in miniature).
    assert len(gzip.compress(GZIPPED_TEXT)) < 1000 < len(GZIPPED_TEXT)
    with pytest.raises(TooLarge):
        await fetcher.fetch(f"{site.base}/gzip", max_bytes=1000)


async def test_slow_headers_fail(site: Site) -> None:
    fetcher = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=LOOPBACK, connect_timeout=1.0, read_timeout=0.3, max_redirects=3
    )
    try:
        with pytest.raises(FetchFailed):
            await fetcher.fetch(f"{site.base}/slow-headers", max_bytes=1000)
    finally:
        await fetcher.close()


async def test_slow_body_fails(site: Site) -> None:
    fetcher = SafeFetcher(
        user_agent="PixhoundTest/1.0", allowed=LOOPBACK, connect_timeout=1.0, read_timeout=0.3, max_redirects=3
    )
    try:
        with pytest.raises(FetchFailed):
            await fetcher.fetch(f"{site.base}/slow-body", max_bytes=1000)
    finally:
        await fetcher.close()


async def test_connection_refused_is_a_fetch_failure(fetcher: SafeFetcher) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as server:
        port = server.server_address[1]
    # The port was just released: nothing listens on it.
    with pytest.raises(FetchFailed):
        await fetcher.fetch(f"http://127.0.0.1:{port}/", max_bytes=1000)


async def test_unresolvable_host_is_a_fetch_failure(fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchFailed):
        await fetcher.fetch("http://does-not-exist.invalid/", max_bytes=1000)
