"""Reverse-image-search providers: ask a search engine where a registered photo already appears.

Crawling finds copies only on sites we already know about; a reverse-image-search index
covers much of the web, so asking it with the photographer's image yields candidate pages
to fetch and verify. Providers differ in transport and schema, so the crawler depends on
the small `ReverseImageSearch` protocol and each provider gets one adapter that maps its
published response format onto `ReverseMatch` and its failures onto `ReverseSearchError`.

The Google Cloud Vision adapter follows the REST reference for `v1/images:annotate`
(`BatchAnnotateImagesRequest` / `BatchAnnotateImagesResponse`, feature `WEB_DETECTION`):
request `{"requests": [{"image": {"content": <base64>}, "features": [{"type": "WEB_DETECTION",
"maxResults": N}]}]}`; response `responses[0].webDetection` with `pagesWithMatchingImages[]`
(`url`, `pageTitle`, `score`, `fullMatchingImages[]`, `partialMatchingImages[]`), top-level
`fullMatchingImages[]`, `partialMatchingImages[]`, `visuallySimilarImages[]` (`WebImage`: `url`,
`score`), a per-image `responses[0].error` (`google.rpc.Status`: `code`, `message`) and, for
failed calls, the HTTP error body `{"error": {"code", "message", "status", "details"}}`.
The API key travels in the `X-Goog-Api-Key` header rather than the `key` query parameter so
it never appears in URLs, and therefore never in httpx's request logs or exception texts.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
from selectolax.lexbor import LexborHTMLParser

from pixhound_crawler.domain import normalise_url

log = logging.getLogger(__name__)

MatchKind = Literal["full", "partial", "similar", "page"]
GOOGLE_VISION_ENDPOINT = "https://vision.googleapis.com"
VISION_JSON_LIMIT = 10 * 1024 * 1024
QUOTA_STATUSES = {"RESOURCE_EXHAUSTED"}
AUTH_STATUSES = {"UNAUTHENTICATED", "PERMISSION_DENIED"}
AUTH_REASONS = {"API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED", "ACCESS_TOKEN_EXPIRED", "SERVICE_DISABLED"}
RETRYABLE_STATUSES = {"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"}
RPC_CODE_NAMES = {
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    16: "UNAUTHENTICATED",
}


@dataclass(frozen=True)
class ReverseMatch:
    page_url: str | None
    image_url: str | None
    title: str | None
    score: float | None
    provider: str
    match: MatchKind


class ReverseSearchError(Exception):
    """A provider call that produced no results; `status` is the provider's error status name."""

    def __init__(self, provider: str, message: str, *, http_status: int | None = None, status: str | None = None):
        super().__init__(f"{provider}: {message}" + (f" ({status})" if status else ""))
        self.provider = provider
        self.http_status = http_status
        self.status = status

    @property
    def retryable(self) -> bool:
        return False


class ReverseSearchQuotaExceeded(ReverseSearchError):
    @property
    def retryable(self) -> bool:
        return True


class ReverseSearchAuthError(ReverseSearchError):
    pass


class ReverseSearchUnavailable(ReverseSearchError):
    @property
    def retryable(self) -> bool:
        return True


class ReverseImageSearch(Protocol):
    provider: str

    async def search(self, image: bytes, *, max_results: int) -> list[ReverseMatch]: ...


def _plain_title(title: Any) -> str | None:
    if not isinstance(title, str) or not title.strip():
        return None
    text = LexborHTMLParser(title).text(separator="")
    return " ".join(text.split()) or None


def _score(node: dict[str, Any]) -> float | None:
    value = node.get("score")
    return float(value) if isinstance(value, int | float) else None


def _image_urls(node: Any, field: str) -> list[tuple[str, float | None]]:
    found: list[tuple[str, float | None]] = []
    images = node.get(field) if isinstance(node, dict) else None
    for image in images if isinstance(images, list) else []:
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            url = normalise_url(image["url"])
            if url:
                found.append((url, _score(image)))
    return found


