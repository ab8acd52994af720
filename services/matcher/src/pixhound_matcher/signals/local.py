"""Local features (ORB) with geometric verification: the signal that survives crops, overlays and screenshots.

Global hashes see the whole frame, so a tight crop or a photo shown small inside a page
screenshot defeats them. Keypoints with binary descriptors match piece by piece; a RANSAC
fit of an affine transform then keeps only the pairs that agree on one geometry, which
rejects look-alikes and tells where in the original the copy comes from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import cv2
import faiss
import numpy as np

Box = tuple[float, float, float, float]
DESCRIPTOR_BYTES = 32
GRID = 4
MAX_TILT_DEGREES = 20.0  # copies are shown upright or turned by quarter turns, give or take a straightening


@dataclass(frozen=True)
class LocalFeatures:
    points: np.ndarray
    descriptors: np.ndarray
    width: int
    height: int
    keypoints: tuple[cv2.KeyPoint, ...] = field(default=(), compare=False, repr=False)

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def to_bytes(self) -> bytes:
        header = np.array([self.width, self.height, len(self)], dtype=np.uint16).tobytes()
        return header + self.points.astype(np.uint16).tobytes() + self.descriptors.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> LocalFeatures:
        width, height, count = (int(v) for v in np.frombuffer(data[:6], dtype=np.uint16))
        points_end = 6 + count * 4
        points = np.frombuffer(data[6:points_end], dtype=np.uint16).reshape(count, 2).astype(np.float32)
        descriptors = np.frombuffer(data[points_end:], dtype=np.uint8).reshape(count, DESCRIPTOR_BYTES)
        return cls(points=points, descriptors=descriptors, width=width, height=height)


@dataclass(frozen=True)
class CopyEdges:
    """Where a verified copy shows the reference, as boxes in the copy (x, y, width, height as fractions): the
    reference's frame mapped into the copy and clipped to it, and the box of the reference's keypoints found
    there; and whether the copy is upright or turned by quarter turns, so that a photo's borders in it run
    along rows and columns."""

    frame: Box
    seen: Box
    upright: bool

    def mirrored(self) -> CopyEdges:
        """The same found in the mirrored copy, expressed in the copy as discovered."""
        return CopyEdges(flip_box(self.frame), flip_box(self.seen), self.upright)


@dataclass(frozen=True)
class Verification:
    inliers: int
    matches: int
    affine: np.ndarray
    region: Box
    inlier_references: np.ndarray
    threshold: float
    coverage: float
    share_of_copy: float
    scale: float
    anisotropy: float
    rotation_degrees: float
    mirrored: bool


FAST_THRESHOLD = 20
DESCRIBE_ONLY = 4096  # detector settings used to describe given keypoints (the budget plays no part)
LOW_CONTRAST_FAST_THRESHOLD = 7  # for blurred or flat images, where corners at the usual threshold are too few

SHOWN_MAX_BITS = 50  # a reference keypoint is shown by a query keypoint this near where the fit puts it
NEIGHBOURHOOD = 0.06  # of the reference's longest side: keypoints found alone in it are left out of a box
DISTINCT = 0.2  # of the neighbourhood: nearer than this, two keypoints are one place
UPRIGHT_DEGREES = 2.0
BIT_COUNTS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)

_detectors: dict[tuple[int, int], cv2.ORB] = {}


def _orb(features: int, threshold: int = FAST_THRESHOLD) -> cv2.ORB:
    detector = _detectors.get((features, threshold))
    if detector is None:
        detector = cv2.ORB_create(
            nfeatures=features, scaleFactor=1.3, nlevels=6, edgeThreshold=15, fastThreshold=threshold
        )
        _detectors[features, threshold] = detector
    return detector


def extract(gray: np.ndarray, *, max_features: int, spread: bool = True) -> LocalFeatures:
    """Keypoints and descriptors, most distinctive first; with `spread` (reference photos), ranked cell by cell
    over a grid so that any prefix covers the whole frame and a crop keeps its share. Without it (discovered
    images, often blurred or shrunk by the copier), a frame with too few corners is searched again at a lower
    contrast threshold."""
    height, width = gray.shape
    candidates = max_features * 3 if spread else max_features
    keypoints, descriptors = _orb(candidates).detectAndCompute(gray, None)
    if not spread and len(keypoints) < candidates // 2:
        keypoints, descriptors = _orb(candidates, LOW_CONTRAST_FAST_THRESHOLD).detectAndCompute(gray, None)
    if descriptors is None or not keypoints:
        return LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, DESCRIPTOR_BYTES), np.uint8), width, height)
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    responses = np.array([kp.response for kp in keypoints], dtype=np.float32)
    keep = _spread(points, responses, width, height, max_features) if spread else np.argsort(-responses, kind="stable")
    return LocalFeatures(points[keep], descriptors[keep], width, height, tuple(keypoints[n] for n in keep))


def mirrored(features: LocalFeatures, gray: np.ndarray) -> LocalFeatures:
    """The features of the mirrored image, described at the mirrored keypoints (about a third of the cost of
    detecting again, and the same descriptors: FAST and the orientation measure are symmetric). OpenCV returns
    them level by level, so they are put back in order of response."""
    width = gray.shape[1]
    flipped = [
        cv2.KeyPoint(width - 1 - kp.pt[0], kp.pt[1], kp.size, (180.0 - kp.angle) % 360.0, kp.response, kp.octave)
        for kp in features.keypoints
    ]
    keypoints, descriptors = _orb(DESCRIBE_ONLY).compute(mirror(gray), flipped)
    if descriptors is None or not keypoints:
        return LocalFeatures(
            np.zeros((0, 2), np.float32), np.zeros((0, DESCRIPTOR_BYTES), np.uint8), width, gray.shape[0]
        )
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    order = np.argsort(-np.array([kp.response for kp in keypoints], dtype=np.float32), kind="stable")
    return LocalFeatures(points[order], descriptors[order], width, gray.shape[0], tuple(keypoints[n] for n in order))


def _spread(points: np.ndarray, responses: np.ndarray, width: int, height: int, budget: int) -> np.ndarray:
    cells = np.minimum(GRID - 1, (points[:, 1] * GRID / max(height, 1)).astype(int)) * GRID + np.minimum(
        GRID - 1, (points[:, 0] * GRID / max(width, 1)).astype(int)
    )
    order = np.lexsort((-responses, cells))
    ranked_in_cell = np.empty(len(points), dtype=int)
    sorted_cells = cells[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_cells)) + 1]
    for start, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
        ranked_in_cell[order[start:end]] = np.arange(end - start)
    return np.lexsort((-responses, ranked_in_cell))[:budget]


def mirror(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(gray[:, ::-1])


def pair(query: LocalFeatures, reference: LocalFeatures, *, ratio: float = 0.85) -> tuple[np.ndarray, np.ndarray]:
    """Mutually plausible descriptor pairs (Lowe's ratio test), as index arrays into query and reference."""
    if len(query) < 2 or len(reference) < 2:
        return np.zeros(0, int), np.zeros(0, int)
    nearest = faiss.IndexBinaryFlat(DESCRIPTOR_BYTES * 8)
    nearest.add(np.ascontiguousarray(reference.descriptors))
    distances, labels = nearest.search(np.ascontiguousarray(query.descriptors), 2)
    distinct = (labels[:, 0] >= 0) & (labels[:, 1] >= 0) & (distances[:, 0] < ratio * distances[:, 1])
    query_index = np.flatnonzero(distinct)
    return query_index, labels[query_index, 0].astype(int)


def verify(
    query: LocalFeatures,
    reference: LocalFeatures,
    *,
    mirrored: bool = False,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    tolerance: float = 0.012,
    min_matches: int = 6,
) -> Verification | None:
    """Fit an affine map from the reference into the query; None when no plausible geometry explains the pairs.

    `pairs` (query indexes, reference indexes) come from the index search when there is one;
    otherwise descriptors are paired here with Lowe's ratio test.
    """
    query_index, reference_index = pairs if pairs is not None else pair(query, reference)
    if len(query_index) < min_matches:
        return None
    source = reference.points[reference_index].reshape(-1, 1, 2)
    target = query.points[query_index].reshape(-1, 1, 2)
    threshold = max(2.0, tolerance * max(query.width, query.height))
    affine, mask = cv2.estimateAffine2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=threshold, maxIters=2000, confidence=0.995
    )
    if affine is None or mask is None:
        return None
    inliers = int(mask.sum())
    shape = _plausible_shape(affine[:, :2])
    if shape is None:
        return None
    determinant, scale, anisotropy, rotation = shape
    region, coverage = _region_of_reference(affine, query, reference)
    shown_area = coverage * reference.width * reference.height * determinant
    share_of_copy = round(min(1.0, shown_area / max(query.width * query.height, 1)), 4)
    return Verification(
        inliers=inliers,
        matches=len(query_index),
        affine=affine,
        region=region,
        inlier_references=reference_index[mask.ravel().astype(bool)],
        threshold=threshold,
        coverage=coverage,
        share_of_copy=share_of_copy,
        scale=scale,
        anisotropy=anisotropy,
        rotation_degrees=rotation,
        mirrored=mirrored,
    )


