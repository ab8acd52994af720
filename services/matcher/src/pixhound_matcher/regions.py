"""Find the photographs inside a page screenshot, so each can be matched on its own.

A photo shown small inside a captured page shares few keypoints with the whole capture,
whose text and layout dominate. Pages have a background colour that text blocks are
mostly made of and photographs almost never are; blocks with no background and real
texture, grown into connected rectangles, are the photo candidates. Where a photo meets the
page, most rows (or columns) jump in brightness with the page's background just outside: that
line places the edges of the region of a page that shows a matched photo.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_WIDTH = 1024
BLOCK = 16
MIN_SIDE = 64
MAX_REGIONS = 4
EDGE_SLACK = 0.015  # of the longest side: how far inside the photo its border may lie from what was seen of it
EDGE_MIN_STEP = 8  # grey levels that most rows jump by across a photo's border
EDGE_SAMPLES = 128  # rows (or columns) read along a border, evenly spread
EDGE_BAND = 4  # pixels of page looked at just outside a border
BACKGROUND_TOLERANCE = 14
BACKGROUND_SHARE = 0.8
PAGE_SHARE = 0.2  # of an image in its background colour, and of its rim, for it to be a page
PAGE_RIM_SHARE = 0.5


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
    background = dominant_colour(small)
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


def dominant_colour(image: np.ndarray) -> np.ndarray:
    """The most common colour, to 8 levels a channel: a page's background."""
    quantised = (image.astype(np.int32) // 8).reshape(-1, 3)
    keys = quantised[:, 0] * 1024 + quantised[:, 1] * 32 + quantised[:, 2]
    common = np.bincount(keys).argmax()
    return (np.array([common // 1024, (common // 32) % 32, common % 32]) * 8 + 4).astype(np.uint8)


def _clip(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x, y = max(0, x), max(0, y)
    return x, y, min(w, width - x), min(h, height - y)


def place_edges(
    frame: tuple[float, float, float, float],
    seen: tuple[float, float, float, float],
    rgb: np.ndarray,
    *,
    fallback: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float]:
    """Where a page `rgb` shows a photo that lies within `frame` and covers `seen` (boxes as fractions), with each
    edge put on the line where the photo meets the page: most rows (or columns) jump in brightness across it, and
    the page's background lies just outside. Where no such line shows, the edge of `fallback` (`frame`'s by
    default)."""
    height, width = rgb.shape[:2]
    size = np.array([width, height, width, height], dtype=np.float64)
    outer, inner = _corners(frame) * size, _corners(seen) * size
    placed = _corners(frame if fallback is None else fallback) * size
    slack = EDGE_SLACK * max(width, height)
    small = cv2.resize(rgb, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    background = dominant_colour(small).astype(np.int16)
    on_page = np.abs(small.astype(np.int16) - background).max(axis=2) <= BACKGROUND_TOLERANCE
    rim = np.concatenate([on_page[0], on_page[-1], on_page[:, 0], on_page[:, -1]])
    if on_page.mean() < PAGE_SHARE or rim.mean() < PAGE_RIM_SHARE:
        return _box(placed / size)
    for side in range(4):
        axis = side % 2
        window = (outer[side], inner[side] + slack) if side < 2 else (inner[side] - slack, outer[side])
        found = _border_line(rgb, axis, window, (inner[1 - axis], inner[3 - axis]), background, photo_after=side < 2)
        if found is not None:
            placed[side] = found
    return _box(placed / size)


def place_in_region(
    rgb: np.ndarray, region: tuple[int, int, int, int], inner: tuple[float, float, float, float] | None
) -> tuple[float, float, float, float]:
    """Where the page `rgb` shows a photo found as `inner` (fractions; all of it when None) of `region` (a box
    from `photo_regions`, in pixels), as fractions of the page. A region stops up to a block short of the
    photo's border, so where `inner` reaches an edge of the region, the border is looked for up to a block and
    a half further out."""
    height, width = rgb.shape[:2]
    size = np.array([width, height, width, height], dtype=np.float64)
    x, y, w, h = region
    part = np.array([x, y, x + w, y + h], dtype=np.float64) / size
    found = part.copy()
    if inner is not None:
        found = part[[0, 1, 0, 1]] + _corners(inner) * (part[[2, 3, 2, 3]] - part[[0, 1, 0, 1]])
    grow = 1.5 * BLOCK / min(1.0, WORK_WIDTH / width) / size
    touching = np.abs(found - part) <= grow / 3
    frame = np.clip(np.where(touching, part + np.array([-1.0, -1.0, 1.0, 1.0]) * grow, found), 0.0, 1.0)
    return place_edges(_box(frame), _box(found), rgb, fallback=_box(found))


def _border_line(
    rgb: np.ndarray,
    axis: int,
    window: tuple[float, float],
    span: tuple[float, float],
    background: np.ndarray,
    *,
    photo_after: bool,
) -> float | None:
    """The line within `window` along `axis` (0: between columns, 1: between rows) nearest the photo (which lies
    after the window when `photo_after`) across which most of `span` jumps in brightness, with the page's
    `background` just outside it; None when there is none."""
    lines = rgb if axis == 0 else rgb.transpose(1, 0, 2)
    extent = lines.shape[1]
    start, stop = max(2, int(np.floor(window[0]))), min(extent - 3, int(np.ceil(window[1])))
    first, last = int(np.ceil(span[0])), int(np.floor(span[1]))
    if stop - start < 2 or last - first < 8:
        return None
    sampled = lines[first : last : max(1, (last - first) // EDGE_SAMPLES)]
    grey = cv2.cvtColor(np.ascontiguousarray(sampled[:, start - 2 : stop + 3]), cv2.COLOR_RGB2GRAY).astype(np.int16)
    jumps = np.abs(grey[:, 4:] - grey[:, :-4])
    middle = len(jumps) // 2
    steps = np.partition(jumps, middle, axis=0)[middle]
    candidates = start + np.flatnonzero(steps >= EDGE_MIN_STEP)
    for position in candidates[::-1] if photo_after else candidates:
        outside = (position - 2 - EDGE_BAND, position - 2) if photo_after else (position + 3, position + 3 + EDGE_BAND)
        if outside[0] < 0 or outside[1] > extent:
            continue
        band = sampled[:, outside[0] : outside[1]].astype(np.int16)
        if (np.abs(band - background).max(axis=2) <= BACKGROUND_TOLERANCE).mean() >= BACKGROUND_SHARE:
            near = max(0, position - start - 3)
            return start + near + float(np.argmax(steps[near : position - start + 4])) + 0.5
    return None


def _corners(box: tuple[float, float, float, float]) -> np.ndarray:
    x, y, width, height = box
    return np.array([x, y, x + width, y + height], dtype=np.float64)


def _box(corners: np.ndarray) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in corners)
    return round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4)
