"""Partner API keys and per-key rate limits.

A key is shown once, when it is created: `phk_<prefix>.<secret>`. Only the prefix (to
find the key) and a SHA-256 of the high-entropy secret are stored; checking compares in
constant time. Keys carry scopes, can be rotated (the old one keeps working for a grace
period) and revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum


class Scope(StrEnum):
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    EVIDENCE_READ = "evidence:read"
    KEYS_ROTATE = "keys:rotate"


ALL_SCOPES = [scope.value for scope in Scope]
KEY_PREFIX = "phk_"


@dataclass(frozen=True)
class NewKey:
    prefix: str
    token: str
    secret_hash: bytes


def generate_key() -> NewKey:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(prefix=prefix, token=f"{KEY_PREFIX}{prefix}.{secret}", secret_hash=hash_secret(secret))


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def split_token(token: str) -> tuple[str, str] | None:
    if not token.startswith(KEY_PREFIX) or "." not in token:
        return None
    prefix, _, secret = token[len(KEY_PREFIX) :].partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


def secret_matches(secret: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


@dataclass
class TokenBucket:
    rate_per_minute: int
    tokens: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        capacity = float(self.rate_per_minute)
        level, stamp = self.tokens.get(key, (capacity, now))
        level = min(capacity, level + (now - stamp) * capacity / 60.0)
        if level >= 1.0:
            self.tokens[key] = (level - 1.0, now)
            return 0.0
        self.tokens[key] = (level, now)
        return (1.0 - level) * 60.0 / capacity