def _plausible_shape(linear: np.ndarray) -> tuple[float, float, float, float] | None:
    """Determinant, scale, anisotropy and rotation of a geometry a copier could have applied, or None: no
    mirror inside a plain pass, no extreme zoom, no strong shear, upright or quarter turns."""
    determinant = float(np.linalg.det(linear))
    if determinant <= 0:
        return None
    singular = np.linalg.svd(linear, compute_uv=False)
    scale = float(np.sqrt(determinant))
    anisotropy = float(singular[0] / max(singular[1], 1e-9))
    if not (0.05 <= scale <= 20) or anisotropy > 1.6:
        return None
    rotation = float(np.degrees(np.arctan2(linear[1, 0], linear[0, 0])))
    if abs((rotation + 45.0) % 90.0 - 45.0) > MAX_TILT_DEGREES:
        return None
    return determinant, scale, round(anisotropy, 4), rotation


def _frame_in_reference(
    affine: np.ndarray, query: LocalFeatures, reference: LocalFeatures
) -> tuple[np.ndarray, np.ndarray]:
    """The query's frame mapped back into the reference and clipped to it, as low and high corners in pixels."""
    inverse = np.linalg.inv(np.vstack([affine, [0.0, 0.0, 1.0]]))
    corners = np.array([[0, 0, 1], [query.width, 0, 1], [0, query.height, 1], [query.width, query.height, 1]]).T
    projected = (inverse @ corners)[:2].T
    low = np.clip(projected.min(axis=0), 0, [reference.width, reference.height])
    high = np.clip(projected.max(axis=0), 0, [reference.width, reference.height])
    return low, np.maximum(high, low)


