"""Each item's full fingerprints, kept in a file rather than in memory, because only the few candidates a query
verifies are ever read back.

The indexes hold what searching needs (PDQ codes, 128 descriptors, an 8-bit embedding); the
verification keypoints (384 points with descriptors, about 14 KB), the exact embedding and the
PDQ quality of every item make up most of a collection's size but are read for the two or
three candidates of a query. They go to an append-only file, read with positional reads (the
operating system's page cache keeps the busy ones in memory), and memory holds 16 bytes of
offsets per item. The file is a cache: a replica rebuilds it from the latest snapshot or the
database when it starts, like the indexes. Each record is encoded as in a collection snapshot,
so a snapshot is the file's bytes behind a header.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass

import numpy as np

from pixhound_matcher.signals import local

PDQ_BYTES = 32


@dataclass(frozen=True)
class Record:
    item_id: str
    pdq: bytes
    quality: int
    features: local.LocalFeatures
    clip: np.ndarray | None


def encode(item_id: str, pdq: bytes, quality: int, features: local.LocalFeatures, clip: np.ndarray | None) -> bytes:
    encoded_id, encoded_features = item_id.encode(), features.to_bytes()
    encoded_clip = b"" if clip is None else np.asarray(clip, np.float32).tobytes()
    return b"".join(
        (
            len(encoded_id).to_bytes(2, "big"),
            encoded_id,
            pdq,
            quality.to_bytes(1, "big"),
            len(encoded_features).to_bytes(4, "big"),
            encoded_features,
            len(encoded_clip).to_bytes(4, "big"),
            encoded_clip,
        )
    )


def decode(view: memoryview, offset: int = 0) -> tuple[Record, int]:
    """The record starting at `offset`, and where the next one starts."""
    size = int.from_bytes(view[offset : offset + 2], "big")
    item_id = bytes(view[offset + 2 : offset + 2 + size]).decode()
    offset += 2 + size
    pdq, quality = bytes(view[offset : offset + PDQ_BYTES]), int(view[offset + PDQ_BYTES])
    offset += PDQ_BYTES + 1
    size = int.from_bytes(view[offset : offset + 4], "big")
    features = local.LocalFeatures.from_bytes(bytes(view[offset + 4 : offset + 4 + size]))
    offset += 4 + size
    size = int.from_bytes(view[offset : offset + 4], "big")
    clip = np.frombuffer(bytes(view[offset + 4 : offset + 4 + size]), np.float32) if size else None
    return Record(item_id, pdq, quality, features, clip), offset + 4 + size


class RecordFile:
    """Append-only records addressed by item id, in an unnamed temporary file under `directory`."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory
        self._file = tempfile.TemporaryFile(dir=directory)
        self._ordinals: dict[str, int] = {}
        self._offsets = np.zeros(1024, dtype=np.int64)
        self._sizes = np.zeros(1024, dtype=np.int64)
        self._end = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ordinals)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._ordinals

    @property
    def size_bytes(self) -> int:
        return self._end

    def append(self, record: bytes, item_id: str) -> None:
        with self._lock:
            if item_id in self._ordinals:
                return
            ordinal = len(self._ordinals)
            if ordinal == len(self._offsets):
                self._offsets = np.resize(self._offsets, 2 * ordinal)
                self._sizes = np.resize(self._sizes, 2 * ordinal)
            os.pwrite(self._file.fileno(), record, self._end)
            self._offsets[ordinal], self._sizes[ordinal] = self._end, len(record)
            self._end += len(record)
            self._ordinals[item_id] = ordinal

    def get(self, item_id: str) -> Record:
        ordinal = self._ordinals[item_id]
        data = os.pread(self._file.fileno(), int(self._sizes[ordinal]), int(self._offsets[ordinal]))
        return decode(memoryview(data))[0]

    def features(self, item_id: str) -> local.LocalFeatures:
        return self.get(item_id).features

    def quality(self, item_id: str) -> int:
        ordinal = self._ordinals.get(item_id)
        if ordinal is None:
            return 0
        size = int.from_bytes(os.pread(self._file.fileno(), 2, int(self._offsets[ordinal])), "big")
        return os.pread(self._file.fileno(), 1, int(self._offsets[ordinal]) + 2 + size + PDQ_BYTES)[0]

    def contents(self) -> bytes:
        """Every record, in the order they were added."""
        return os.pread(self._file.fileno(), self._end, 0) if self._end else b""

    def __getstate__(self) -> dict:
        return {"directory": self.directory, "contents": self.contents()}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["directory"])
        view, offset = memoryview(state["contents"]), 0
        while offset < len(view):
            record, end = decode(view, offset)
            self.append(bytes(view[offset:end]), record.item_id)
            offset = end
