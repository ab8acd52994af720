"""The services' public HTTP APIs as the portal calls them, with the photographer's token.

Every call names what it asks for, so the pages read like the journey they serve; every
error comes back as a `BackendError` carrying the service's RFC 9457 problem, and a 401
as `SignedOut`, which sends the browser to the sign-in page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from pixhound_platform.observability import TRACE_HEADER, current_trace_id
from pixhound_portal.settings import PortalSettings

SERVICES = ("ingest", "crawler", "cases", "notifier")


@dataclass
class BackendError(Exception):
    status: int
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return str(self.problem.get("type", "")).rsplit("/", 1)[-1]

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("title") or "")

    def __str__(self) -> str:
        return f"{self.status} {self.slug}: {self.detail}"


class SignedOut(BackendError):
    """The token is missing, expired or its session was revoked."""


@dataclass
class Binary:
    content: bytes
    media_type: str
    headers: dict[str, str]
    status: int = 200


def _clean(params: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in (params or {}).items():
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, item) for item in value)
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, value))
    return pairs


class Backend:
    """One HTTP client per service, built in the portal's lifespan."""

    def __init__(self, settings: PortalSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._clients = {
            name: httpx.AsyncClient(
                base_url=getattr(settings, f"{name}_url").rstrip("/"),
                timeout=settings.backend_timeout_seconds,
                transport=transport,
                limits=limits,
            )
            for name in SERVICES
        }

    async def close(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))

    async def _send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        sent = {TRACE_HEADER: current_trace_id()}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        response = await self._clients[service].request(
            method, path, params=_clean(params), json=json, files=files, data=data, headers=sent
        )
        if response.status_code == 401:
            raise SignedOut(401, _problem(response))
        if response.status_code >= 400:
            raise BackendError(response.status_code, _problem(response))
        return response

    async def _json(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(service, method, path, **kwargs)
        return response.json() if response.content else None

    async def _binary(self, service: str, path: str, *, token: str, params=None, headers=None) -> Binary:
        response = await self._send(service, "GET", path, token=token, params=params, headers=headers)
        kept = {
            name: response.headers[name]
            for name in ("cache-control", "etag", "content-disposition", "last-modified")
            if name in response.headers
        }
        return Binary(
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
            kept,
            response.status_code,
        )

    # Accounts (ingest)
    async def sign_up(self, email: str, display_name: str, password: str, locale: str) -> dict:
        body = {"email": email, "display_name": display_name, "password": password, "locale": locale}
        return await self._json("ingest", "POST", "/v1/accounts", json=body)

    async def sign_in(self, email: str, password: str) -> dict:
        return await self._json("ingest", "POST", "/v1/sessions", json={"email": email, "password": password})

    async def sign_out(self, token: str) -> None:
        await self._send("ingest", "DELETE", "/v1/sessions/current", token=token)

    async def me(self, token: str) -> dict:
        return await self._json("ingest", "GET", "/v1/me", token=token)

    async def update_me(self, token: str, **changes: Any) -> dict:
        return await self._json("ingest", "PATCH", "/v1/me", token=token, json=changes)

    async def change_password(self, token: str, current: str, new: str) -> dict:
        body = {"current_password": current, "new_password": new}
        return await self._json("ingest", "POST", "/v1/me/password", token=token, json=body)

    # Photos (ingest)
    async def upload_photo(self, token: str, filename: str, content: bytes, media_type: str) -> httpx.Response:
        return await self._send(
            "ingest", "POST", "/v1/photos", token=token, files={"file": (filename, content, media_type)}
        )

    async def photos(self, token: str, *, q: str = "", limit: int, offset: int) -> dict:
        return await self._json(
            "ingest", "GET", "/v1/photos", token=token, params={"q": q, "limit": limit, "offset": offset}
        )

    async def photo(self, token: str, photo_id: str) -> dict:
        return await self._json("ingest", "GET", f"/v1/photos/{photo_id}", token=token)

    async def update_photo(self, token: str, photo_id: str, changes: dict[str, str]) -> dict:
        return await self._json("ingest", "PATCH", f"/v1/photos/{photo_id}", token=token, json=changes)

    async def photo_image(self, token: str, photo_id: str, size: str, etag: str | None) -> Binary:
        headers = {"If-None-Match": etag} if etag else None
        return await self._binary(
            "ingest", f"/v1/photos/{photo_id}/image", token=token, params={"size": size}, headers=headers
        )

    # Crawls (crawler)
    async def start_crawl(self, token: str, seeds: list[str], max_pages: int, max_depth: int) -> dict:
        body = {"seeds": seeds, "max_pages": max_pages, "max_depth": max_depth}
        return await self._json("crawler", "POST", "/v1/crawls", token=token, json=body)

    async def crawl(self, token: str, crawl_id: str) -> dict:
        return await self._json("crawler", "GET", f"/v1/crawls/{crawl_id}", token=token)

    async def not_fetched(self, token: str, crawl_id: str) -> list[dict]:
        answer = await self._json("crawler", "GET", f"/v1/crawls/{crawl_id}/not-fetched", token=token)
        return answer["items"]

    # Cases
    async def cases(self, token: str, **filters: Any) -> dict:
        return await self._json("cases", "GET", "/v1/cases", token=token, params=filters)

    async def case_facets(self, token: str) -> dict:
        return await self._json("cases", "GET", "/v1/cases/facets", token=token)

    async def case(self, token: str, case_id: str) -> dict:
        return await self._json("cases", "GET", f"/v1/cases/{case_id}", token=token)

    async def case_action(self, token: str, case_id: str, action: str, body: dict | None = None) -> dict:
        return await self._json("cases", "POST", f"/v1/cases/{case_id}/{action}", token=token, json=body or {})

    async def bulk_review(self, token: str, case_ids: Iterable[str], action: str) -> list[dict]:
        body = {"case_ids": list(case_ids), "action": action}
        return await self._json("cases", "POST", "/v1/cases/bulk", token=token, json=body)

    async def set_pricing(self, token: str, case_id: str, body: dict) -> dict:
        return await self._json("cases", "PUT", f"/v1/cases/{case_id}/pricing", token=token, json=body)

    async def pricing_suggestion(self, token: str, **params: Any) -> dict:
        return await self._json("cases", "GET", "/v1/pricing/suggestion", token=token, params=params)

    async def recovery_options(self, token: str, case_id: str) -> dict:
        return await self._json("cases", "GET", f"/v1/cases/{case_id}/recovery-options", token=token)

    async def offers(self, token: str, case_id: str) -> list[dict]:
        return await self._json("cases", "GET", f"/v1/cases/{case_id}/offers", token=token)

    async def decide_offer(self, token: str, case_id: str, offer_id: str, accept: bool) -> dict:
        path = f"/v1/cases/{case_id}/offers/{offer_id}/decision"
        return await self._json("cases", "POST", path, token=token, json={"accept": accept})

    async def payments(self, token: str, case_id: str) -> list[dict]:
        return await self._json("cases", "GET", f"/v1/cases/{case_id}/payments", token=token)

    async def photo_stats(self, token: str, photo_ids: list[str]) -> dict:
        if not photo_ids:
            return {"items": []}
        return await self._json("cases", "GET", "/v1/photo-stats", token=token, params={"photo_id": photo_ids})

    async def copy_image(self, token: str, case_id: str) -> Binary:
        return await self._binary("cases", f"/v1/cases/{case_id}/copy-image", token=token)

    async def evidence_archive(self, token: str, case_id: str) -> Binary:
        return await self._binary("cases", f"/v1/cases/{case_id}/evidence/archive", token=token)

    async def document(self, token: str, case_id: str, kind: str, locale: str) -> Binary:
        return await self._binary(
            "cases", f"/v1/cases/{case_id}/documents/{kind}", token=token, params={"locale": locale}
        )

    async def profile(self, token: str) -> dict | None:
        try:
            return await self._json("cases", "GET", "/v1/profile", token=token)
        except BackendError as error:
            if error.status == 404:
                return None
            raise

    async def save_profile(self, token: str, body: dict) -> dict:
        return await self._json("cases", "PUT", "/v1/profile", token=token, json=body)

    async def money(self, token: str) -> dict:
        return await self._json("cases", "GET", "/v1/money", token=token)

    async def money_csv(self, token: str) -> Binary:
        return await self._binary("cases", "/v1/money.csv", token=token)

    # Notifications (notifier)
    async def notifications(self, token: str, *, limit: int, offset: int) -> dict:
        params = {"limit": limit, "offset": offset}
        return await self._json("notifier", "GET", "/v1/notifications", token=token, params=params)

    async def unread_count(self, token: str) -> int:
        return int((await self._json("notifier", "GET", "/v1/notifications/unread-count", token=token))["unread"])

    async def mark_read(self, token: str, notification_id: str) -> None:
        await self._send("notifier", "POST", f"/v1/notifications/{notification_id}/read", token=token)

    async def mark_all_read(self, token: str) -> None:
        await self._send("notifier", "POST", "/v1/notifications/read-all", token=token)

    async def preferences(self, token: str) -> dict:
        return await self._json("notifier", "GET", "/v1/preferences", token=token)

    async def save_preferences(self, token: str, body: dict) -> dict:
        return await self._json("notifier", "PUT", "/v1/preferences", token=token, json=body)


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"status": response.status_code, "detail": response.text[:500]}
    return body if isinstance(body, dict) else {"status": response.status_code, "detail": str(body)[:500]}
