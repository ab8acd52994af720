"""The matching decision: a cascade that spends expensive work only where the cheap signals cannot decide.

1. PDQ with its eight dihedral variants finds re-encoded, resized, recoloured, rotated by
   90 degrees and mirrored copies of the whole frame in a few milliseconds.
2. When PDQ does not decide, local features vote for the references that share pieces with
   the image (and CLIP, when enabled, proposes the nearest embeddings); the best few are
   verified geometrically, then the same again on the mirrored image.
3. A candidate becomes a match only with a verified geometry (or a PDQ distance within its
   threshold), so look-alikes that share a style but not pixels are rejected.

The same code serves both sides: a discovered image against the references, and a new
reference against the images discovered before it. It holds no I/O: the worker feeds it bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import cv2
import faiss
import numpy as np
from threadpoolctl import threadpool_limits

from pixhound_matcher import records
from pixhound_matcher.decode import DecodedImage, decode
from pixhound_matcher.indexes import HashIndex, LocalFeatureIndex, VectorIndex
from pixhound_matcher.records import RecordFile
from pixhound_matcher.regions import photo_regions, place_edges, place_in_region
from pixhound_matcher.signals import local, pdq

SNAPSHOT_MAGIC = b"PXCOL1"
RESTORE_BATCH = 50_000
REGION_MIN_SIDE = 480


@dataclass(frozen=True)
class MatcherConfig:
    max_pixels: int = 100_000_000
    reference_side: int = 640
    query_side: int = 1024
    reference_features: int = 384
    query_features: int = 1000
    small_query_side: int = 480
    pdq_max_distance: int = 31
    pdq_min_quality: int = 50
    min_inliers: int = 14
    min_inlier_ratio: float = 0.2
    confident_inliers: int = 25
    descriptor_max_distance: int = 64
    verify_candidates: int = 3
    pdq_candidate_distance: int = 90
    pdq_candidates: int = 2
    min_votes: int = 2
    indexed_features: int = 128
    vote_features: int = 400
    clip_candidates: int = 3
    clip_min_similarity: float = 0.80


@dataclass(frozen=True)
class Fingerprints:
    pdq_variants: tuple[bytes, ...]
    pdq_quality: int
    features: local.LocalFeatures
    width: int
    height: int
    clip: np.ndarray | None = None

    @property
    def pdq(self) -> bytes:
        return self.pdq_variants[0]


@dataclass(frozen=True)
class SignalEvidence:
    signal: str
    distance: float
    threshold: float


@dataclass(frozen=True)
class Decision:
    reference_id: str
    copy_id: str
    score: float
    signals: tuple[SignalEvidence, ...]
    inliers: int = 0
    region: tuple[float, float, float, float] | None = None
    transforms: tuple[str, ...] = ()
    copy_region: tuple[float, float, float, float] | None = None
    copy_edges: local.CopyEdges | None = field(default=None, compare=False, repr=False)


@dataclass
class Collection:
    """Fingerprinted items (reference photos, or discovered images): one index per signal for searching, and
    every item's full fingerprints in a record file for verifying the few candidates a search proposes."""

    indexed_features: int = 128
    records_dir: str | None = None
    hashes: HashIndex = field(default_factory=lambda: HashIndex(pdq.BITS))
    descriptors: LocalFeatureIndex = field(default_factory=LocalFeatureIndex)
    embeddings: VectorIndex | None = None
    records: RecordFile = field(init=False)

    def __post_init__(self) -> None:
        self.records = RecordFile(self.records_dir)

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.records

    def add(self, item_id: str, prints: Fingerprints) -> None:
        self.add_many([(item_id, prints)])

    def add_many(self, items: list[tuple[str, Fingerprints]]) -> None:
        """Add items at once: each index grows (and is rebuilt, when it must be) once for the whole batch."""
        fresh: dict[str, Fingerprints] = {}
        for item_id, prints in items:
            if item_id not in self.records and item_id not in fresh:
                fresh[item_id] = prints
        if not fresh:
            return
        for item_id, prints in fresh.items():
            record = records.encode(item_id, prints.pdq, prints.pdq_quality, prints.features, prints.clip)
            self.records.append(record, item_id)
        ids = list(fresh)
        self.hashes.add_many(ids, [prints.pdq for prints in fresh.values()])
        indexed = [prints.features.descriptors[: self.indexed_features] for prints in fresh.values()]
        self.descriptors.add_many(ids, np.concatenate(indexed), [len(d) for d in indexed])
        embedded = [(item_id, prints.clip) for item_id, prints in fresh.items() if prints.clip is not None]
        if embedded:
            if self.embeddings is None:
                self.embeddings = VectorIndex(int(embedded[0][1].shape[0]))
            self.embeddings.add_many([item_id for item_id, _ in embedded], np.vstack([c for _, c in embedded]))

    def features(self, item_id: str) -> local.LocalFeatures:
        return self.records.features(item_id)

    def quality(self, item_id: str) -> int:
        return self.records.quality(item_id)

    def snapshot(self) -> bytes:
        """Every item's fingerprints in one blob, from which `restore` rebuilds the indexes without the database."""
        return SNAPSHOT_MAGIC + len(self).to_bytes(8, "big") + self.records.contents()

    @classmethod
    def restore(cls, data: bytes, indexed_features: int = 128, records_dir: str | None = None) -> Collection:
        if not data.startswith(SNAPSHOT_MAGIC):
            raise ValueError("not a collection snapshot")
        view, offset = memoryview(data), len(SNAPSHOT_MAGIC)
        count = int.from_bytes(view[offset : offset + 8], "big")
        offset += 8
        collection = cls(indexed_features=indexed_features, records_dir=records_dir)
        batch: list[tuple[str, Fingerprints]] = []
        for _ in range(count):
            record, offset = records.decode(view, offset)
            features = record.features
            prints = Fingerprints((record.pdq,), record.quality, features, features.width, features.height, record.clip)
            batch.append((record.item_id, prints))
            if len(batch) == RESTORE_BATCH:
                collection.add_many(batch)
                batch = []
        collection.add_many(batch)
        return collection


