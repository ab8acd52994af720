"""Logs, metrics and trace ids that let an operator follow one photo through every service.

Logs are JSON lines carrying the service name and the current trace id; the trace id
travels in each event envelope and is restored by the consumer, so a grep for it shows
the whole journey. Metrics use the Prometheus client's default registry.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
import uuid

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Receive, Scope, Send

_trace_id: contextvars.ContextVar[str] = contextvars.ContextVar("pixhound_trace_id", default="")
TRACE_HEADER = "x-trace-id"

HTTP_REQUESTS = Counter(
    "pixhound_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram("pixhound_http_request_seconds", "HTTP request latency", ["service", "method", "route"])
EVENTS_PUBLISHED = Counter("pixhound_events_published_total", "Events published", ["service", "topic"])
EVENTS_CONSUMED = Counter(
    "pixhound_events_consumed_total", "Events handled by consumers", ["service", "topic", "outcome"]
)
EVENTS_DEAD_LETTERED = Counter(
    "pixhound_events_dead_lettered_total", "Messages copied to a dead-letter topic", ["topic"]
)
CONSUMER_OUTAGE_RETRIES = Counter(
    "pixhound_consumer_outage_retries_total", "Handler retries while a dependency was down", ["topic"]
)
OUTBOX_BACKLOG = Histogram(
    "pixhound_outbox_batch_size", "Outbox rows relayed per batch", ["service"], buckets=(0, 1, 5, 20, 100)
)


def current_trace_id() -> str:
    return _trace_id.get()


def new_trace_id() -> str:
    return uuid.uuid4().hex


def bind_trace_id(trace_id: str) -> contextvars.Token[str]:
    return _trace_id.set(trace_id)


def reset_trace_id(token: contextvars.Token[str]) -> None:
    _trace_id.reset(token)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = getattr(record, "service", self.service)
        record.trace_id = current_trace_id()
        return True


def configure_logging(service: str, level: str = "INFO", json_output: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_output:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(service)s %(trace_id)s] %(message)s"))
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "urllib3", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class RequestObservabilityMiddleware:
    """Counts and times requests, and binds a trace id (from `X-Trace-Id` or a new one)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(TRACE_HEADER.encode(), b"").decode("latin-1")
        trace_id = incoming if incoming and len(incoming) <= 64 else new_trace_id()
        token = bind_trace_id(trace_id)
        status_holder = {"status": 500}
        started = time.perf_counter()

        async def send_with_trace(message: dict) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (TRACE_HEADER.encode(), trace_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
            HTTP_REQUESTS.labels(self.service, scope["method"], route_path, str(status_holder["status"])).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], route_path).observe(time.perf_counter() - started)
            reset_trace_id(token)
