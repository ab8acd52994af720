"""Ingest settings: upload limits on top of the shared service settings."""

from pydantic import Field

from pixhound_platform.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="Largest accepted upload")
    max_image_pixels: int = Field(
        default=200_000_000, gt=0, description="Largest accepted image area (decompression-bomb guard)"
    )
