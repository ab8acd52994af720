"""Matcher settings: decision thresholds and this replica's shard."""

from pydantic import Field

from pixhound_platform.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    service_name: str = "matcher"
    phash_max_distance: int = Field(
        default=10, ge=0, le=64, description="Largest pHash Hamming distance (of 64 bits) that counts as a copy"
    )
    max_image_pixels: int = Field(default=100_000_000, gt=0, description="Largest image area the matcher decodes")
    matcher_shard: int = Field(default=0, ge=0, description="This replica's shard of the reference photos")
    matcher_shard_count: int = Field(default=1, ge=1, description="Number of reference shards")
