"""Pure politeness rules: what robots.txt answers mean, how long to wait, when to retry.

The crawler must be a good citizen on every site: it honours robots.txt (RFC 9309) and
its Crawl-delay, waits between two requests to one host, backs off when a server says
it is overloaded (429, 503 with Retry-After), and retries transient failures a bounded
number of times with growing delays. No I/O here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from protego import Protego

MAX_CRAWL_DELAY_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 3600.0
DEFAULT_OVERLOAD_BACKOFF_SECONDS = 60.0
ROBOTS_MAX_AGE_SECONDS = 24 * 3600


class RobotsVerdict(StrEnum):
    PARSE = "parse"
    ALLOW_ALL = "allow_all"
    DISALLOW_ALL = "disallow_all"


def robots_verdict(status: int | None) -> RobotsVerdict:
    """RFC 9309: 2xx is parsed; 4xx means no rules; 5xx or unreachable means stay away for now."""
    if status is None or status >= 500:
        return RobotsVerdict.DISALLOW_ALL
    if 200 <= status < 300:
        return RobotsVerdict.PARSE
    return RobotsVerdict.ALLOW_ALL


class RobotsRules:
    """What one host's robots.txt allows a given user agent to fetch."""

    def __init__(self, verdict: RobotsVerdict, text: str = "") -> None:
        self.verdict = verdict
        self._parser = Protego.parse(text) if verdict == RobotsVerdict.PARSE else None

    def allows(self, url: str, user_agent: str) -> bool:
        if self.verdict == RobotsVerdict.ALLOW_ALL:
            return True
        if self.verdict == RobotsVerdict.DISALLOW_ALL or self._parser is None:
            return False
        return bool(self._parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self._parser is None:
            return None
        delay = self._parser.crawl_delay(user_agent)
        return min(float(delay), MAX_CRAWL_DELAY_SECONDS) if delay else None

    def sitemaps(self) -> list[str]:
        return list(self._parser.sitemaps) if self._parser is not None else []


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match against, e.g. `PixhoundBot` in `PixhoundBot/0.1 (+url)`."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0]


def host_delay(configured: float, crawl_delay: float | None) -> float:
    return max(configured, crawl_delay or 0.0)


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), bounded; a default when absent."""
    if not header:
        return DEFAULT_OVERLOAD_BACKOFF_SECONDS
    value = header.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_OVERLOAD_BACKOFF_SECONDS
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    wait = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(max(wait, 0.0), MAX_RETRY_AFTER_SECONDS)


def retry_delay(attempt: int, base: float = 2.0, cap: float = 900.0) -> float:
    """Exponential back-off for transient failures: base, 2*base, 4*base… capped."""
    return min(base * 2 ** max(attempt - 1, 0), cap)
