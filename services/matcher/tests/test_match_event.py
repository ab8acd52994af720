"""MatchFound as the matcher publishes it: the evidence of a decision, with where the copy shows the photo."""

from types import SimpleNamespace

from pixhound_matcher import events
from pixhound_matcher.engine import Decision, SignalEvidence

REFERENCE = SimpleNamespace(photo_id="p1", owner_id="o1")
DISCOVERY = SimpleNamespace(
    discovery_id="d1",
    page_url="https://shop.example/a",
    image_url="https://shop.example/a.jpg",
    object_key="crawler/images/d1",
    site_id="s1",
    site_host="shop.example",
    evidence_key="evidence/d1",
    image_sha256="ab",
    page_sha256="cd",
    fetched_at=None,
)


def event_for(decision: Decision):
    return events.match_found(
        match_id="m1", reference=REFERENCE, discovery=DISCOVERY, decision=decision, shard=0, shard_count=1
    )


def test_match_found_says_where_the_copy_shows_the_photo():
    decision = Decision(
        reference_id="p1",
        copy_id="d1",
        score=0.8,
        signals=(SignalEvidence("local_features", 40.0, 14.0),),
        inliers=40,
        region=(0.1, 0.15, 0.7, 0.7),
        transforms=("reencode", "crop", "screenshot"),
        copy_region=(0.41, 0.1667, 0.4685, 0.4978),
    )
    event = event_for(decision)
    assert (event.region.x, event.region.y, event.region.width, event.region.height) == (0.1, 0.15, 0.7, 0.7)
    assert event.HasField("copy_region")
    copy = event.copy_region
    assert (copy.x, copy.y, copy.width, copy.height) == (0.41, 0.1667, 0.4685, 0.4978)


def test_match_found_without_a_known_copy_region_leaves_it_unset():
    decision = Decision(reference_id="p1", copy_id="d1", score=0.9, signals=(SignalEvidence("pdq", 4.0, 31.0),))
    assert not event_for(decision).HasField("copy_region")
