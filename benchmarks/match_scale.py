"""Matcher index latency and memory as the reference collection grows (synthetic fingerprints).

Fills the matcher's own index classes with random fingerprints shaped like the real ones
(256-bit PDQ codes; binary ORB descriptors, `--indexed` per reference) and times the
searches the cascade makes for one discovered image: the 8 dihedral PDQ variants against
the hash index, then `--query-descriptors` descriptors voting in the local-feature index.
Some queries are planted near stored references so the searches do real work.

Prints one JSON object per collection size: p50/p99 latency of each search and of both
together, index memory per reference, and build time. One thread, as in a matcher replica.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from pixhound_matcher.engine import limit_native_threads
from pixhound_matcher.indexes import HashIndex, LocalFeatureIndex


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 2)


def run(size: int, indexed: int, query_descriptors: int, queries: int, seed: int, features_on: bool) -> dict:
    rng = np.random.default_rng(seed)
    before = rss_mib()
    started = time.perf_counter()
    hashes = HashIndex(256)
    batch = 100_000
    for start in range(0, size, batch):
        count = min(batch, size - start)
        codes = rng.integers(0, 256, (count, 32), dtype=np.uint8)
        hashes.add_many([f"r{start + n}" for n in range(count)], [row.tobytes() for row in codes])
    hash_build = time.perf_counter() - started
    hash_memory = rss_mib() - before

    if not features_on:
        return _pdq_only(size, hashes, hash_build, hash_memory, queries, rng)
    before = rss_mib()
    started = time.perf_counter()
    features = LocalFeatureIndex(inverted_threshold=min(2_000_000, size * indexed - 1))
    planted = {}
    for start in range(0, size, batch):
        count = min(batch, size - start)
        block = rng.integers(0, 256, (count, indexed, 32), dtype=np.uint8)
        for n in range(count):
            features._ids.append(f"r{start + n}")
        features._owners.append(np.repeat(np.arange(start, start + count, dtype=np.int32), indexed))
        features._descriptors.append(block.reshape(-1, 32))
        features._count += count * indexed
        if start == 0:
            planted = {n: block[n] for n in range(min(queries, count))}
    features._rebuild_inverted()
    feature_build = time.perf_counter() - started
    feature_memory = rss_mib() - before

    hash_times, vote_times = [], []
    for n in range(queries):
        variants = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes() for _ in range(8)]
        started = time.perf_counter()
        hashes.search(variants, max_distance=31)
        hash_times.append(time.perf_counter() - started)
        noise = rng.integers(0, 256, (query_descriptors, 32), dtype=np.uint8)
        if n in planted:
            noise[: indexed // 2] = planted[n][: indexed // 2]
        started = time.perf_counter()
        votes = features.vote(noise, max_distance=64, top=3)
        vote_times.append(time.perf_counter() - started)
        if n in planted:
            assert votes and votes[0].item_id == f"r{n}", "a planted reference must win the vote"
    total = [a + b for a, b in zip(hash_times, vote_times, strict=True)]
    return {
        "references": size,
        "indexed_descriptors_per_reference": indexed,
        "query_descriptors": query_descriptors,
        "hash_index": hashes.kind,
        "feature_index": features.kind,
        "pdq_p50_ms": percentile(hash_times, 50),
        "pdq_p99_ms": percentile(hash_times, 99),
        "features_p50_ms": percentile(vote_times, 50),
        "features_p99_ms": percentile(vote_times, 99),
        "query_p50_ms": percentile(total, 50),
        "query_p99_ms": percentile(total, 99),
        "pdq_bytes_per_reference": round(hash_memory * 2**20 / size),
        "feature_bytes_per_reference": round(feature_memory * 2**20 / size),
        "build_s": round(hash_build + feature_build, 1),
    }


def _pdq_only(size: int, hashes: HashIndex, build: float, memory: float, queries: int, rng) -> dict:
    times = []
    for _ in range(queries):
        variants = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes() for _ in range(8)]
        started = time.perf_counter()
        hashes.search(variants, max_distance=31)
        times.append(time.perf_counter() - started)
    return {
        "references": size,
        "hash_index": hashes.kind,
        "pdq_p50_ms": percentile(times, 50),
        "pdq_p99_ms": percentile(times, 99),
        "pdq_bytes_per_reference": round(memory * 2**20 / size),
        "build_s": round(build, 1),
        "features": "not measured at this size",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--indexed", type=int, default=128, help="descriptors per reference in the vote index")
    parser.add_argument("--query-descriptors", type=int, default=400)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--features-up-to", type=int, default=10**9, help="skip the feature index above this size")
    args = parser.parse_args()
    limit_native_threads()
    for size in (int(s) for s in args.sizes.split(",")):
        features_on = size <= args.features_up_to
        result = run(size, args.indexed, args.query_descriptors, args.queries, args.seed, features_on)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
