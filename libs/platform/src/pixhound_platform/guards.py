"""Refuse what no handler should ever read: oversized bodies and text no database can store.

Bodies are capped while they stream in, before more is buffered: a JSON body past
`max_json_body_bytes` and any body past `max_request_body_bytes` (uploads keep their own,
lower limits in their handlers) are answered 413. A `Content-Length` over the cap is
refused before a byte is read.

PostgreSQL cannot store the NUL character in text; rather than letting such a request
fail deep inside a query with a 500, every service answers it with a 422 problem. The
check covers the path, the query string and JSON bodies (uploads are binary and pass).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixhound_platform.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE

NUL_MARKERS = (b"\\u0000", b"\x00")
DEFAULT_MAX_JSON_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024


class RejectNulCharacters:
    def __init__(
        self, app: ASGIApp, *, max_json_body_bytes: int | None = None, max_request_body_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_json_body_bytes = max_json_body_bytes
        self.max_request_body_bytes = max_request_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (
            "\x00" in scope.get("path", "")
            or b"%00" in scope.get("query_string", b"")
            or b"\x00" in scope.get("query_string", b"")
        ):
            await self._refuse(scope, send)
            return
        headers = dict(scope.get("headers") or [])
        is_json = b"json" in headers.get(b"content-type", b"")
        limit = self._limits(scope)[0 if is_json else 1]
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, send, limit)
            return
        if not is_json:
            await self.app(scope, _capped(receive, limit), send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if any(marker in body for marker in NUL_MARKERS):
            await self._refuse(scope, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)

    def _limits(self, scope: Scope) -> tuple[int, int]:
        runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
        settings = getattr(runtime, "settings", None)
        json_limit = self.max_json_body_bytes or getattr(settings, "max_json_body_bytes", DEFAULT_MAX_JSON_BODY_BYTES)
        body_limit = self.max_request_body_bytes or getattr(
            settings, "max_request_body_bytes", DEFAULT_MAX_REQUEST_BODY_BYTES
        )
        return json_limit, body_limit

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        await _send_problem(
            scope,
            send,
            422,
            "nul-character",
            "Invalid request",
            "The request contains a NUL character, which no field accepts.",
        )

    @staticmethod
    async def _too_large(scope: Scope, send: Send, limit: int) -> None:
        await _send_problem(
            scope,
            send,
            413,
            "body-too-large",
            "Content Too Large",
            f"The request body exceeds the limit of {limit} bytes.",
        )


async def _send_problem(scope: Scope, send: Send, status: int, slug: str, title: str, detail: str) -> None:
    content = json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


def _capped(receive: Receive, limit: int) -> Receive:
    """Count a streamed body as the handler reads it; past the limit the read fails with a 413."""
    size = 0

    async def capped() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise HTTPException(413, f"The request body exceeds the limit of {limit} bytes.")
        return message

    return capped


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