def _region_of_reference(
    affine: np.ndarray, query: LocalFeatures, reference: LocalFeatures
) -> tuple[tuple[float, float, float, float], float]:
    """The part of the original visible in the copy (x, y, width, height as fractions), and its area fraction."""
    low, high = _frame_in_reference(affine, query, reference)
    width, height = float(reference.width), float(reference.height)
    region = (low[0] / width, low[1] / height, (high[0] - low[0]) / width, (high[1] - low[1]) / height)
    coverage = float(region[2] * region[3])
    return tuple(round(float(v), 4) for v in region), round(coverage, 4)


def copy_edges(verification: Verification, query: LocalFeatures, reference: LocalFeatures) -> CopyEdges:
    """Where the verified `query` shows the `reference`: the reference's frame mapped into the query, and the box
    of the reference's keypoints found there (the RANSAC inliers and any other keypoint the query shows where
    the fit puts it, less those found apart from the rest)."""
    affine = verification.affine
    low, high = _frame_in_reference(affine, query, reference)
    frame = _in_query(affine, query, low, high)
    upright = abs((verification.rotation_degrees + 45.0) % 90.0 - 45.0) <= UPRIGHT_DEGREES
    projected = reference.points @ affine[:, :2].T + affine[:, 2]
    in_frame = (projected >= 0).all(axis=1) & (projected <= [query.width, query.height]).all(axis=1)
    shown = np.zeros(len(reference), dtype=bool)
    shown[verification.inlier_references] = True
    shown = in_frame & (shown | _found_near(projected, query, reference, in_frame, verification.threshold))
    shown[shown] = _among_others(reference.points[shown], NEIGHBOURHOOD * max(reference.width, reference.height))
    if shown.sum() < 3:
        return CopyEdges(frame, frame, upright)
    seen = reference.points[shown]
    return CopyEdges(frame, _in_query(affine, query, seen.min(axis=0), seen.max(axis=0)), upright)


