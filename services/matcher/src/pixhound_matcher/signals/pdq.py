"""PDQ, Meta's 256-bit perceptual hash, in numpy, with its eight dihedral variants and its quality metric.

Follows the reference algorithm of ThreatExchange's pdqhashing: luminance, two passes of
a Jarosz box filter, decimation to 64x64, a 16x16 DCT without the DC row and column, one
bit per coefficient above the median. The dihedral variants (rotations and mirrors) come
from sign changes and a transpose of the same DCT, so mirrored copies cost no second decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

SIZE = 64
DCT_SIZE = 16
BITS = 256
SHRINK_TO = 256
DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "mirror_x", "mirror_y", "transpose", "transverse")


def _dct_matrix() -> np.ndarray:
    rows = np.arange(1, DCT_SIZE + 1, dtype=np.float64)[:, None]
    columns = np.arange(SIZE, dtype=np.float64)[None, :]
    return (np.sqrt(2.0 / SIZE) * np.cos((np.pi / 2 / SIZE) * rows * (2 * columns + 1))).astype(np.float32)


DCT = _dct_matrix()
ALTERNATING = np.array([(-1.0) ** (k + 1) for k in range(DCT_SIZE)], dtype=np.float32)


@dataclass(frozen=True)
class PdqHash:
    code: bytes
    quality: int

    def hex(self) -> str:
        return self.code.hex()


def luminance(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) if rgb.ndim == 3 else rgb.astype(np.float32)


def _shrink(luma: np.ndarray) -> np.ndarray:
    """Area-average very large images to at most SHRINK_TO pixels a side first; the box filters then do the rest."""
    height, width = luma.shape
    factor = max(height, width) / SHRINK_TO
    if factor <= 1:
        return luma
    size = (max(SIZE, round(width / factor)), max(SIZE, round(height / factor)))
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA)


def _window(old: int, new: int) -> int:
    return (old + 2 * new - 1) // (2 * new)


@lru_cache(maxsize=256)
def _filter_and_decimate(length: int) -> np.ndarray:
    """The two box-filter passes and the decimation along one axis, as one 64 x length matrix."""
    window = _window(length, SIZE)
    half = (window + 2) // 2
    positions = np.arange(length)
    low = np.maximum(0, positions + half - window)
    high = np.minimum(length, positions + half)
    columns = np.arange(length)[None, :]
    box = ((columns >= low[:, None]) & (columns < high[:, None])) / (high - low)[:, None]
    picked = ((np.arange(SIZE) + 0.5) * length / SIZE).astype(int)
    return (box[picked] @ box).astype(np.float32)


def downsample(luma: np.ndarray) -> np.ndarray:
    rows, columns = luma.shape
    return _filter_and_decimate(rows) @ luma @ _filter_and_decimate(columns).T


def quality(block: np.ndarray) -> int:
    vertical = np.abs(((block[:-1, :] - block[1:, :]) * 100 / 255).astype(np.int32)).sum()
    horizontal = np.abs(((block[:, :-1] - block[:, 1:]) * 100 / 255).astype(np.int32)).sum()
    return int(min(100, (vertical + horizontal) // 90))


def _bits(coefficients: np.ndarray) -> bytes:
    flat = coefficients.reshape(-1)
    return np.packbits(flat > np.median(flat)).tobytes()


def _variants(coefficients: np.ndarray) -> list[np.ndarray]:
    mirror_x = coefficients * ALTERNATING[None, :]
    mirror_y = coefficients * ALTERNATING[:, None]
    rotate180 = mirror_x * ALTERNATING[:, None]
    transpose = coefficients.T
    return [
        coefficients,
        mirror_x.T,
        rotate180,
        mirror_y.T,
        mirror_x,
        mirror_y,
        transpose,
        rotate180.T,
    ]


def dct(luma: np.ndarray) -> tuple[np.ndarray, int]:
    block = downsample(_shrink(luma))
    return DCT @ block @ DCT.T, quality(block)


def pdq(rgb: np.ndarray) -> PdqHash:
    coefficients, score = dct(luminance(rgb))
    return PdqHash(_bits(coefficients), score)


def pdq_dihedral(rgb: np.ndarray) -> list[PdqHash]:
    """The hashes of the image and of its 7 rotations and mirrors, in the order of DIHEDRAL."""
    coefficients, score = dct(luminance(rgb))
    stacked = np.stack(_variants(coefficients)).reshape(len(DIHEDRAL), -1)
    bits = np.packbits(stacked > np.median(stacked, axis=1, keepdims=True), axis=1)
    return [PdqHash(row.tobytes(), score) for row in bits]


def hamming(a: bytes, b: bytes) -> int:
    return int(np.unpackbits(np.bitwise_xor(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))).sum())
