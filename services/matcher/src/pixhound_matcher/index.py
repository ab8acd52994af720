"""In-memory FAISS index of binary fingerprints, keyed by string ids.

Loaded from the matcher's database at start (the service is not ready until then) and
extended after each committed insert. Exhaustive Hamming search is exact and fast while
the collection is small; the matcher issue moves large collections to multi-index hashing.
"""

from __future__ import annotations

import faiss
import numpy as np


class BinaryHashIndex:
    def __init__(self, bits: int) -> None:
        self.bits = bits
        self._index = faiss.IndexBinaryFlat(bits)
        self._ids: list[str] = []
        self._known: set[str] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, item_id: str, code: bytes) -> None:
        if item_id in self._known:
            return
        self._index.add(np.frombuffer(code, dtype=np.uint8).reshape(1, -1))
        self._ids.append(item_id)
        self._known.add(item_id)

    def search(self, code: bytes, max_distance: int) -> list[tuple[str, int]]:
        if not self._ids:
            return []
        query = np.frombuffer(code, dtype=np.uint8).reshape(1, -1)
        limits, distances, labels = self._index.range_search(query, max_distance + 1)
        found = [
            (self._ids[int(label)], int(distance))
            for label, distance in zip(labels[limits[0] : limits[1]], distances[limits[0] : limits[1]], strict=True)
        ]
        return sorted(found, key=lambda pair: (pair[1], pair[0]))
