"""Pure matching logic: fingerprint an image, and decide whether two fingerprints are a copy.

The foundation uses one signal, a 64-bit perceptual hash (DCT pHash), which survives
resizing, re-encoding and mild colour changes. Decoding uses JPEG draft mode because the
hash only needs a 32x32 thumbnail.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

PHASH_BITS = 64
PHASH_SIGNAL = "phash"


class UnusableImage(ValueError):
    """The bytes are not an image the matcher can fingerprint; retrying will not help."""


@dataclass(frozen=True)
class Fingerprint:
    phash: bytes

    def as_array(self) -> np.ndarray:
        return np.frombuffer(self.phash, dtype=np.uint8).reshape(1, -1)


def fingerprint(data: bytes, *, max_pixels: int) -> Fingerprint:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise UnusableImage(f"{width}x{height} pixels exceeds the limit of {max_pixels}")
                if image.format == "JPEG":
                    image.draft("L", (128, 128))
                upright = ImageOps.exif_transpose(image).convert("L")
    except UnusableImage:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise UnusableImage(f"cannot decode image: {error}") from error
    bits = imagehash.phash(upright).hash.flatten()
    return Fingerprint(phash=np.packbits(bits).tobytes())


def hamming(a: bytes, b: bytes) -> int:
    return int(np.unpackbits(np.bitwise_xor(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))).sum())


def score_for_distance(distance: int, max_distance: int) -> float:
    """Map a pHash Hamming distance to a confidence in [0, 1]; the threshold sits at 0.5."""
    if distance <= max_distance:
        return round(1.0 - 0.5 * distance / max(max_distance, 1), 4)
    # Above the threshold the score falls to 0 at 32 bits (unrelated images), or at 64 for thresholds past 32.
    span = max((PHASH_BITS / 2 if max_distance < PHASH_BITS / 2 else PHASH_BITS) - max_distance, 1)
    return round(max(0.0, 0.5 * (1 - (distance - max_distance) / span)), 4)


def owns_reference(photo_id: str, shard: int, shard_count: int) -> bool:
    """Reference photos are partitioned across matcher shards by a stable hash of their id."""
    return int.from_bytes(hashlib.blake2b(photo_id.encode(), digest_size=8).digest(), "big") % shard_count == shard
