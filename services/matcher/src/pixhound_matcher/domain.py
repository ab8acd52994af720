"""Shard assignment: which matcher replica owns which reference photos.

References are partitioned across shards by a stable hash of their id, so each shard
holds a fixed share of the collection in memory. Every discovered image reaches every
shard (each shard's consumer group reads the whole discoveries topic), each shard
publishes the matches it finds, and cases merges them (one match per photo and page).
"""

from __future__ import annotations

import hashlib


def shard_of(photo_id: str, shard_count: int) -> int:
    return int.from_bytes(hashlib.blake2b(photo_id.encode(), digest_size=8).digest(), "big") % shard_count


def owns_reference(photo_id: str, shard: int, shard_count: int) -> bool:
    return shard_of(photo_id, shard_count) == shard
