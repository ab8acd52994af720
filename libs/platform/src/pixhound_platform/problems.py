"""RFC 9457 problem details for every HTTP error a service returns.

Clients, the portal and partner agencies get one error shape everywhere:
`application/problem+json` with type, title, status, detail and, for validation
errors, the offending fields.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pixhound_platform.bus import dependency_unavailable
from pixhound_platform.observability import current_trace_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_OUTAGE_SECONDS = 5
PROBLEM_BASE = "https://pixhound.org/problems/"
log = logging.getLogger(__name__)


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.headers = headers
        self.extra = extra


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "trace_id": current_trace_id(),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def handle_problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(
            request, error.status, error.slug, error.title, error.detail, headers=error.headers, **error.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def handle_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(error.status_code).phrase
        slug = phrase.lower().replace(" ", "-")
        detail = error.detail if isinstance(error.detail, str) else phrase
        return problem_response(request, error.status_code, slug, phrase, detail, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def handle_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": [str(part) for part in item.get("loc", ())],
                "message": item.get("msg", ""),
                "type": item.get("type", ""),
            }
            for item in error.errors()
        ]
        return problem_response(
            request,
            422,
            "validation-error",
            "Invalid request",
            "The request does not match the API schema.",
            errors=errors,
        )

    @app.exception_handler(Exception)
    async def handle_unexpected(request: Request, error: Exception) -> JSONResponse:
        if dependency_unavailable(error):
            log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, error)
            return problem_response(
                request,
                503,
                "dependency-unavailable",
                "Service Unavailable",
                "A service this request needs is unreachable for a moment; nothing was changed. Try again.",
                headers={"Retry-After": str(RETRY_AFTER_OUTAGE_SECONDS)},
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "internal-error", "Internal Server Error", "An unexpected error occurred."
        )
