"""Politeness rules: robots.txt per RFC 9309, Crawl-delay, Retry-After and retry back-off."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from pixhound_crawler.politeness import (
    DEFAULT_OVERLOAD_BACKOFF_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    RobotsRules,
    RobotsVerdict,
    host_delay,
    retry_after_seconds,
    retry_delay,
    robots_verdict,
    user_agent_token,
)

ROBOTS = """
User-agent: *
Disallow: /private/
Crawl-delay: 2

User-agent: PixhoundBot
Disallow: /no-pixhound/
Crawl-delay: 5
Sitemap: https://shop.example/sitemap.xml
"""


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, RobotsVerdict.PARSE),
        (404, RobotsVerdict.ALLOW_ALL),
        (403, RobotsVerdict.ALLOW_ALL),
        (500, RobotsVerdict.DISALLOW_ALL),
        (503, RobotsVerdict.DISALLOW_ALL),
        (None, RobotsVerdict.DISALLOW_ALL),
    ],
)
def test_robots_status_codes_follow_rfc_9309(status, verdict):
    assert robots_verdict(status) == verdict


def test_robots_rules_for_our_user_agent():
    rules = RobotsRules(RobotsVerdict.PARSE, ROBOTS)
    agent = user_agent_token("PixhoundBot/0.1 (+https://pixhound.org/bot)")
    assert agent == "PixhoundBot"
    assert rules.allows("https://shop.example/products/1", agent)
    assert not rules.allows("https://shop.example/no-pixhound/x", agent)
    assert rules.crawl_delay(agent) == 5.0
    assert rules.sitemaps() == ["https://shop.example/sitemap.xml"]
    assert not RobotsRules(RobotsVerdict.DISALLOW_ALL).allows("https://shop.example/", agent)
    assert RobotsRules(RobotsVerdict.ALLOW_ALL).allows("https://shop.example/private/", agent)


def test_host_delay_takes_the_larger_of_ours_and_the_sites():
    assert host_delay(1.0, None) == 1.0
    assert host_delay(1.0, 5.0) == 5.0
    assert host_delay(2.0, 0.5) == 2.0


def test_retry_after_accepts_seconds_and_dates_and_is_bounded():
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0
    assert retry_after_seconds("999999", now) == MAX_RETRY_AFTER_SECONDS
    assert retry_after_seconds("soon", now) == DEFAULT_OVERLOAD_BACKOFF_SECONDS
    assert retry_after_seconds(None, now) == DEFAULT_OVERLOAD_BACKOFF_SECONDS


def test_retry_delay_grows_and_is_capped():
    assert [retry_delay(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert retry_delay(30, 2.0, cap=60) == 60
