"""The matching cascade on copies a thief makes: what is found, with which evidence, and what is refused."""

from __future__ import annotations

import pickle

import pytest
from PIL import ImageEnhance

from pixhound_matcher.engine import (
    Collection,
    Fingerprinter,
    Matcher,
    MatcherConfig,
    limit_native_threads,
    place_copy_region,
    score_for_inliers,
    score_for_pdq,
)
from pixhound_matcher.signals import local

CONFIG = MatcherConfig()
REFERENCE_SEEDS = range(1, 9)


@pytest.fixture(scope="module")
def originals(thief):
    return {f"photo-{seed}": thief.photo(seed) for seed in REFERENCE_SEEDS}


@pytest.fixture(scope="module")
def fingerprinter() -> Fingerprinter:
    limit_native_threads()
    return Fingerprinter(CONFIG)


@pytest.fixture(scope="module")
def references(originals, fingerprinter, thief) -> Collection:
    collection = Collection()
    for name, image in originals.items():
        collection.add(name, fingerprinter.fingerprint(thief.encode(image, quality=92), reference=True))
    return collection


def match(fingerprinter: Fingerprinter, references: Collection, data: bytes):
    image = fingerprinter.decode(data, reference=False)
    prints = fingerprinter.of_image(image, reference=False)
    return Matcher(CONFIG, fingerprinter).match_copy("copy", prints, references, image=image)