class GoogleVisionWebDetection:
    """Cloud Vision `images:annotate` with `WEB_DETECTION`, authenticated by API key or OAuth access token."""

    provider = "google-vision"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        quota_project: str | None = None,
        endpoint: str = GOOGLE_VISION_ENDPOINT,
        timeout: float = 30.0,
        include_similar: bool = False,
    ) -> None:
        if bool(api_key) == bool(access_token):
            raise ValueError("give exactly one of api_key or access_token")
        self._secret = api_key or access_token or ""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            headers["X-Goog-Api-Key"] = api_key
        else:
            headers["Authorization"] = f"Bearer {access_token}"
            if quota_project:
                headers["X-Goog-User-Project"] = quota_project
        self.url = endpoint.rstrip("/") + "/v1/images:annotate"
        self.include_similar = include_similar
        self._client = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(timeout), trust_env=False)

    def __repr__(self) -> str:
        return f"GoogleVisionWebDetection(url={self.url!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> GoogleVisionWebDetection:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def _error(
        self,
        message: str,
        *,
        http_status: int | None = None,
        status: str | None = None,
        reasons: Iterable[object] = (),
    ) -> ReverseSearchError:
        message = message.replace(self._secret, "[redacted]") if self._secret else message
        kind: type[ReverseSearchError] = ReverseSearchError
        if status in QUOTA_STATUSES or http_status == 429:
            kind = ReverseSearchQuotaExceeded
        elif status in AUTH_STATUSES or http_status in {401, 403} or AUTH_REASONS.intersection(reasons):
            kind = ReverseSearchAuthError
        elif status in RETRYABLE_STATUSES or (http_status or 0) >= 500:
            kind = ReverseSearchUnavailable
        return kind(self.provider, message, http_status=http_status, status=status)

    async def search(self, image: bytes, *, max_results: int) -> list[ReverseMatch]:
        if max_results < 1:
            raise ValueError("max_results must be at least 1")
        content = base64.b64encode(image).decode("ascii")
        body = json.dumps(
            {
                "requests": [
                    {"image": {"content": content}, "features": [{"type": "WEB_DETECTION", "maxResults": max_results}]}
                ]
            }
        ).encode()
        if len(body) > VISION_JSON_LIMIT:
            raise ReverseSearchError(self.provider, f"request of {len(body)} bytes is over the 10 MB JSON limit")
        try:
            response = await self._client.post(self.url, content=body)
        except httpx.TimeoutException as error:
            raise self._error(f"timed out: {type(error).__name__}", status="DEADLINE_EXCEEDED") from None
        except httpx.HTTPError as error:
            raise self._error(f"transport failure: {type(error).__name__}: {error}", status="UNAVAILABLE") from None
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.status_code >= 400:
            error = document.get("error") if isinstance(document, dict) else None
            if isinstance(error, dict):
                reasons = [d.get("reason") for d in error.get("details") or [] if isinstance(d, dict)]
                raise self._error(
                    str(error.get("message") or "request failed"),
                    http_status=response.status_code,
                    status=error.get("status") if isinstance(error.get("status"), str) else None,
                    reasons=reasons,
                )
            raise self._error(f"HTTP {response.status_code}", http_status=response.status_code)
        responses = document.get("responses") if isinstance(document, dict) else None
        if not isinstance(responses, list) or not responses or not isinstance(responses[0], dict):
            raise self._error("response has no responses[0]", http_status=response.status_code)
        annotation = responses[0]
        error = annotation.get("error")
        if isinstance(error, dict) and error.get("code"):
            code = error.get("code")
            raise self._error(
                str(error.get("message") or "image annotation failed"),
                http_status=response.status_code,
                status=RPC_CODE_NAMES.get(code, str(code)) if isinstance(code, int) else str(code),
            )
        matches = self._matches(annotation.get("webDetection") or {}, max_results)
        log.debug("%s found %d matches", self.provider, len(matches))
        return matches

    def _matches(self, detection: dict[str, Any], max_results: int) -> list[ReverseMatch]:
        matches: list[ReverseMatch] = []
        seen_images: set[str] = set()

        def add(page: str | None, image: str | None, title: str | None, score: float | None, kind: MatchKind) -> None:
            matches.append(ReverseMatch(page, image, title, score, self.provider, kind))
            if image:
                seen_images.add(image)

        for page in detection.get("pagesWithMatchingImages") or []:
            page_url = normalise_url(page.get("url") or "") if isinstance(page, dict) else None
            if not page_url:
                continue
            title, page_score = _plain_title(page.get("pageTitle")), _score(page)
            full, partial = _image_urls(page, "fullMatchingImages"), _image_urls(page, "partialMatchingImages")
            for url, score in full:
                add(page_url, url, title, score if score is not None else page_score, "full")
            for url, score in partial:
                add(page_url, url, title, score if score is not None else page_score, "partial")
            if not full and not partial:
                add(page_url, None, title, page_score, "page")
        for field, kind in (("fullMatchingImages", "full"), ("partialMatchingImages", "partial")):
            for url, score in _image_urls(detection, field):
                if url not in seen_images:
                    add(None, url, None, score, kind)  # type: ignore[arg-type]
        if self.include_similar:
            for url, score in _image_urls(detection, "visuallySimilarImages"):
                if url not in seen_images:
                    add(None, url, None, score, "similar")
        return matches[:max_results]