class Fingerprinter:
    def __init__(self, config: MatcherConfig, clip=None) -> None:
        self.config = config
        self.clip = clip

    def decode(self, data: bytes, *, reference: bool) -> DecodedImage:
        side = self.config.reference_side if reference else self.config.query_side
        return decode(data, max_pixels=self.config.max_pixels, max_side=side)

    def fingerprint(self, data: bytes, *, reference: bool) -> Fingerprints:
        return self.of_image(self.decode(data, reference=reference), reference=reference)

    def of_image(self, image: DecodedImage, *, reference: bool) -> Fingerprints:
        hashes = pdq.pdq_dihedral(image.rgb)
        gray = self._feature_gray(image, reference=reference)
        budget = self.config.reference_features if reference else self.config.query_features
        features = local.extract(gray, max_features=budget, spread=reference)
        embedding = self.clip.embed(image.rgb) if self.clip is not None else None
        return Fingerprints(
            pdq_variants=tuple(h.code for h in hashes),
            pdq_quality=hashes[0].quality,
            features=features,
            width=image.width,
            height=image.height,
            clip=embedding,
        )

    def mirrored_features(
        self, image: DecodedImage, *, reference: bool, features: local.LocalFeatures | None = None
    ) -> local.LocalFeatures:
        """Keypoints of the mirrored image: the given `features`' keypoints mirrored and described again when
        they still carry their detector keypoints, else detected afresh."""
        gray = self._feature_gray(image, reference=reference)
        if features is not None and features.keypoints:
            return local.mirrored(features, gray)
        budget = self.config.reference_features if reference else self.config.query_features
        return local.extract(local.mirror(gray), max_features=budget, spread=reference)

    def _feature_gray(self, image: DecodedImage, *, reference: bool) -> np.ndarray:
        """Grey pixels for keypoints; a small discovered image is enlarged first, or ORB finds too few keypoints."""
        gray = image.gray()
        longest = max(gray.shape)
        if reference or longest >= self.config.small_query_side:
            return gray
        factor = self.config.small_query_side / longest
        size = (round(gray.shape[1] * factor), round(gray.shape[0] * factor))
        return cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC)


def limit_native_threads() -> None:
    """One thread per process for OpenCV, FAISS and BLAS: replicas and workers scale out, and idle spinning
    threads on a shared core cost more than they give on small per-image work."""
    cv2.setNumThreads(1)
    faiss.omp_set_num_threads(1)
    threadpool_limits(1)


