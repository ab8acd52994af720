"""Matcher settings: the signals and their thresholds, the CLIP model, snapshots, and this replica's shard."""

from PIL import Image
from pydantic import Field

from pixhound_matcher.engine import MatcherConfig
from pixhound_platform.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    service_name: str = "matcher"
    max_image_pixels: int = Field(
        default=100_000_000,
        gt=0,
        description="Largest image area the matcher decodes; Pillow's decompression-bomb limit applies when lower",
    )
    max_concurrent_searches: int = Field(
        default=2, ge=1, description="Uploaded images `/v1/search` decodes and fingerprints at once in one process"
    )
    reference_side: int = Field(default=640, ge=64, description="Longest side reference photos are decoded at")
    query_side: int = Field(default=1024, ge=64, description="Longest side discovered images are decoded at")
    reference_features: int = Field(default=384, ge=16, description="Keypoints kept per reference photo")
    query_features: int = Field(default=1000, ge=16, description="Keypoints extracted per discovered image")
    pdq_max_distance: int = Field(
        default=31, ge=0, le=128, description="Largest PDQ Hamming distance (of 256 bits) that decides a copy"
    )
    pdq_min_quality: int = Field(default=50, ge=0, le=100, description="PDQ quality below which PDQ is not trusted")
    min_inliers: int = Field(
        default=14, ge=4, description="Keypoints that must agree on one geometry for a local-feature match"
    )
    clip_model: str = Field(default="ViT-B-32", description="open_clip model name for the CLIP signal")
    clip_weights: str = Field(
        default="",
        description="CLIP weights: an open_clip pretrained tag, a local checkpoint file, or empty to disable CLIP",
    )
    clip_config_path: str = Field(default="", description="Extra open_clip model config (JSON file or folder)")
    records_dir: str = Field(
        default="",
        description="Folder for the files of full fingerprints read when verifying candidates (system temporary "
        "folder when empty); a cache rebuilt at start",
    )
    snapshot_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often changed indexes are written to object storage"
    )
    matcher_shard: int = Field(default=0, ge=0, description="This replica's shard of the reference photos")
    matcher_shard_count: int = Field(default=1, ge=1, description="Number of reference shards")

    def matcher_config(self) -> MatcherConfig:
        return MatcherConfig(
            max_pixels=self.effective_max_image_pixels,
            reference_side=self.reference_side,
            query_side=self.query_side,
            reference_features=self.reference_features,
            query_features=self.query_features,
            pdq_max_distance=self.pdq_max_distance,
            pdq_min_quality=self.pdq_min_quality,
            min_inliers=self.min_inliers,
        )

    @property
    def effective_max_image_pixels(self) -> int:
        """The one pixel limit in force: the setting, or Pillow's `MAX_IMAGE_PIXELS` when that is lower."""
        library = Image.MAX_IMAGE_PIXELS
        return self.max_image_pixels if library is None else min(self.max_image_pixels, int(library))

    @property
    def effective_consumer_group(self) -> str:
        """Each shard reads every discovered image, so each shard is its own consumer group."""
        return self.consumer_group or f"pixhound-matcher-shard-{self.matcher_shard}-of-{self.matcher_shard_count}"
