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
    concurrency: int = Field(default=4, ge=1, description="Pages fetched at once across hosts")
    poll_seconds: float = Field(default=0.5, gt=0, description="Frontier poll interval when idle")
    lease_seconds: float = Field(default=120.0, gt=0, description="How long a leased frontier URL stays reserved")
