"""Crawler settings: limits, politeness and the networks it may reach."""

from pydantic import Field

from pixhound_platform.settings import ServiceSettings


class CrawlerSettings(ServiceSettings):
    service_name: str = "crawler"
    user_agent: str = Field(
        default="PixhoundBot/0.1 (+https://pixhound.org/bot)",
        description="User-Agent header naming the project and a contact URL",
    )
    allowed_networks: str = Field(
        default="", description="CIDRs the crawler may reach although they are not public (tests and demos only)"
    )
    connect_timeout_seconds: float = Field(default=5.0, gt=0, description="TCP/TLS connect timeout")
    read_timeout_seconds: float = Field(default=15.0, gt=0, description="Read timeout")
    max_page_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="Largest page body fetched")
    max_image_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="Largest image body fetched")
    max_image_pixels: int = Field(default=100_000_000, gt=0, description="Largest image area kept")
    max_redirects: int = Field(default=5, ge=0, description="Redirects followed (each hop checked)")
    host_delay_seconds: float = Field(default=1.0, ge=0, description="Minimum delay between two requests to one host")
    concurrency: int = Field(default=64, ge=1, description="Crawl lanes: leases worked on at once across hosts")
    poll_seconds: float = Field(default=0.5, gt=0, description="Frontier poll interval when idle")
    lease_seconds: float = Field(default=120.0, gt=0, description="How long a leased frontier URL stays reserved")
    max_connections_per_host: int = Field(default=1, ge=1, le=4, description="Requests in flight to one host at once")
    max_attempts: int = Field(default=3, ge=1, description="Tries of a URL before it is marked failed")
    retry_base_seconds: float = Field(default=2.0, ge=0, description="First retry delay after a transient failure")
    identity_pages: int = Field(default=3, ge=0, le=10, description="Legal-notice/contact pages fetched per site")
    recheck_days: float = Field(
        default=7.0, gt=0, description="Interval between checks that a matched copy is still up"
    )
    resolve_overrides: str = Field(
        default="",
        description="host-suffix=IP pairs that bypass DNS (benchmarks and tests only), e.g. bench.test=127.0.0.1",
    )


def parse_overrides(spec: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in spec.split(",") if "=" in part)
    return {suffix.strip(): address.strip() for suffix, address in pairs}
