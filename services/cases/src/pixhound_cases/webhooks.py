"""Signed webhooks that tell partner agencies about new assignments and photographers' decisions.

Each delivery is queued in the database in the same transaction as the change it
reports, then sent by a worker with retries and back-off. The body is JSON; the
`Pixhound-Signature` header is `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
the agency's webhook secret, so the agency can check origin and freshness.

A webhook URL is checked against the platform's network guard before each delivery (it
is resolved then, so a name that moves to a private address is caught): loopback,
private, link-local and cloud-metadata targets, also hidden in IPv6 forms, are refused
unless `webhook_allowed_networks` names them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from pixhound_platform.network import IpNetwork, RefusedAddress, resolve_checked

SIGNATURE_HEADER = "Pixhound-Signature"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(body: bytes, header: str, secret: str, *, tolerance_seconds: int = 300, now: int | None = None) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        stamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - stamp) > tolerance_seconds:
        return False
    expected = sign(body, secret, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


async def check_target(url: str, allowed: list[IpNetwork]) -> None:
    """Refuse a URL the network guard does not let through; the reason becomes the delivery's error."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedAddress(f"webhook URL is not valid: {error}") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("webhook URL must be http(s) with a host")
    await resolve_checked(parts.hostname, port, allowed)
