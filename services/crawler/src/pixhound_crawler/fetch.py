"""Safe HTTP fetching: every hop is resolved, checked and then connected to by address.

The crawler is the one part of Pixhound that talks to the open internet, so it must not
be turned against our own network. Each URL's host is resolved, every address is
checked (loopback, private, link-local, multicast, unspecified, metadata refused unless
allow-listed), and the request goes to the checked address itself (with the original
Host header and TLS server name), so a DNS answer cannot change between check and use.
Redirects are followed by hand, each hop checked again. Bodies are capped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from pixhound_crawler.domain import IpNetwork, RefusedAddress, check_address, normalise_url

log = logging.getLogger(__name__)


class FetchFailed(Exception):
    pass


class TooLarge(FetchFailed):
    pass


@dataclass(frozen=True)
class FetchResult:
    requested_url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    server_ip: str
    request_headers: httpx.Headers
    reason: str = ""


class SafeFetcher:
    def __init__(
        self,
        *,
        user_agent: str,
        allowed: list[IpNetwork],
        connect_timeout: float,
        read_timeout: float,
        max_redirects: int,
        resolve_overrides: dict[str, str] | None = None,
        max_connections: int = 100,
    ) -> None:
        self.allowed = allowed
        self.max_redirects = max_redirects
        self.resolve_overrides = {
            suffix.lower().lstrip("."): address for suffix, address in (resolve_overrides or {}).items()
        }
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def resolve(self, host: str, port: int) -> str:
        override = next(
            (
                address
                for suffix, address in self.resolve_overrides.items()
                if host == suffix or host.endswith("." + suffix)
            ),
            None,
        )
        if override is not None:
            check_address(ipaddress.ip_address(override), self.allowed)
            return override
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
            addresses = [literal]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as error:
                raise FetchFailed(f"cannot resolve {host}: {error}") from error
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not addresses:
            raise FetchFailed(f"{host} has no address")
        for address in addresses:
            check_address(address, self.allowed)
        return str(addresses[0])

    async def fetch(
        self, url: str, *, max_bytes: int, accept: str = "*/*", headers: dict[str, str] | None = None
    ) -> FetchResult:
        current = url
        for _hop in range(self.max_redirects + 1):
            parts = urlsplit(current)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            host = parts.hostname or ""
            try:
                address = await self.resolve(host, port)
            except RefusedAddress as error:
                log.warning("refused to fetch %s: %s", current, error)
                raise
            pinned_host = f"[{address}]" if ":" in address else address
            pinned_url = urlunsplit((parts.scheme, f"{pinned_host}:{port}", parts.path or "/", parts.query, ""))
            request = self.client.build_request(
                "GET",
                pinned_url,
                headers={**(headers or {}), "Host": parts.netloc, "Accept": accept},
                extensions={"sni_hostname": host} if parts.scheme == "https" else {},
            )
            try:
                response = await self.client.send(request, stream=True)
            except httpx.HTTPError as error:
                raise FetchFailed(f"{type(error).__name__} fetching {current}: {error}") from error
            try:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    target = normalise_url(urljoin(current, location))
                    if not target:
                        raise FetchFailed(f"redirect from {current} to unusable location {location!r}")
                    current = target
                    continue
                body = await self._read_capped(response, max_bytes, current)
                return FetchResult(
                    requested_url=url,
                    final_url=current,
                    status=response.status_code,
                    headers=response.headers,
                    body=body,
                    server_ip=address,
                    request_headers=request.headers,
                    reason=response.reason_phrase,
                )
            finally:
                await response.aclose()
        raise FetchFailed(f"more than {self.max_redirects} redirects from {url}")

    @staticmethod
    async def _read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(f"{url} declares {declared} bytes, over the limit of {max_bytes}")
        chunks: list[bytes] = []
        received = 0
        try:
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise TooLarge(f"{url} sent more than {max_bytes} bytes")
                chunks.append(chunk)
        except httpx.HTTPError as error:
            raise FetchFailed(f"{type(error).__name__} reading {url}: {error}") from error
        return b"".join(chunks)
