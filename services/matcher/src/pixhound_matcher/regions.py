"""Find the photographs inside a page screenshot, so each can be matched on its own.

A photo shown small inside a captured page shares few keypoints with the whole capture,
whose text and layout dominate. Pages have a background colour that text blocks are
mostly made of and photographs almost never are; blocks with no background and real
texture, grown into connected rectangles, are the photo candidates.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_WIDTH = 384
BLOCK = 6
MIN_SIDE = 64
MAX_REGIONS = 4


def photo_regions(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, width, height) in `rgb` pixels that look like photographs on a page background."""
    height, width = rgb.shape[:2]
    if min(height, width) < 4 * MIN_SIDE:
        return []
    scale = min(1.0, WORK_WIDTH / width)
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    rows, columns = small.shape[0] // BLOCK, small.shape[1] // BLOCK
    if rows < 4 or columns < 4:
        return []
    small = np.ascontiguousarray(small[: rows * BLOCK, : columns * BLOCK])
    background = _dominant_colour(small)
    distance = cv2.absdiff(small, np.broadcast_to(background, small.shape).copy())
    near_background = (distance.max(axis=2) <= 14).astype(np.float32)
    blocks = cv2.resize(near_background, (columns, rows), interpolation=cv2.INTER_AREA)
    values = small.astype(np.float32)
    mean = cv2.resize(values, (columns, rows), interpolation=cv2.INTER_AREA)
    mean_of_squares = cv2.resize(values * values, (columns, rows), interpolation=cv2.INTER_AREA)
    texture = np.sqrt(np.maximum(mean_of_squares - mean * mean, 0)).max(axis=2)
    cells = (
        small.reshape(rows, BLOCK, columns, BLOCK, 3)
        .transpose(0, 2, 1, 3, 4)
        .reshape(rows, columns, BLOCK * BLOCK, 3)
        .astype(np.int16)
    )
    middle = BLOCK * BLOCK // 2
    halves = np.partition(cells, (middle - 1, middle), axis=2)[:, :, middle - 1 : middle + 1, :]
    block_median = halves.mean(axis=2, keepdims=True, dtype=np.float32)
    flat_share = (np.abs(cells - block_median).max(axis=3) <= 12).mean(axis=2)
    photo_like = ((blocks < 0.08) & (texture > 6) & (flat_share < 0.6)).astype(np.uint8)
    if photo_like.mean() > 0.85 or blocks.mean() < 0.2:
        return []
    photo_like = cv2.morphologyEx(photo_like, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(photo_like, connectivity=4)
    boxes = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        too_small = min(w, h) * BLOCK / scale < MIN_SIDE
        if too_small or area < 0.4 * w * h or not 0.25 <= w / h <= 4:
            continue
        factor = BLOCK / scale
        fill = area / (w * h)
        boxes.append((fill, (int(x * factor), int(y * factor), int(w * factor), int(h * factor))))
    boxes.sort(key=lambda pair: -pair[0])
    return [_clip(box, width, height) for _, box in boxes[:MAX_REGIONS]]


def _dominant_colour(image: np.ndarray) -> np.ndarray:
    quantised = (image.astype(np.int32) // 8).reshape(-1, 3)
    keys = quantised[:, 0] * 1024 + quantised[:, 1] * 32 + quantised[:, 2]
    common = np.bincount(keys).argmax()
    return (np.array([common // 1024, (common // 32) % 32, common % 32]) * 8 + 4).astype(np.uint8)


def _clip(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x, y = max(0, x), max(0, y)
    return x, y, min(w, width - x), min(h, height - y)
