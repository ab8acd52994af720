"""Ingest settings: upload limits and sign-in throttling on top of the shared service settings."""

from PIL import Image
from pydantic import Field

from pixhound_platform.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="Largest accepted upload")
    max_image_pixels: int = Field(
        default=200_000_000,
        gt=0,
        description="Largest accepted image area (decompression-bomb guard); Pillow's limit applies when lower",
    )
    sign_in_free_failures_per_email: int = Field(
        default=5, ge=1, description="Wrong sign-ins in a row for one email before each next one must wait"
    )
    sign_in_free_failures_per_ip: int = Field(
        default=20,
        ge=1,
        description="Wrong sign-ins in a row from one client address (any email) before each next one must wait",
    )

    @property
    def effective_max_image_pixels(self) -> int:
        """The one pixel limit in force: the setting, or Pillow's `MAX_IMAGE_PIXELS` when that is lower."""
        library = Image.MAX_IMAGE_PIXELS
        return self.max_image_pixels if library is None else min(self.max_image_pixels, int(library))
