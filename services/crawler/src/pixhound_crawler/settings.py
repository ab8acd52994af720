"""Crawler settings: limits, politeness and the networks it may reach."""

from pydantic import Field

from pixhound_platform.settings import ServiceSettings


class CrawlerSettings(ServiceSettings):
    service_name: str = "crawler"
    user_agent: str = "PixhoundBot/0.1 (+https://pixhound.org/bot)"
    allowed_networks: str = Field(
        default="", description="CIDRs the crawler may reach although they are not public (tests and demos only)"
    )
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    read_timeout_seconds: float = Field(default=15.0, gt=0)
    max_page_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_image_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(default=100_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    host_delay_seconds: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=4, ge=1)
    poll_seconds: float = Field(default=0.5, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
