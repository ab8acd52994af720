"""Matching logic: perceptual fingerprints, scores, the binary index and shard ownership."""

from __future__ import annotations

import io
import struct
import zlib
from collections import Counter

import pytest
from PIL import Image

from pixhound_embedded.sample import stolen_copy, synthetic_photo
from pixhound_matcher.domain import (
    PHASH_BITS,
    Fingerprint,
    UnusableImage,
    fingerprint,
    hamming,
    owns_reference,
    score_for_distance,
)
from pixhound_matcher.index import BinaryHashIndex
from pixhound_matcher.settings import MatcherSettings

THRESHOLD = 10
MAX_PIXELS = 100_000_000


@pytest.fixture(scope="module")
def original() -> bytes:
    return synthetic_photo(7)


@pytest.fixture(scope="module")
def original_print(original: bytes) -> Fingerprint:
    return fingerprint(original, max_pixels=MAX_PIXELS)


def _encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A real small PNG whose IHDR is patched (with a valid CRC) to claim other dimensions."""
    data = bytearray(_encode(Image.new("RGB", (8, 8), (120, 30, 200)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


# --- fingerprints --------------------------------------------------------------------------


def test_default_threshold_is_ten() -> None:
    assert MatcherSettings.model_fields["phash_max_distance"].default == THRESHOLD


def test_fingerprint_is_64_bits(original_print: Fingerprint) -> None:
    assert len(original_print.phash) * 8 == PHASH_BITS
    assert original_print.as_array().shape == (1, PHASH_BITS // 8)


def test_fingerprint_is_deterministic(original: bytes, original_print: Fingerprint) -> None:
    assert fingerprint(original, max_pixels=MAX_PIXELS) == original_print


@pytest.mark.parametrize(("width", "quality"), [(480, 55), (320, 40), (800, 75)])
def test_stolen_copy_is_within_the_threshold(
    original: bytes, original_print: Fingerprint, width: int, quality: int
) -> None:
    copy = stolen_copy(original, width=width, quality=quality)
    assert copy != original
    assert hamming(original_print.phash, fingerprint(copy, max_pixels=MAX_PIXELS).phash) <= THRESHOLD


def test_copy_reencoded_as_png_and_webp_matches(original: bytes, original_print: Fingerprint) -> None:
    with Image.open(io.BytesIO(original)) as image:
        for image_format in ("PNG", "WEBP"):
            copy = _encode(image.resize((400, 267)), image_format)
            assert hamming(original_print.phash, fingerprint(copy, max_pixels=MAX_PIXELS).phash) <= THRESHOLD


@pytest.mark.parametrize("seed", [1, 2, 3, 8, 42])
def test_a_different_photo_is_far(original_print: Fingerprint, seed: int) -> None:
    other = fingerprint(synthetic_photo(seed), max_pixels=MAX_PIXELS)
    assert hamming(original_print.phash, other.phash) > THRESHOLD


def test_exif_orientation_is_honoured(original: bytes, original_print: Fingerprint) -> None:
    with Image.open(io.BytesIO(original)) as image:
        # Orientation 6 means "rotate 90° clockwise to display", so the stored pixels are turned counter-clockwise.
        stored = image.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    tagged = _encode(stored, "JPEG", quality=90, exif=exif)
    untagged = _encode(stored, "JPEG", quality=90)
    assert hamming(original_print.phash, fingerprint(tagged, max_pixels=MAX_PIXELS).phash) <= THRESHOLD
    # Without the tag the same pixels are a different picture: the tag is what made them match.
    assert hamming(original_print.phash, fingerprint(untagged, max_pixels=MAX_PIXELS).phash) > THRESHOLD


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"<html><body>404</body></html>",
        b"\xff\xd8\xff",  # a JPEG signature and nothing else
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
    ],
)
def test_fingerprint_refuses_non_images(data: bytes) -> None:
    with pytest.raises(UnusableImage):
        fingerprint(data, max_pixels=MAX_PIXELS)


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.9])
def test_fingerprint_refuses_truncated_jpegs(original: bytes, fraction: float) -> None:
    with pytest.raises(UnusableImage):
        fingerprint(original[: int(len(original) * fraction)], max_pixels=MAX_PIXELS)


@pytest.mark.parametrize("max_pixels", [MAX_PIXELS, 10**12])
def test_fingerprint_refuses_absurd_dimensions(max_pixels: int) -> None:
    data = _png_claiming(100_000, 100_000)
    with Image.open(io.BytesIO(_png_claiming(300, 200))) as probe:  # the patching itself yields a readable header
        assert probe.size == (300, 200)
    with pytest.raises(UnusableImage):
        fingerprint(data, max_pixels=max_pixels)


def test_fingerprint_refuses_images_over_the_pixel_limit(original: bytes) -> None:
    with pytest.raises(UnusableImage, match="exceeds"):
        fingerprint(original, max_pixels=960 * 640 - 1)
    assert fingerprint(original, max_pixels=960 * 640).phash  # exactly at the limit is fine


# --- distances and scores ------------------------------------------------------------------


def test_hamming_counts_differing_bits() -> None:
    zero = bytes(8)
    assert hamming(zero, zero) == 0
    assert hamming(zero, b"\xff" * 8) == 64
    assert hamming(zero, b"\x01\x00\x00\x00\x00\x00\x00\x80") == 2


def test_score_at_zero_and_at_threshold() -> None:
    assert score_for_distance(0, THRESHOLD) == 1.0
    assert score_for_distance(THRESHOLD, THRESHOLD) == 0.5
    assert score_for_distance(PHASH_BITS // 2, THRESHOLD) == 0.0
    assert score_for_distance(PHASH_BITS, THRESHOLD) == 0.0


@pytest.mark.parametrize("threshold", [0, 1, 5, 10, 20, 31, 32, 40, 63, 64])
def test_score_is_bounded_and_decreasing(threshold: int) -> None:
    scores = [score_for_distance(distance, threshold) for distance in range(PHASH_BITS + 1)]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert all(later <= earlier for earlier, later in zip(scores, scores[1:], strict=False))
    assert scores[0] == 1.0
    if threshold:
        assert scores[threshold] == 0.5
    assert all(score > 0.5 for score in scores[:threshold])
    assert all(score < 0.5 for score in scores[threshold + 1 :])


def test_score_strictly_decreases_inside_the_threshold() -> None:
    scores = [score_for_distance(distance, THRESHOLD) for distance in range(THRESHOLD + 1)]
    assert all(later < earlier for earlier, later in zip(scores, scores[1:], strict=False))


# --- the index -----------------------------------------------------------------------------


def _code(bits_set: int) -> bytes:
    """A 64-bit code with the lowest `bits_set` bits set (so its distance to zero is bits_set)."""
    return ((1 << bits_set) - 1).to_bytes(8, "big")


def test_index_empty_search_finds_nothing() -> None:
    index = BinaryHashIndex(PHASH_BITS)
    assert len(index) == 0
    assert index.search(_code(0), THRESHOLD) == []


def test_index_add_and_search_exact_match() -> None:
    index = BinaryHashIndex(PHASH_BITS)
    index.add("photo-a", _code(0))
    index.add("photo-b", b"\xff" * 8)
    assert len(index) == 2
    assert index.search(_code(0), THRESHOLD) == [("photo-a", 0)]
    assert index.search(b"\xff" * 8, THRESHOLD) == [("photo-b", 0)]


def test_index_range_threshold_is_inclusive() -> None:
    index = BinaryHashIndex(PHASH_BITS)
    for distance in (0, 3, THRESHOLD, THRESHOLD + 1, 40):
        index.add(f"d{distance}", _code(distance))
    assert index.search(_code(0), THRESHOLD) == [("d0", 0), ("d3", 3), (f"d{THRESHOLD}", THRESHOLD)]
    assert index.search(_code(0), 0) == [("d0", 0)]
    assert [item for item, _ in index.search(_code(0), PHASH_BITS)] == ["d0", "d3", "d10", "d11", "d40"]


def test_index_results_sorted_by_distance_then_id() -> None:
    index = BinaryHashIndex(PHASH_BITS)
    index.add("zeta", _code(2))
    index.add("beta", _code(1))
    index.add("alpha", _code(2))
    assert index.search(_code(0), THRESHOLD) == [("beta", 1), ("alpha", 2), ("zeta", 2)]


def test_index_add_is_idempotent() -> None:
    index = BinaryHashIndex(PHASH_BITS)
    index.add("photo", _code(0))
    index.add("photo", _code(0))
    index.add("photo", b"\xff" * 8)  # a second add for a known id is ignored
    assert len(index) == 1
    assert index.search(_code(0), THRESHOLD) == [("photo", 0)]
    assert index.search(b"\xff" * 8, THRESHOLD) == []


def test_index_finds_a_stolen_copy(original: bytes, original_print: Fingerprint) -> None:
    index = BinaryHashIndex(PHASH_BITS)
    index.add("original", original_print.phash)
    for seed in (1, 2, 3):
        index.add(f"other-{seed}", fingerprint(synthetic_photo(seed), max_pixels=MAX_PIXELS).phash)
    copy = fingerprint(stolen_copy(original), max_pixels=MAX_PIXELS)
    assert [item for item, _ in index.search(copy.phash, THRESHOLD)] == ["original"]


# --- shards --------------------------------------------------------------------------------


@pytest.mark.parametrize("shard_count", [1, 2, 3, 8])
def test_every_reference_is_owned_by_exactly_one_shard(shard_count: int) -> None:
    ids = [f"photo-{number:05d}" for number in range(2000)]
    owners = Counter()
    for photo_id in ids:
        owning = [shard for shard in range(shard_count) if owns_reference(photo_id, shard, shard_count)]
        assert len(owning) == 1, photo_id
        owners[owning[0]] += 1
    expected = len(ids) / shard_count
    assert set(owners) == set(range(shard_count))
    assert all(0.75 * expected <= count <= 1.25 * expected for count in owners.values())


def test_shard_ownership_is_stable() -> None:
    photo_id = "0b6f1f53-2b7e-4c1e-9d55-7b3a8d2f0a11"
    first = [owns_reference(photo_id, shard, 4) for shard in range(4)]
    assert [owns_reference(photo_id, shard, 4) for shard in range(4)] == first
    assert first.count(True) == 1
