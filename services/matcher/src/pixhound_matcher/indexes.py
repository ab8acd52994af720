"""FAISS indexes for each signal, keyed by string ids, that change structure as they grow and persist as snapshots.

- `HashIndex` holds binary hashes (PDQ, pHash): exhaustive Hamming search while small, a
  binary HNSW graph once it passes `graph_threshold`.
- `VectorIndex` holds L2-normalised embeddings (CLIP) for inner-product search: flat while
  small, an inverted file of 8-bit codes beyond.
- `LocalFeatureIndex` holds the binary descriptors of every reference's keypoints with the
  reference each came from: flat while small, an inverted file under a two-level vocabulary
  tree beyond, and votes references by how many descriptors they share with a query.

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
    """L2-normalised embeddings searched by inner product: exact while small, an inverted file over 8-bit
    scalar codes beyond `inverted_threshold` (a quarter of the memory of float vectors; the embeddings only
    propose candidates that local features then verify). The inverted file is retrained when the collection
    has grown `regrowth` times since it was built."""

    def __init__(
        self, dimensions: int, *, inverted_threshold: int = 50_000, probes: int = 32, regrowth: int = 4
    ) -> None:
        self.dimensions = dimensions
        self.inverted_threshold = inverted_threshold
        self.probes = probes
        self.regrowth = regrowth
        self._trained_on = 0
        self._ids = _Ids()
        self._index: faiss.Index = faiss.IndexFlatIP(dimensions)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    def add_many(self, item_ids: list[str], vectors: np.ndarray) -> None:
        keep = [n for n, item_id in enumerate(item_ids) if item_id not in self._ids]
        if not keep:
            return
        matrix = np.ascontiguousarray(vectors[keep], dtype=np.float32)
        for n in keep:
            self._ids.append(item_ids[n])
        total = self._index.ntotal + len(matrix)
        if (self.kind == "flat" and total > self.inverted_threshold) or (
            self.kind == "ivf" and total > self.regrowth * self._trained_on
        ):
            self._rebuild_inverted(np.vstack([self._vectors(), matrix]))
        else:
            self._index.add(matrix)

    def _rebuild_inverted(self, vectors: np.ndarray) -> None:
        lists = int(np.clip(4 * np.sqrt(len(vectors)), 4, 16_384))
        quantizer = faiss.IndexFlatIP(self.dimensions)
        inverted = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dimensions, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        inverted.cp.niter = 10
        sample = np.random.default_rng(0).permutation(len(vectors))[: lists * 39]
        inverted.train(vectors[sample])
        inverted.add(vectors)
        inverted.make_direct_map(True)
        inverted.nprobe = min(self.probes, lists)
        self._index = inverted
        self._trained_on = len(vectors)

    def _vectors(self) -> np.ndarray:
        if not self._index.ntotal:
            return np.zeros((0, self.dimensions), np.float32)
        return self._index.reconstruct_n(0, self._index.ntotal)

    def search(self, vector: np.ndarray, *, k: int = 5, min_similarity: float = -1.0) -> list[Hit]:
        if not len(self):
            return []
        similarities, labels = self._index.search(vector.reshape(1, -1).astype(np.float32), min(k, len(self)))
        return [
            Hit(self._ids.ids[int(label)], float(similarity))
            for similarity, label in zip(similarities[0], labels[0], strict=True)
            if label >= 0 and similarity >= min_similarity
        ]

    def memory_bytes(self) -> int:
        return _serialized_size(faiss.serialize_index(self._index))

    def snapshot(self) -> bytes:
        return _pack(self._ids.ids, self._vectors().astype(np.float32).tobytes(), {"dimensions": self.dimensions})

    @classmethod
    def restore(cls, data: bytes, *, inverted_threshold: int = 50_000) -> VectorIndex:
        ids, payload, meta = _unpack(data)
        index = cls(int(meta["dimensions"]), inverted_threshold=inverted_threshold)
        index.add_many(ids, np.frombuffer(payload, dtype=np.float32).reshape(len(ids), index.dimensions))
        return index


class LocalFeatureIndex:
    """Descriptors of every reference keypoint, searched to vote for the references a query shares pieces with.

    Each stored descriptor carries its reference's ordinal as its FAISS id, and the index holds
    nothing else per descriptor (32 bytes of code, 8 of id). Exhaustive while small; past
    `inverted_threshold` an inverted file whose coarse quantiser is a two-level vocabulary
    tree: `cells` top centroids (k-means), each with `cells` leaves under it, so a collection
    of 128 million descriptors (a million references) has 262,144 short lists, and assigning
    a descriptor to its list costs about 1,500 Hamming distances instead of a scan
    of every leaf. A query descriptor visits the leaves of its `cell_probes` nearest cells and
    scans the `probes` nearest lists. The tree is retrained when the collection has grown
    `regrowth` times since it was built.
    """

    def __init__(
        self,
        *,
        descriptor_bytes: int = 32,
        inverted_threshold: int = INVERTED_THRESHOLD,
        probes: int = 4,
        cell_probes: int = 2,
        list_length: int = 64,
        max_cells: int = 512,
        regrowth: int = 4,
    ) -> None:
        self.bits = descriptor_bytes * 8
        self.inverted_threshold = inverted_threshold
        self.probes = probes
        self.cell_probes = cell_probes
        self.list_length = list_length
        self.max_cells = max_cells
        self.regrowth = regrowth
        self._trained_on = 0
        self._ids = _Ids()
        self._index: faiss.IndexBinary = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(self.bits))

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._ids

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexBinaryIVF) else "flat"

    @property
    def descriptor_count(self) -> int:
        return int(self._index.ntotal)

    @property
    def lists(self) -> int:
        return int(self._index.nlist) if self.kind == "ivf" else 0

    def add(self, item_id: str, descriptors: np.ndarray) -> None:
        self.add_many(
            [item_id], np.asarray(descriptors, dtype=np.uint8).reshape(-1, self.bits // 8), [len(descriptors)]
        )

    def add_many(self, item_ids: list[str], descriptors: np.ndarray, counts: list[int] | np.ndarray) -> None:
        """Add items at once: `descriptors` holds each item's rows one after the other, `counts[n]` of them for
        `item_ids[n]`. Items already present are skipped."""
        counts = np.asarray(counts, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        owners, keep = [], []
        for item_id, start, count in zip(item_ids, starts, counts, strict=True):
            if item_id in self._ids:
                continue
            owner = len(self._ids)
            self._ids.append(item_id)
            if count:
                keep.append((int(start), int(count)))
                owners.append(np.full(int(count), owner, dtype=np.int64))
        if not keep:
            return
        if len(keep) == len(item_ids):
            rows = np.ascontiguousarray(descriptors, dtype=np.uint8)
        else:
            rows = np.vstack([descriptors[start : start + count] for start, count in keep])
        labels = np.concatenate(owners)
        total = self.descriptor_count + len(rows)
        if (self.kind == "flat" and total > self.inverted_threshold) or (
            self.kind == "ivf" and total > self.regrowth * self._trained_on
        ):
            self._rebuild_inverted(rows, labels)
        else:
            self._index.add_with_ids(rows, labels)

    def stored(self) -> tuple[np.ndarray, np.ndarray]:
        """Every stored descriptor with its owner's ordinal, in no particular order."""
        width = self.bits // 8
        if self.kind == "flat":
            flat = faiss.downcast_IndexBinary(self._index.index)
            codes = faiss.vector_to_array(flat.xb).reshape(-1, width)
            return codes, faiss.vector_to_array(self._index.id_map).astype(np.int64)
        lists = self._index.invlists
        codes, owners = [], []
        for list_no in range(self._index.nlist):
            size = lists.list_size(list_no)
            if size:
                codes.append(faiss.rev_swig_ptr(lists.get_codes(list_no), size * width).copy())
                owners.append(faiss.rev_swig_ptr(lists.get_ids(list_no), size).copy())
        if not codes:
            return np.zeros((0, width), np.uint8), np.zeros(0, np.int64)
        return np.concatenate(codes).reshape(-1, width), np.concatenate(owners)

    def warm(self) -> None:
        """Read every list once, so that no query pays for the first touch of its lists' memory (on a fresh
        build over a million references, the first pass of queries had a p99 nine times the later passes')."""
        if self.kind != "ivf":
            return
        lists, width = self._index.invlists, self.bits // 8
        for list_no in range(self._index.nlist):
            size = lists.list_size(list_no)
            if size:
                faiss.rev_swig_ptr(lists.get_codes(list_no), size * width).max()
                faiss.rev_swig_ptr(lists.get_ids(list_no), size).max()

    def _rebuild_inverted(self, new_codes: np.ndarray, new_owners: np.ndarray) -> None:
        codes, owners = self.stored()
        if len(codes):
            codes, owners = np.vstack([codes, new_codes]), np.concatenate([owners, new_owners])
        else:
            codes, owners = np.ascontiguousarray(new_codes), new_owners
        self._index = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(self.bits))
        cells = int(np.clip(round(np.sqrt(len(codes) / self.list_length)), 4, self.max_cells))
        quantizer = self._vocabulary(codes, cells)
        inverted = faiss.IndexBinaryIVF(quantizer, self.bits, quantizer.ntotal)
        inverted.own_fields = True
        quantizer.this.disown()
        inverted.is_trained = True
        inverted.nprobe = self.probes
        _fill_lists(inverted, codes, owners)
        self._index = inverted
        self._trained_on = len(codes)

    def _vocabulary(self, codes: np.ndarray, cells: int) -> faiss.IndexBinaryIVF:
        rng = np.random.default_rng(0)
        top = faiss.IndexBinaryFlat(self.bits)
        quantizer = faiss.IndexBinaryIVF(top, self.bits, cells)
        quantizer.own_fields = True
        top.this.disown()
        quantizer.cp.niter = 10
        quantizer.train(codes[rng.choice(len(codes), min(len(codes), cells * 64), replace=False)])
        leaves = min(cells * cells, len(codes))
        quantizer.add(codes[rng.choice(len(codes), leaves, replace=False)])
        quantizer.nprobe = self.cell_probes
        return quantizer

    def vote(
        self,
        descriptors: np.ndarray,
        *,
        max_distance: int = 64,
        neighbours: int = 4,
        ratio: float = 0.8,
        top: int = 4,
    ) -> list[Votes]:
        """References sharing the most descriptors with the query, best first, with their vote counts.

        A query descriptor votes for the owner of its nearest stored descriptor when that one is
        within `max_distance` bits and clearly nearer than any descriptor of another reference among
        the `neighbours` nearest (Lowe's ratio test between references): texture every photo has
        (grass, sky, text) then votes for nobody instead of for the reference that has most of it.
        """
        if not self.descriptor_count or not len(descriptors):
            return []
        distances, owners = self._index.search(np.ascontiguousarray(descriptors), neighbours)
        rows = np.arange(len(owners))
        differs = (owners != owners[:, :1]) & (owners >= 0)
        other = np.where(differs.any(axis=1), distances[rows, differs.argmax(axis=1)], np.inf)
        nearest = distances[:, 0]
        voting = (owners[:, 0] >= 0) & (nearest <= max_distance) & (nearest < ratio * other)
        found, counts = np.unique(owners[voting, 0], return_counts=True)
        best = np.argsort(-counts, kind="stable")[:top]
        return [Votes(self._ids.ids[int(found[n])], int(counts[n])) for n in best]

    def memory_bytes(self) -> int:
        per_descriptor = self.bits // 8 + 8
        quantizer = self._index.quantizer.ntotal * per_descriptor if self.kind == "ivf" else 0
        return self.descriptor_count * per_descriptor + quantizer

    def snapshot(self) -> bytes:
        codes, owners = self.stored()
        order = np.argsort(owners, kind="stable")
        counts = np.bincount(owners, minlength=len(self._ids)).astype(np.int32)
        return _pack(self._ids.ids, counts.tobytes() + codes[order].tobytes(), {"bits": self.bits})

    @classmethod
    def restore(cls, data: bytes, *, inverted_threshold: int = INVERTED_THRESHOLD) -> LocalFeatureIndex:
        ids, payload, meta = _unpack(data)
        index = cls(descriptor_bytes=int(meta["bits"]) // 8, inverted_threshold=inverted_threshold)
        counts = np.frombuffer(payload[: 4 * len(ids)], dtype=np.int32)
        descriptors = np.frombuffer(payload[4 * len(ids) :], dtype=np.uint8).reshape(-1, index.bits // 8)
        index.add_many(ids, descriptors, counts)
        return index


def _fill_lists(inverted: faiss.IndexBinaryIVF, codes: np.ndarray, owners: np.ndarray) -> None:
    """Assign every code to its list and write each list once, so the lists hold no spare capacity."""
    assigned = np.empty(len(codes), dtype=np.int32)
    for start in range(0, len(codes), 1_000_000):
        _, nearest = inverted.quantizer.search(codes[start : start + 1_000_000], 1)
        assigned[start : start + len(nearest)] = nearest[:, 0]
    order = np.argsort(assigned, kind="stable")
    assigned = assigned[order]
    codes = codes[order]
    owners = owners[order]
    del order
    bounds = np.searchsorted(assigned, np.arange(inverted.nlist + 1))
    lists = inverted.invlists
    for list_no in np.flatnonzero(np.diff(bounds)):
        start, end = bounds[list_no], bounds[list_no + 1]
        lists.add_entries(
            int(list_no), int(end - start), faiss.swig_ptr(owners[start:end]), faiss.swig_ptr(codes[start:end])
        )
    inverted.ntotal = len(codes)


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
