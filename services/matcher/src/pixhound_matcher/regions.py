"""Find the photographs inside a page screenshot, so each can be matched on its own.

A photo shown small inside a captured page shares few keypoints with the whole capture,
whose text and layout dominate. Pages have a background colour that text blocks are
mostly made of and photographs almost never are; blocks with no background and real
texture, grown into connected rectangles, are the photo candidates.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_WIDTH = 1024
BLOCK = 16
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
    channels = cv2.split(small)
    background = _dominant_colour(small)
    distance = cv2.max(
        cv2.max(cv2.absdiff(channels[0], int(background[0])), cv2.absdiff(channels[1], int(background[1]))),
        cv2.absdiff(channels[2], int(background[2])),
    )
    blocks = cv2.resize((distance <= 14).astype(np.float32), (columns, rows), interpolation=cv2.INTER_AREA)
    if blocks.mean() < 0.2:
        return []  # no page background: a photograph, not a page
    values = small.astype(np.float32)
    mean = cv2.resize(values, (columns, rows), interpolation=cv2.INTER_AREA)
    mean_of_squares = cv2.resize(values * values, (columns, rows), interpolation=cv2.INTER_AREA)
    texture = np.sqrt(np.maximum(mean_of_squares - mean * mean, 0)).max(axis=2)
    candidates = (blocks < 0.08) & (texture > 6)
    photo_like = np.zeros((rows, columns), np.uint8)
    photo_like[candidates] = _flat_share(channels, rows, columns, candidates) < 0.6
    if photo_like.mean() > 0.85:
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


def _flat_share(channels: list[np.ndarray], rows: int, columns: int, selected: np.ndarray) -> np.ndarray:
    """For the selected blocks, the share of pixels within 4 levels of the block's median on every channel.

    Page panels are flat to within compression noise; smooth photographs (grass, sky, skin) vary by more.
    """
    middle = BLOCK * BLOCK // 2
    within = None
    for channel in channels:
        cells = channel.reshape(rows, BLOCK, columns, BLOCK).transpose(0, 2, 1, 3)[selected].reshape(-1, BLOCK * BLOCK)
        halves = np.partition(cells, (middle - 1, middle), axis=1)[:, middle - 1 : middle + 1]
        doubled_median = halves.sum(axis=1, dtype=np.int16)[:, None]
        close = np.abs(cells.astype(np.int16) * 2 - doubled_median) <= 8
        within = close if within is None else within & close
    return within.mean(axis=1) if within is not None else np.zeros(0)


def _dominant_colour(image: np.ndarray) -> np.ndarray:
    quantised = (image.astype(np.int32) // 8).reshape(-1, 3)
    keys = quantised[:, 0] * 1024 + quantised[:, 1] * 32 + quantised[:, 2]
    common = np.bincount(keys).argmax()
    return (np.array([common // 1024, (common // 32) % 32, common % 32]) * 8 + 4).astype(np.uint8)


def _clip(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x, y = max(0, x), max(0, y)
    return x, y, min(w, width - x), min(h, height - y)
