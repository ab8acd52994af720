"""Shard assignment of reference photos: every photo has exactly one owner, shares are even and stable."""

from __future__ import annotations

from collections import Counter

import pytest

from pixhound_matcher.domain import owns_reference, shard_of
from pixhound_matcher.settings import MatcherSettings


def test_defaults_follow_the_documented_thresholds() -> None:
    settings = MatcherSettings()
    assert settings.pdq_max_distance == 31 and settings.min_inliers == 14 and settings.clip_weights == ""


def test_shard_of_is_in_range() -> None:
    assert {shard_of(f"p{n}", 5) for n in range(500)} == set(range(5))


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


def test_each_shard_is_its_own_consumer_group() -> None:
    groups = {MatcherSettings(matcher_shard=k, matcher_shard_count=3).effective_consumer_group for k in range(3)}
    assert len(groups) == 3