def _in_query(affine: np.ndarray, query: LocalFeatures, low: np.ndarray, high: np.ndarray) -> Box:
    """The box from `low` to `high` in reference pixels mapped into the query and clipped to it, as fractions."""
    corners = np.array([[low[0], low[1]], [high[0], low[1]], [low[0], high[1]], [high[0], high[1]]])
    mapped = corners @ affine[:, :2].T + affine[:, 2]
    size = np.array([query.width, query.height], dtype=np.float64)
    start = np.clip(mapped.min(axis=0), 0, size)
    end = np.maximum(np.clip(mapped.max(axis=0), 0, size), start)
    region = (start[0] / size[0], start[1] / size[1], (end[0] - start[0]) / size[0], (end[1] - start[1]) / size[1])
    return tuple(round(float(v), 4) for v in region)


def _among_others(points: np.ndarray, reach: float) -> np.ndarray:
    """Points with at least two others within `reach` but not on top of them: a chance match away from the rest
    (often one corner, found at several scales) does not stretch a box."""
    first, second = _pairs_within(points, points, reach)
    apart = ((points[first] - points[second]) ** 2).sum(axis=1) > (reach * DISTINCT) ** 2
    return np.bincount(first[apart], minlength=len(points)) >= 2


def _found_near(
    projected: np.ndarray, query: LocalFeatures, reference: LocalFeatures, candidates: np.ndarray, radius: float
) -> np.ndarray:
    """Reference keypoints (among `candidates`) that the query shows where the fit puts them: a query keypoint
    within `radius` whose descriptor is within SHOWN_MAX_BITS, distinctive or not."""
    found = np.zeros(len(reference), dtype=bool)
    chosen = np.flatnonzero(candidates)
    if not len(chosen) or not len(query):
        return found
    near_reference, near_query = _pairs_within(projected[chosen], query.points, radius)
    differing = np.bitwise_xor(reference.descriptors[chosen[near_reference]], query.descriptors[near_query])
    close = BIT_COUNTS[differing].sum(axis=1) <= SHOWN_MAX_BITS
    found[chosen[near_reference[close]]] = True
    return found


def _pairs_within(points: np.ndarray, others: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) with `points[i]` within `radius` of `others[j]`, among those with a near abscissa."""
    order = np.argsort(others[:, 0], kind="stable")
    abscissas = others[order, 0]
    starts = np.searchsorted(abscissas, points[:, 0] - radius, "left")
    counts = np.searchsorted(abscissas, points[:, 0] + radius, "right") - starts
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    first = np.repeat(np.arange(len(points)), counts)
    second = order[np.repeat(starts, counts) + offsets]
    close = ((points[first] - others[second]) ** 2).sum(axis=1) <= radius * radius
    return first[close], second[close]


def flip_box(box: Box) -> Box:
    """A box found in a mirrored image, expressed in the image as it was before mirroring."""
    x, y, width, height = box
    return round(max(0.0, 1.0 - x - width), 4), y, width, height


def flip_region(verification: Verification) -> Verification:
    """The region found in a mirrored reference, expressed in the reference as uploaded."""
    return dataclasses.replace(verification, region=flip_box(verification.region))
