"""The per-signal FAISS indexes: exact while small, approximate structures once large, and snapshot round trips."""

from __future__ import annotations

import numpy as np
import pytest

from pixhound_matcher.indexes import HashIndex, LocalFeatureIndex, VectorIndex
from pixhound_matcher.signals import pdq


def _codes(count: int, seed: int = 0) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes() for _ in range(count)]


def _flip(code: bytes, bits: int, seed: int = 1) -> bytes:
    values = np.unpackbits(np.frombuffer(code, np.uint8))
    values[np.random.default_rng(seed).choice(256, bits, replace=False)] ^= 1
    return np.packbits(values).tobytes()


def test_hash_index_finds_near_codes_within_the_threshold():
    index = HashIndex(256)
    codes = _codes(50)
    index.add_many([f"r{n}" for n in range(50)], codes)
    hits = index.search([_flip(codes[7], 20)], max_distance=31)
    assert [(h.item_id, h.distance) for h in hits] == [("r7", 20.0)]
    assert index.search([_flip(codes[7], 40)], max_distance=31) == []


def test_hash_index_reports_which_variant_matched():
    index = HashIndex(256)
    codes = _codes(5)
    index.add_many([f"r{n}" for n in range(5)], codes)
    queries = _codes(3, seed=9) + [codes[2]]
    assert index.search(queries, max_distance=31)[0].variant == 3


def test_hash_index_becomes_a_graph_when_large_and_still_finds():
    index = HashIndex(256, graph_threshold=2000)
    codes = _codes(3000)
    index.add_many([f"r{n}" for n in range(3000)], codes)
    assert index.kind == "hnsw"
    found = sum(index.search([_flip(codes[n], 12, seed=n)], max_distance=31)[:1] == [] for n in range(0, 3000, 30))
    assert found == 0


def test_hash_index_add_is_idempotent_and_snapshots():
    index = HashIndex(256)
    codes = _codes(10)
    index.add_many([f"r{n}" for n in range(10)], codes)
    index.add("r3", codes[3])
    assert len(index) == 10
    restored = HashIndex.restore(index.snapshot())
    assert len(restored) == 10 and restored.search([codes[4]], max_distance=0)[0].item_id == "r4"


def test_vector_index_inner_product_and_snapshot():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(16, inverted_threshold=20)
    index.add_many([f"v{n}" for n in range(40)], vectors)
    assert index.kind == "ivf"
    assert index.search(vectors[11], k=1)[0].item_id == "v11"
    restored = VectorIndex.restore(index.snapshot())
    assert restored.search(vectors[30], k=1, min_similarity=0.99)[0].item_id == "v30"


def test_local_feature_index_votes_for_the_reference_sharing_descriptors():
    rng = np.random.default_rng(5)
    index = LocalFeatureIndex(inverted_threshold=10**9)
    references = {f"r{n}": rng.integers(0, 256, (100, 32), dtype=np.uint8) for n in range(20)}
    for item_id, descriptors in references.items():
        index.add(item_id, descriptors)
    query = references["r4"][10:40].copy()
    votes = index.vote(query, max_distance=10, top=2)
    assert votes[0].item_id == "r4" and votes[0].votes == 30
    assert all(other.votes < 30 for other in votes[1:])


@pytest.mark.parametrize("threshold", [10**9, 1000])
def test_local_feature_index_inverted_file_and_snapshot(threshold):
    rng = np.random.default_rng(6)
    index = LocalFeatureIndex(inverted_threshold=threshold)
    references = {f"r{n}": rng.integers(0, 256, (64, 32), dtype=np.uint8) for n in range(60)}
    for item_id, descriptors in references.items():
        index.add(item_id, descriptors)
    assert index.kind == ("ivf" if threshold == 1000 else "flat")
    restored = LocalFeatureIndex.restore(index.snapshot(), inverted_threshold=threshold)
    for candidate in (index, restored):
        assert candidate.vote(references["r33"], max_distance=0, top=1)[0].item_id == "r33"


def test_snapshots_refuse_foreign_bytes():
    with pytest.raises(ValueError):
        HashIndex.restore(b"garbage")


def test_pdq_dihedral_variants_cover_rotations_and_mirrors(thief):
    rgb = np.asarray(thief.photo(8, (480, 320)))
    variants = pdq.pdq_dihedral(rgb)
    transformed = {
        "mirror_x": rgb[:, ::-1],
        "mirror_y": rgb[::-1],
        "rotate180": rgb[::-1, ::-1],
        "rotate90": np.rot90(rgb, 1),
        "rotate270": np.rot90(rgb, -1),
        "transpose": rgb.transpose(1, 0, 2),
    }
    for name, pixels in transformed.items():
        code = pdq.pdq(np.ascontiguousarray(pixels)).code
        distance, best = min((pdq.hamming(code, v.code), pdq.DIHEDRAL[n]) for n, v in enumerate(variants))
        assert best == name and distance < 48, (name, best, distance)
    assert pdq.pdq(np.asarray(thief.photo(9, (480, 320)))).quality > 50
    assert pdq.hamming(variants[0].code, pdq.pdq(np.asarray(thief.photo(9, (480, 320)))).code) > 80


def test_pdq_quality_is_low_on_flat_images():
    assert pdq.pdq(np.full((200, 300, 3), 128, np.uint8)).quality < 10


def test_local_feature_index_grows_through_vocabulary_trees_without_losing_descriptors():
    rng = np.random.default_rng(8)
    index = LocalFeatureIndex(inverted_threshold=2_000, list_length=16, regrowth=2)
    blocks = {f"r{n}": rng.integers(0, 256, (50, 32), dtype=np.uint8) for n in range(400)}
    lists_seen = set()
    for item_id, descriptors in blocks.items():
        index.add(item_id, descriptors)
        lists_seen.add(index.lists)
    assert index.kind == "ivf" and len(lists_seen - {0}) >= 3, "retrained as it grew"
    codes, owners = index.stored()
    assert len(codes) == index.descriptor_count == 400 * 50
    assert sorted(np.bincount(owners).tolist()) == [50] * 400
    assert index.memory_bytes() >= 400 * 50 * 40
    index.warm()
    for n in (0, 123, 399):
        query = np.vstack([blocks[f"r{n}"][:20], rng.integers(0, 256, (200, 32), dtype=np.uint8)])
        votes = index.vote(query, max_distance=0, top=2)
        assert votes[0].item_id == f"r{n}" and votes[0].votes == 20


def test_local_feature_index_bulk_add_skips_known_items():
    rng = np.random.default_rng(9)
    index = LocalFeatureIndex(inverted_threshold=500)
    index.add("r0", rng.integers(0, 256, (10, 32), dtype=np.uint8))
    descriptors = rng.integers(0, 256, (60, 32), dtype=np.uint8)
    index.add_many(["r0", "r1", "r2"], descriptors, [10, 20, 30])
    assert len(index) == 3 and index.descriptor_count == 60
    assert index.vote(descriptors[30:], max_distance=0, top=1)[0].item_id == "r2"