class Matcher:
    """Decides which references a copy shows, or which copies a reference appears in."""

    def __init__(self, config: MatcherConfig, fingerprinter: Fingerprinter) -> None:
        self.config = config
        self.fingerprinter = fingerprinter

    def match_copy(
        self, copy_id: str, prints: Fingerprints, references: Collection, *, image: DecodedImage | None = None
    ) -> list[Decision]:
        """References that the discovered image `prints` copies, best first (usually zero or one)."""
        decided = self._by_pdq(prints.pdq_variants, prints.pdq_quality, references, copy_id=copy_id, reverse=False)
        if decided:
            return decided
        pixels = image.rgb if image is not None else None
        found = self._by_features(copy_id, prints, references, mirrored=False, pixels=pixels)
        if found or image is None:
            return found
        mirrored = self.fingerprinter.mirrored_features(image, reference=False, features=prints.features)
        found = self._by_features(copy_id, prints, references, mirrored=True, features=mirrored, pixels=pixels)
        if found:
            return found
        return self._by_regions(copy_id, image, references)

    def _by_regions(self, copy_id: str, image: DecodedImage, references: Collection) -> list[Decision]:
        """Match each photograph found inside a page capture on its own."""
        for x, y, width, height in photo_regions(image.rgb):
            pixels = image.rgb[y : y + height, x : x + width]
            if max(width, height) < REGION_MIN_SIDE:
                factor = REGION_MIN_SIDE / max(width, height)
                size = (round(width * factor), round(height * factor))
                pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_CUBIC)
            part = DecodedImage(
                rgb=np.ascontiguousarray(pixels),
                original_width=width,
                original_height=height,
                image_format=image.image_format,
            )
            prints = self.fingerprinter.of_image(part, reference=False)
            found = self._by_pdq(prints.pdq_variants, prints.pdq_quality, references, copy_id=copy_id, reverse=False)
            found = found or self._by_features(copy_id, prints, references, mirrored=False, pixels=part.rgb)
            if found:
                return [
                    dataclasses.replace(
                        d,
                        transforms=tuple(dict.fromkeys((*d.transforms, "screenshot"))),
                        copy_region=place_in_region(image.rgb, (x, y, width, height), d.copy_region),
                        copy_edges=None,
                    )
                    for d in found
                ]
        return []

    def match_reference(
        self, reference_id: str, prints: Fingerprints, copies: Collection, *, image: DecodedImage | None = None
    ) -> list[Decision]:
        """Discovered images that copy the new reference `prints`, best first."""
        decisions: dict[str, Decision] = {}
        for decision in self._by_pdq(
            prints.pdq_variants, prints.pdq_quality, copies, copy_id=reference_id, reverse=True
        ):
            decisions[decision.copy_id] = decision
        passes = [(prints.features, False)]
        if image is not None:
            passes.append((self.fingerprinter.mirrored_features(image, reference=True, features=prints.features), True))
        for features, mirrored in passes:
            for votes in copies.descriptors.vote(
                features.descriptors[: self.config.vote_features],
                max_distance=self.config.descriptor_max_distance,
                top=max(self.config.verify_candidates * 4, 16),
            ):
                copy_id = votes.item_id
                if copy_id in decisions or votes.votes < self.config.min_votes:
                    continue
                copy = copies.features(copy_id)
                verification = local.verify(copy, features, mirrored=mirrored, min_matches=self.config.min_inliers)
                if verification is not None and mirrored:
                    verification = local.flip_region(verification)
                decision = self._from_verification(reference_id, copy_id, verification, None)
                if decision is not None:
                    edges = local.copy_edges(verification, copy, features)
                    decisions[copy_id] = dataclasses.replace(decision, copy_region=edges.frame, copy_edges=edges)
        return sorted(decisions.values(), key=lambda d: -d.score)

    def _by_pdq(
        self, variants: tuple[bytes, ...], quality: int, collection: Collection, *, copy_id: str, reverse: bool
    ) -> list[Decision]:
        if quality < self.config.pdq_min_quality:
            return []
        threshold = self.config.pdq_max_distance
        decisions = []
        for hit in collection.hashes.search(list(variants), max_distance=threshold):
            if collection.quality(hit.item_id) < self.config.pdq_min_quality:
                continue
            transforms = ("reencode",) + _dihedral_transform(hit.variant)
            evidence = (SignalEvidence("pdq", hit.distance, threshold),)
            reference_id, found_copy = (copy_id, hit.item_id) if reverse else (hit.item_id, copy_id)
            decisions.append(
                Decision(
                    reference_id=reference_id,
                    copy_id=found_copy,
                    score=score_for_pdq(hit.distance, threshold),
                    signals=evidence,
                    region=(0.0, 0.0, 1.0, 1.0),
                    transforms=transforms,
                    copy_region=(0.0, 0.0, 1.0, 1.0),
                )
            )
        return sorted(decisions, key=lambda d: -d.score)

    def _by_features(
        self,
        copy_id: str,
        prints: Fingerprints,
        references: Collection,
        *,
        mirrored: bool,
        features: local.LocalFeatures | None = None,
        pixels: np.ndarray | None = None,
    ) -> list[Decision]:
        """References whose keypoints the copy shows in one geometry; `pixels`, the copy's, place its region's
        edges."""
        query = features if features is not None else prints.features
        candidates = [
            votes.item_id
            for votes in references.descriptors.vote(
                query.descriptors[: self.config.vote_features],
                max_distance=self.config.descriptor_max_distance,
                top=self.config.verify_candidates,
            )
            if votes.votes >= self.config.min_votes
        ]
        for hit in references.hashes.search(
            list(prints.pdq_variants), max_distance=self.config.pdq_candidate_distance, k=self.config.pdq_candidates
        )[: self.config.pdq_candidates]:
            if hit.item_id not in candidates:
                candidates.append(hit.item_id)
        similarities: dict[str, float] = {}
        if prints.clip is not None and references.embeddings is not None and not mirrored:
            for hit in references.embeddings.search(
                prints.clip, k=self.config.clip_candidates, min_similarity=self.config.clip_min_similarity
            ):
                similarities[hit.item_id] = hit.distance
                if hit.item_id not in candidates:
                    candidates.append(hit.item_id)
        decisions = []
        for reference_id in candidates:
            reference = references.features(reference_id)
            verification = local.verify(query, reference, mirrored=mirrored, min_matches=self.config.min_inliers)
            decision = self._from_verification(reference_id, copy_id, verification, similarities.get(reference_id))
            if decision is not None:
                edges = local.copy_edges(verification, query, reference)
                edges = edges.mirrored() if mirrored else edges
                decision = dataclasses.replace(decision, copy_region=edges.frame, copy_edges=edges)
                if pixels is not None:
                    decision = place_copy_region(decision, pixels)
                decisions.append(decision)
                if decision.inliers >= self.config.confident_inliers:
                    break
        return sorted(decisions, key=lambda d: -d.score)

    def _from_verification(
        self,
        reference_id: str,
        copy_id: str,
        verification: local.Verification | None,
        similarity: float | None,
    ) -> Decision | None:
        if verification is None or verification.inliers < self.config.min_inliers:
            return None
        ratio = verification.inliers / max(verification.matches, 1)
        if ratio < self.config.min_inlier_ratio and verification.inliers < self.config.confident_inliers:
            return None
        signals = [SignalEvidence("local_features", float(verification.inliers), float(self.config.min_inliers))]
        if similarity is not None:
            threshold = round(1.0 - self.config.clip_min_similarity, 4)
            signals.append(SignalEvidence("clip", round(1.0 - similarity, 4), threshold))
        return Decision(
            reference_id=reference_id,
            copy_id=copy_id,
            score=score_for_inliers(verification.inliers, self.config.min_inliers),
            signals=tuple(signals),
            inliers=verification.inliers,
            region=verification.region,
            transforms=guess_transforms(verification),
        )


