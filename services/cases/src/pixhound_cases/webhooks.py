"""Signed webhooks that tell partner agencies about new assignments and photographers' decisions.

Each delivery is queued in the database in the same transaction as the change it
reports, then sent by a worker with retries and back-off. The body is JSON; the
`Pixhound-Signature` header is `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
the agency's webhook secret, so the agency can check origin and freshness.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

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
