"""Matcher index latency and memory as the reference collection grows (synthetic fingerprints).

Fills the matcher's own index classes with random fingerprints shaped like the real ones
(256-bit PDQ codes; binary ORB descriptors, `--indexed` per reference; 512-dimension
CLIP embeddings) and times the searches the cascade makes for one discovered image: the 8
dihedral PDQ variants against the hash index, `--query-descriptors` descriptors voting in
the local-feature index, and the embedding's nearest neighbours. Some queries are planted
near stored references, which must come first, so the searches do real work.

Prints one JSON object per collection size: p50/p99 latency of each search and of all
three together, index memory per reference (growth of the resident set while each index is
filled), and build time. Queries run on one thread, as in a matcher replica; building uses
two.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import sys
import time

import faiss
import numpy as np

from pixhound_matcher.engine import limit_native_threads
from pixhound_matcher.indexes import HashIndex, LocalFeatureIndex, VectorIndex

CLIP_DIMENSIONS = 512
BUILD_THREADS = 2
WARMUP_QUERIES = 20


def rss_mib() -> float:
    """Resident memory after handing freed heap back to the system, so temporary arrays are not counted."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 2)


def run(
    size: int, indexed: int, query_descriptors: int, queries: int, seed: int, features_on: bool, passes: int = 1
) -> dict:
    rng = np.random.default_rng(seed)
    ids = [f"r{n}" for n in range(size)]
    faiss.omp_set_num_threads(BUILD_THREADS)
    before = rss_mib()
    started = time.perf_counter()
    hashes = HashIndex(256)
    hashes.add_many(ids, [row.tobytes() for row in rng.integers(0, 256, (size, 32), dtype=np.uint8)])
    hash_build = time.perf_counter() - started
    hash_memory = rss_mib() - before

    if not features_on:
        faiss.omp_set_num_threads(1)
        return _pdq_only(size, hashes, hash_build, hash_memory, queries, rng)
    before = rss_mib()
    started = time.perf_counter()
    features = LocalFeatureIndex()
    descriptors = rng.integers(0, 256, (size * indexed, 32), dtype=np.uint8)
    planted = {n: descriptors[n * indexed : (n + 1) * indexed].copy() for n in range(min(queries, size))}
    features.add_many(ids, descriptors, np.full(size, indexed))
    del descriptors
    feature_build = time.perf_counter() - started
    feature_memory = rss_mib() - before

    before = rss_mib()
    started = time.perf_counter()
    embeddings = VectorIndex(CLIP_DIMENSIONS)
    vectors = _embeddings(size, rng)
    planted_vectors = {n: vectors[n].copy() for n in planted}
    for start in range(0, size, 100_000):
        embeddings.add_many(ids[start : start + 100_000], vectors[start : start + 100_000])
    del vectors
    clip_build = time.perf_counter() - started
    clip_memory = rss_mib() - before
    faiss.omp_set_num_threads(1)
    started = time.perf_counter()
    features.warm()
    warm_s = time.perf_counter() - started
    gc.freeze()  # as the matcher does once its collections are loaded

    for _ in range(WARMUP_QUERIES):
        hashes.search([rng.integers(0, 256, 32, dtype=np.uint8).tobytes()], max_distance=31)
        features.vote(rng.integers(0, 256, (query_descriptors, 32), dtype=np.uint8), max_distance=64, top=3)
        embeddings.search(_unit(rng.normal(size=CLIP_DIMENSIONS).astype(np.float32)), k=3)
    hash_times, vote_times, clip_times, vote_queries = [], [], [], []
    for n in range(queries):
        variants = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes() for _ in range(8)]
        started = time.perf_counter()
        hashes.search(variants, max_distance=31)
        hash_times.append(time.perf_counter() - started)
        noise = rng.integers(0, 256, (query_descriptors, 32), dtype=np.uint8)
        if n in planted:
            noise[: indexed // 2] = planted[n][: indexed // 2]
        vote_queries.append(noise)
        started = time.perf_counter()
        votes = features.vote(noise, max_distance=64, top=3)
        vote_times.append(time.perf_counter() - started)
        if n in planted:
            assert votes and votes[0].item_id == f"r{n}", "a planted reference must win the vote"
        query = _unit(planted_vectors[n] + rng.normal(scale=0.014, size=CLIP_DIMENSIONS).astype(np.float32))
        started = time.perf_counter()
        hits = embeddings.search(query, k=3, min_similarity=0.8)
        clip_times.append(time.perf_counter() - started)
        assert hits and hits[0].item_id == f"r{n}", "a planted embedding must be found"
    total = [a + b + c for a, b, c in zip(hash_times, vote_times, clip_times, strict=True)]
    repeats = _repeat_votes(features, vote_queries, vote_times, passes)
    return {
        "references": size,
        "indexed_descriptors_per_reference": indexed,
        "query_descriptors": query_descriptors,
        "hash_index": hashes.kind,
        "feature_index": features.kind,
        "feature_lists": features.lists,
        "clip_index": embeddings.kind,
        "pdq_p50_ms": percentile(hash_times, 50),
        "pdq_p99_ms": percentile(hash_times, 99),
        "features_p50_ms": percentile(vote_times, 50),
        "features_p99_ms": percentile(vote_times, 99),
        "clip_p50_ms": percentile(clip_times, 50),
        "clip_p99_ms": percentile(clip_times, 99),
        "query_p50_ms": percentile(total, 50),
        "query_p99_ms": percentile(total, 99),
        "pdq_bytes_per_reference": round(hash_memory * 2**20 / size),
        "feature_bytes_per_reference": round(feature_memory * 2**20 / size),
        "clip_bytes_per_reference": round(clip_memory * 2**20 / size),
        "bytes_per_reference": round((hash_memory + feature_memory + clip_memory) * 2**20 / size),
        "structure_bytes_per_reference": {
            "pdq": round(hashes.memory_bytes() / size),
            "features": round(features.memory_bytes() / size),
            "clip": round(embeddings.memory_bytes() / size),
        },
        "build_s": {"pdq": round(hash_build, 1), "features": round(feature_build, 1), "clip": round(clip_build, 1)},
        "warm_s": round(warm_s, 1),
        **repeats,
    }


def _repeat_votes(features: LocalFeatureIndex, queries: list[np.ndarray], first: list[float], passes: int) -> dict:
    """Time the same votes again: a slow query that is slow every time points at the index, one that is slow
    once at the machine."""
    if passes < 2:
        return {}
    slowest = set(np.argsort(first)[-10:].tolist())
    again, later = [], []
    for _ in range(passes - 1):
        times = []
        for query in queries:
            started = time.perf_counter()
            features.vote(query, max_distance=64, top=3)
            times.append(time.perf_counter() - started)
        again.append({"features_p50_ms": percentile(times, 50), "features_p99_ms": percentile(times, 99)})
        later.append(set(np.argsort(times)[-10:].tolist()))
    return {
        "vote_passes": again,
        "slowest_10_slow_again": len(slowest & set().union(*later)),
        "slowest_10_next_pass_ms": sorted(round(times[n] * 1000, 1) for n in slowest) if passes == 2 else None,
    }


def _embeddings(size: int, rng) -> np.ndarray:
    """Unit vectors around 2,000 topics (two photos of one topic have a similarity near 0.55), since photo
    embeddings are not spread uniformly over the sphere; a copy's embedding is then drawn at similarity 0.95."""
    topics = _unit(rng.normal(size=(2_000, CLIP_DIMENSIONS)).astype(np.float32))
    vectors = np.empty((size, CLIP_DIMENSIONS), np.float32)
    for start in range(0, size, 100_000):
        count = min(100_000, size - start)
        noise = rng.normal(scale=0.04, size=(count, CLIP_DIMENSIONS)).astype(np.float32)
        vectors[start : start + count] = _unit(topics[rng.integers(0, len(topics), count)] + noise)
    return vectors


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


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
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--passes", type=int, default=1, help="time the votes this many times over (tail check)")
    parser.add_argument("--features-up-to", type=int, default=10**9, help="skip the feature index above this size")
    args = parser.parse_args()
    limit_native_threads()
    for size in (int(s) for s in args.sizes.split(",")):
        features_on = size <= args.features_up_to
        result = run(size, args.indexed, args.query_descriptors, args.queries, args.seed, features_on, args.passes)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
