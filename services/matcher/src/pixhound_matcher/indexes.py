"""FAISS indexes for each signal, keyed by string ids, that change structure as they grow and persist as snapshots.

- `HashIndex` holds binary hashes (PDQ, pHash): exhaustive Hamming search while small, a
  binary HNSW graph once it passes `graph_threshold`.
- `VectorIndex` holds L2-normalised embeddings (CLIP) for inner-product search: flat while
  small, HNSW beyond.
- `LocalFeatureIndex` holds the binary descriptors of every reference's keypoints with the
  reference each came from: flat while small, an inverted file (IVF) beyond, and votes
  references by how many descriptors they share with a query.

Every index serialises to bytes (`snapshot`) and back (`restore`); the worker stores the
snapshots in object storage and adds what came after the snapshot from the database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import faiss
import numpy as np

SNAPSHOT_MAGIC = b"PXIX1"
INVERTED_THRESHOLD = 4_096  # descriptors; above it an inverted file beats exhaustive search even at one query


@dataclass(frozen=True)
class Hit:
    item_id: str
    distance: float
    variant: int = 0


@dataclass(frozen=True)
class Votes:
    item_id: str
    votes: int


class _Ids:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.known: set[str] = set()

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.known

    def append(self, item_id: str) -> None:
        self.ids.append(item_id)
        self.known.add(item_id)


class HashIndex:
    def __init__(self, bits: int, *, graph_threshold: int = 200_000) -> None:
        self.bits = bits
        self.graph_threshold = graph_threshold
        self._ids = _Ids()
        self._codes: list[np.ndarray] = []
        self._index: faiss.IndexBinary = faiss.IndexBinaryFlat(bits)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._ids

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexBinaryHNSW) else "flat"

    def add(self, item_id: str, code: bytes) -> None:
        self.add_many([item_id], [code])

    def add_many(self, item_ids: list[str], codes: list[bytes]) -> None:
        fresh = [(i, c) for i, c in zip(item_ids, codes, strict=True) if i not in self._ids]
        if not fresh:
            return
        matrix = np.frombuffer(b"".join(c for _, c in fresh), dtype=np.uint8).reshape(len(fresh), self.bits // 8)
        for item_id, _ in fresh:
            self._ids.append(item_id)
        self._codes.append(matrix)
        if self.kind == "flat" and len(self) > self.graph_threshold:
            self._rebuild_as_graph()
        else:
            self._index.add(matrix)

    def _all_codes(self) -> np.ndarray:
        if len(self._codes) > 1:
            self._codes = [np.vstack(self._codes)]
        return self._codes[0] if self._codes else np.zeros((0, self.bits // 8), np.uint8)

    def _rebuild_as_graph(self) -> None:
        graph = faiss.IndexBinaryHNSW(self.bits, 16)
        graph.hnsw.efConstruction = 40
        graph.hnsw.efSearch = 64
        graph.add(self._all_codes())
        self._index = graph

    def search(self, codes: list[bytes], *, max_distance: int, k: int = 4) -> list[Hit]:
        """Nearest items to any of the query codes (for example a hash's dihedral variants), best first."""
        if not len(self) or not codes:
            return []
        query = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(len(codes), self.bits // 8)
        distances, labels = self._index.search(query, min(k, len(self)))
        best: dict[str, Hit] = {}
        for variant, (row_distances, row_labels) in enumerate(zip(distances, labels, strict=True)):
            for distance, label in zip(row_distances, row_labels, strict=True):
                if label < 0 or distance > max_distance:
                    continue
                item_id = self._ids.ids[int(label)]
                if item_id not in best or distance < best[item_id].distance:
                    best[item_id] = Hit(item_id, float(distance), variant)
        return sorted(best.values(), key=lambda hit: (hit.distance, hit.item_id))

    def codes_by_id(self) -> dict[str, bytes]:
        codes = self._all_codes()
        return {item_id: codes[n].tobytes() for n, item_id in enumerate(self._ids.ids)}

    def memory_bytes(self) -> int:
        return _serialized_size(faiss.serialize_index_binary(self._index))

    def snapshot(self) -> bytes:
        return _pack(self._ids.ids, self._all_codes().tobytes(), {"bits": self.bits})

    @classmethod
    def restore(cls, data: bytes, *, graph_threshold: int = 200_000) -> HashIndex:
        ids, payload, meta = _unpack(data)
        index = cls(int(meta["bits"]), graph_threshold=graph_threshold)
        width = index.bits // 8
        index.add_many(ids, [payload[n * width : (n + 1) * width] for n in range(len(ids))])
        return index


class VectorIndex:
    def __init__(self, dimensions: int, *, graph_threshold: int = 50_000) -> None:
        self.dimensions = dimensions
        self.graph_threshold = graph_threshold
        self._ids = _Ids()
        self._vectors: list[np.ndarray] = []
        self._index: faiss.Index = faiss.IndexFlatIP(dimensions)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "flat"

    def add_many(self, item_ids: list[str], vectors: np.ndarray) -> None:
        keep = [n for n, item_id in enumerate(item_ids) if item_id not in self._ids]
        if not keep:
            return
        matrix = np.ascontiguousarray(vectors[keep], dtype=np.float32)
        for n in keep:
            self._ids.append(item_ids[n])
        self._vectors.append(matrix)
        if self.kind == "flat" and len(self) > self.graph_threshold:
            graph = faiss.IndexHNSWFlat(self.dimensions, 32, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efSearch = 64
            graph.add(np.vstack(self._vectors))
            self._vectors = [np.vstack(self._vectors)]
            self._index = graph
        else:
            self._index.add(matrix)

    def search(self, vector: np.ndarray, *, k: int = 5, min_similarity: float = -1.0) -> list[Hit]:
        if not len(self):
            return []
        similarities, labels = self._index.search(vector.reshape(1, -1).astype(np.float32), min(k, len(self)))
        return [
            Hit(self._ids.ids[int(label)], float(similarity))
            for similarity, label in zip(similarities[0], labels[0], strict=True)
            if label >= 0 and similarity >= min_similarity
        ]

    def snapshot(self) -> bytes:
        vectors = np.vstack(self._vectors) if self._vectors else np.zeros((0, self.dimensions), np.float32)
        return _pack(self._ids.ids, vectors.astype(np.float32).tobytes(), {"dimensions": self.dimensions})

    @classmethod
    def restore(cls, data: bytes) -> VectorIndex:
        ids, payload, meta = _unpack(data)
        index = cls(int(meta["dimensions"]))
        index.add_many(ids, np.frombuffer(payload, dtype=np.float32).reshape(len(ids), index.dimensions))
        return index


class LocalFeatureIndex:
    """Descriptors of every reference keypoint, searched to vote for the references a query shares pieces with."""

    def __init__(
        self, *, descriptor_bytes: int = 32, inverted_threshold: int = INVERTED_THRESHOLD, probes: int = 8
    ) -> None:
        self.bits = descriptor_bytes * 8
        self.inverted_threshold = inverted_threshold
        self.probes = probes
        self._trained_on = 0
        self._ids = _Ids()
        self._owners: list[np.ndarray] = []
        self._descriptors: list[np.ndarray] = []
        self._index: faiss.IndexBinary = faiss.IndexBinaryFlat(self.bits)
        self._count = 0

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._ids

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexBinaryIVF) else "flat"

    @property
    def descriptor_count(self) -> int:
        return self._count

    def add(self, item_id: str, descriptors: np.ndarray) -> None:
        if item_id in self._ids or not len(descriptors):
            if item_id not in self._ids:
                self._ids.append(item_id)
            return
        owner = len(self._ids)
        self._ids.append(item_id)
        descriptors = np.ascontiguousarray(descriptors, dtype=np.uint8)
        self._owners.append(np.full(len(descriptors), owner, dtype=np.int32))
        self._descriptors.append(descriptors)
        self._count += len(descriptors)
        grown = self.kind == "ivf" and self._count > 8 * self._trained_on
        if (self.kind == "flat" and self._count > self.inverted_threshold) or grown:
            self._rebuild_inverted()
        else:
            self._index.add(descriptors)

    def _rebuild_inverted(self) -> None:
        everything = np.vstack(self._descriptors)
        self._descriptors = [everything]
        self._owners = [np.concatenate(self._owners)]
        lists = int(min(4096, len(everything) // 40, max(64, 4 * np.sqrt(len(everything)))))
        quantizer = faiss.IndexBinaryFlat(self.bits)
        inverted = faiss.IndexBinaryIVF(quantizer, self.bits, lists)
        sample = everything[np.random.default_rng(0).choice(len(everything), min(len(everything), lists * 39), False)]
        inverted.train(sample)
        inverted.add(everything)
        inverted.nprobe = self.probes
        self._index = inverted
        self._trained_on = len(everything)

    def vote(
        self,
        descriptors: np.ndarray,
        *,
        max_distance: int = 64,
        neighbours: int = 2,
        top: int = 4,
    ) -> list[Votes]:
        """References sharing the most descriptors with the query, best first, with their vote counts."""
        if not self._count or not len(descriptors):
            return []
        if len(self._owners) > 1:
            self._owners = [np.concatenate(self._owners)]
        owners = self._owners[0]
        distances, labels = self._index.search(np.ascontiguousarray(descriptors), neighbours)
        close = (labels >= 0) & (distances <= max_distance)
        query_rows = np.nonzero(close)[0]
        found = labels[close]
        found_owners = owners[found]
        counts = np.bincount(
            np.unique(query_rows.astype(np.int64) * (len(self._ids) + 1) + found_owners) % (len(self._ids) + 1),
            minlength=len(self._ids) + 1,
        )
        best = np.argsort(-counts)[:top]
        return [Votes(self._ids.ids[int(owner)], int(counts[owner])) for owner in best if counts[owner] > 0]

    def memory_bytes(self) -> int:
        return self._count * (self.bits // 8 + 4 + (8 if self.kind == "ivf" else 0))

    def snapshot(self) -> bytes:
        descriptors = np.vstack(self._descriptors) if self._descriptors else np.zeros((0, self.bits // 8), np.uint8)
        owners = np.concatenate(self._owners) if self._owners else np.zeros(0, np.int32)
        counts = np.bincount(owners, minlength=len(self._ids)).astype(np.int32)
        return _pack(self._ids.ids, counts.tobytes() + descriptors.tobytes(), {"bits": self.bits})

    @classmethod
    def restore(cls, data: bytes, *, inverted_threshold: int = INVERTED_THRESHOLD) -> LocalFeatureIndex:
        ids, payload, meta = _unpack(data)
        index = cls(descriptor_bytes=int(meta["bits"]) // 8, inverted_threshold=inverted_threshold)
        counts = np.frombuffer(payload[: 4 * len(ids)], dtype=np.int32)
        descriptors = np.frombuffer(payload[4 * len(ids) :], dtype=np.uint8).reshape(-1, index.bits // 8)
        start = 0
        for item_id, count in zip(ids, counts, strict=True):
            index.add(item_id, descriptors[start : start + count])
            start += int(count)
        return index


def _pack(ids: list[str], payload: bytes, meta: dict[str, int]) -> bytes:
    header = "\n".join(f"{key}={value}" for key, value in sorted(meta.items())).encode()
    joined = "\n".join(ids).encode()
    buffer = io.BytesIO()
    buffer.write(SNAPSHOT_MAGIC)
    for part in (header, joined, payload):
        buffer.write(len(part).to_bytes(8, "big"))
        buffer.write(part)
    return buffer.getvalue()


def _unpack(data: bytes) -> tuple[list[str], bytes, dict[str, str]]:
    if not data.startswith(SNAPSHOT_MAGIC):
        raise ValueError("not an index snapshot")
    parts, offset = [], len(SNAPSHOT_MAGIC)
    for _ in range(3):
        size = int.from_bytes(data[offset : offset + 8], "big")
        parts.append(data[offset + 8 : offset + 8 + size])
        offset += 8 + size
    header, joined, payload = parts
    meta = dict(line.split("=", 1) for line in header.decode().splitlines() if line)
    ids = joined.decode().split("\n") if joined else []
    return ids, payload, meta


def _serialized_size(serialized: np.ndarray) -> int:
    return int(serialized.nbytes)