def place_copy_region(decision: Decision, pixels: np.ndarray) -> Decision:
    """The decision with its copy region's edges put on the copy's pixels (RGB, at any scale), when it came
    from a verified geometry."""
    edges = decision.copy_edges
    if edges is None or not edges.upright:
        return decision
    return dataclasses.replace(decision, copy_region=place_edges(edges.frame, edges.seen, pixels))


def _dihedral_transform(variant: int) -> tuple[str, ...]:
    name = pdq.DIHEDRAL[variant]
    if name == "original":
        return ()
    if name.startswith("rotate"):
        return ("rotate",)
    return ("mirror",) if name.startswith("mirror") else ("mirror", "rotate")


def guess_transforms(verification: local.Verification) -> tuple[str, ...]:
    guesses = ["reencode"]
    if verification.mirrored:
        guesses.append("mirror")
    if abs(verification.rotation_degrees) > 1.5:
        guesses.append("rotate")
    if verification.coverage < 0.85:
        guesses.append("crop")
    if abs(verification.scale - 1.0) > 0.1:
        guesses.append("resize")
    if verification.anisotropy > 1.08:
        guesses.append("aspect")
    if verification.share_of_copy < 0.6:
        guesses.append("screenshot")
    elif verification.share_of_copy < 0.95:
        guesses.append("letterbox")
    return tuple(guesses)


def score_for_pdq(distance: float, threshold: int) -> float:
    """1 for identical hashes, 0.5 at the threshold; PDQ distances of unrelated images sit near 128."""
    if distance <= threshold:
        return round(1.0 - 0.5 * distance / max(threshold, 1), 4)
    return round(max(0.0, 0.5 * (1 - (distance - threshold) / (128 - threshold))), 4)


def score_for_inliers(inliers: int, threshold: int) -> float:
    """0.5 at the inlier threshold, rising towards 1 as more keypoints agree on one geometry."""
    if inliers < threshold:
        return round(0.5 * inliers / max(threshold, 1), 4)
    return round(1.0 - 0.5 * float(np.exp(-(inliers - threshold) / threshold)), 4)