COPIES = {
    "reencoded small": lambda im, t: t.encode(im.resize((320, 224)), quality=20),
    "png": lambda im, t: t.encode(im.resize((500, 350)), "PNG"),
    "grayscale": lambda im, t: t.encode(im.convert("L")),
    "brighter": lambda im, t: t.encode(ImageEnhance.Brightness(im).enhance(1.35)),
    "mirrored": lambda im, t: t.encode(t.mirror(im)),
    "rotated 7 degrees": lambda im, t: t.encode(im.rotate(7, resample=3, expand=False)),
    "tight crop 30%": lambda im, t: t.encode(t.crop(im, (0.4, 0.35, 0.55, 0.55))),
    "corner crop": lambda im, t: t.encode(t.crop(im, (0.0, 0.0, 0.6, 0.6))),
    "mirrored crop": lambda im, t: t.encode(t.mirror(t.crop(im, (0.2, 0.2, 0.6, 0.6)))),
    "text band": lambda im, t: t.encode(t.overlay_text(im)),
    "page screenshot": lambda im, t: t.encode(t.screenshot(im), "PNG"),
    "stretched": lambda im, t: t.encode(im.resize((int(im.width * 1.25), im.height))),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copy_is_matched_to_its_original(name, originals, fingerprinter, references, thief):
    data = COPIES[name](originals["photo-3"], thief)
    decisions = match(fingerprinter, references, data)
    assert decisions, f"{name}: no match"
    best = decisions[0]
    assert best.reference_id == "photo-3"
    assert 0.5 <= best.score <= 1.0
    assert best.signals and best.region is not None


@pytest.mark.parametrize("seed", [101, 102, 103, 104, 105, 106])
def test_unrelated_photos_match_nothing(seed, fingerprinter, references, thief):
    assert match(fingerprinter, references, thief.encode(thief.photo(seed))) == []


def test_unrelated_page_matches_nothing(fingerprinter, references, thief):
    assert match(fingerprinter, references, thief.encode(thief.screenshot(thief.photo(150)), "PNG")) == []


def test_crop_evidence_names_the_region_and_the_transformation(originals, fingerprinter, references, thief):
    data = thief.encode(thief.crop(originals["photo-5"], (0.5, 0.4, 0.45, 0.5)))
    best = match(fingerprinter, references, data)[0]
    x, y, width, height = best.region
    assert 0.42 <= x <= 0.58 and 0.32 <= y <= 0.48, best.region
    assert 0.35 <= width <= 0.55 and 0.4 <= height <= 0.6, best.region
    assert "crop" in best.transforms and best.inliers >= CONFIG.min_inliers
    assert best.signals[0].signal == "local_features"


def test_mirror_is_reported(originals, fingerprinter, references, thief):
    best = match(
        fingerprinter, references, thief.encode(thief.mirror(thief.crop(originals["photo-2"], (0.1, 0.1, 0.7, 0.7))))
    )[0]
    assert "mirror" in best.transforms


def test_screenshot_is_reported(originals, fingerprinter, references, thief):
    best = match(fingerprinter, references, thief.encode(thief.screenshot(originals["photo-4"]), "PNG"))[0]
    assert best.reference_id == "photo-4" and "screenshot" in best.transforms


def test_whole_frame_copy_is_decided_by_pdq(originals, fingerprinter, references, thief):
    best = match(fingerprinter, references, thief.encode(originals["photo-6"].resize((400, 280)), quality=40))[0]
    assert best.signals[0].signal == "pdq" and best.signals[0].distance <= CONFIG.pdq_max_distance


def test_a_new_reference_finds_copies_discovered_before(originals, fingerprinter, thief):
    discovered = Collection()
    copies = {
        "page-crop": thief.encode(thief.crop(originals["photo-7"], (0.3, 0.3, 0.6, 0.6))),
        "page-mirror": thief.encode(thief.mirror(originals["photo-7"])),
        "page-other": thief.encode(thief.photo(120)),
    }
    for copy_id, data in copies.items():
        discovered.add(copy_id, fingerprinter.fingerprint(data, reference=False))
    image = fingerprinter.decode(thief.encode(originals["photo-7"], quality=92), reference=True)
    prints = fingerprinter.of_image(image, reference=True)
    decisions = Matcher(CONFIG, fingerprinter).match_reference("photo-7", prints, discovered, image=image)
    assert sorted(d.copy_id for d in decisions) == ["page-crop", "page-mirror"]
    assert all(d.reference_id == "photo-7" for d in decisions)


def test_collection_snapshot_round_trip(originals, fingerprinter, references, thief):
    restored = Collection.restore(references.snapshot())
    assert len(restored) == len(references)
    data = thief.encode(thief.crop(originals["photo-1"], (0.2, 0.2, 0.5, 0.5)))
    image = fingerprinter.decode(data, reference=False)
    prints = fingerprinter.of_image(image, reference=False)
    matcher = Matcher(CONFIG, fingerprinter)
    assert [d.reference_id for d in matcher.match_copy("c", prints, restored, image=image)][:1] == ["photo-1"]


def test_snapshot_refuses_foreign_bytes():
    with pytest.raises(ValueError):
        Collection.restore(b"not a snapshot")


def test_scores_are_calibrated_around_the_threshold():
    assert score_for_pdq(0, 31) == 1.0 and score_for_pdq(31, 31) == 0.5 and score_for_pdq(128, 31) == 0.0
    assert score_for_inliers(14, 14) == 0.5 and score_for_inliers(7, 14) == 0.25
    values = [score_for_inliers(n, 14) for n in range(0, 200, 5)]
    assert values == sorted(values) and all(0 <= v <= 1 for v in values)


def test_stretched_crop_reports_the_aspect_change(originals, fingerprinter, references, thief):
    part = thief.crop(originals["photo-8"], (0.2, 0.2, 0.6, 0.6))
    stretched = part.resize((int(part.width * 1.3), part.height))
    best = match(fingerprinter, references, thief.encode(stretched))[0]
    assert best.reference_id == "photo-8" and {"crop", "aspect"} <= set(best.transforms)


def test_a_crop_turned_far_from_upright_is_refused_but_a_straightened_one_is_found(originals, fingerprinter, thief):
    """Copies are shown upright or by quarter turns; a geometry turned by 40 degrees explains pairs by chance."""
    crop = thief.crop(originals["photo-5"], (0.15, 0.15, 0.7, 0.7))
    reference = fingerprinter.fingerprint(thief.encode(originals["photo-5"], quality=92), reference=True)
    found = {}
    for degrees in (8, 40):
        turned = fingerprinter.fingerprint(thief.encode(crop.rotate(degrees, resample=3, expand=True)), reference=False)
        found[degrees] = local.verify(turned.features, reference.features, min_matches=CONFIG.min_inliers)
    assert found[8] is not None and abs(found[8].rotation_degrees) < 12
    assert found[40] is None


def test_collection_keeps_full_fingerprints_out_of_memory_and_reads_them_back(fingerprinter, references, originals):
    item = next(iter(originals))
    stored = references.features(item)
    assert len(stored) > 100 and stored.descriptors.shape[1] == 32
    assert references.quality(item) >= CONFIG.pdq_min_quality and references.quality("absent") == 0
    assert references.records.size_bytes > 8 * 9_000
    copied = pickle.loads(pickle.dumps(references.records))
    assert len(copied) == len(references) and (copied.features(item).descriptors == stored.descriptors).all()


def assert_near(found, truth, tolerance):
    """Boxes (x, y, width, height) whose edges are all within `tolerance`."""
    assert found is not None
    edges = [found[0], found[1], found[0] + found[2], found[1] + found[3]]
    expected = [truth[0], truth[1], truth[0] + truth[2], truth[1] + truth[3]]
    assert max(abs(a - b) for a, b in zip(edges, expected, strict=True)) <= tolerance, (found, truth)


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_crop_pasted_on_a_page_is_located_in_it(mirrored, originals, fingerprinter, references, thief):
    page, truth = thief.pasted(originals["photo-3"], (0.1, 0.15, 0.7, 0.7), at=(560, 150), width=640, mirrored=mirrored)
    best = match(fingerprinter, references, thief.encode(page, quality=85))[0]
    assert best.reference_id == "photo-3" and best.signals[0].signal == "local_features"
    assert ("mirror" in best.transforms) == mirrored
    assert_near(best.copy_region, truth, 0.02)


def test_a_whole_photo_shown_on_a_page_is_located_in_it(originals, fingerprinter, references, thief):
    page, truth = thief.pasted(originals["photo-8"], (0.0, 0.0, 1.0, 1.0), at=(300, 200), width=700)
    best = match(fingerprinter, references, thief.encode(page, quality=85))[0]
    assert best.reference_id == "photo-8"
    assert_near(best.copy_region, truth, 0.02)


def test_a_photo_found_inside_a_page_capture_is_located_in_the_page(originals, fingerprinter, references, thief):
    """Shown small, the photo is found by matching the page's photo regions alone; its place is in the page's frame."""
    best = match(fingerprinter, references, thief.encode(thief.screenshot(originals["photo-4"], scale=0.3), "PNG"))[0]
    assert best.reference_id == "photo-4" and "screenshot" in best.transforms
    assert_near(best.copy_region, (700 / 1366, 180 / 900, 240 / 1366, 168 / 900), 0.01)


@pytest.mark.parametrize(
    "copy",
    [
        lambda im, t: t.encode(im.resize((400, 280)), quality=40),
        lambda im, t: t.encode(t.mirror(im)),
        lambda im, t: t.encode(t.crop(im, (0.2, 0.2, 0.6, 0.6))),
        lambda im, t: t.encode(t.mirror(t.crop(im, (0.1, 0.1, 0.7, 0.7)))),
    ],
    ids=["re-encoded", "mirrored", "cropped", "mirrored crop"],
)
def test_a_copy_that_is_all_photo_is_located_on_its_whole_frame(copy, originals, fingerprinter, references, thief):
    best = match(fingerprinter, references, copy(originals["photo-2"], thief))[0]
    assert best.reference_id == "photo-2"
    if best.signals[0].signal == "pdq":
        assert best.copy_region == (0.0, 0.0, 1.0, 1.0)
    assert_near(best.copy_region, (0.0, 0.0, 1.0, 1.0), 0.02)


def test_a_new_reference_is_located_in_a_page_discovered_before(originals, fingerprinter, thief):
    page, truth = thief.pasted(originals["photo-6"], (0.1, 0.15, 0.7, 0.7), at=(560, 150), width=640)
    data = thief.encode(page, quality=85)
    discovered = Collection()
    discovered.add("page", fingerprinter.fingerprint(data, reference=False))
    image = fingerprinter.decode(thief.encode(originals["photo-6"], quality=92), reference=True)
    prints = fingerprinter.of_image(image, reference=True)
    found = Matcher(CONFIG, fingerprinter).match_reference("photo-6", prints, discovered, image=image)[0]
    x, y, width, height = found.copy_region
    assert x <= truth[0] and y <= truth[1], "without the page's pixels, the photo's whole frame in it"
    assert x + width >= truth[0] + truth[2] - 0.01 and y + height >= truth[1] + truth[3] - 0.01
    placed = place_copy_region(found, fingerprinter.decode(data, reference=False).rgb)
    assert_near(placed.copy_region, truth, 0.02)
