"""Mapping from the matcher's decisions to the events it publishes."""

from __future__ import annotations

from pixhound_events.v1 import matches_pb2
from pixhound_matcher.engine import Decision

PUBLISHES = ["pixhound.matches.v1"]


def match_found(
    *, match_id: str, reference, discovery, decision: Decision, shard: int, shard_count: int
) -> matches_pb2.MatchFound:
    event = matches_pb2.MatchFound(
        match_id=match_id,
        photo_id=reference.photo_id,
        owner_id=reference.owner_id,
        discovery_id=discovery.discovery_id,
        page_url=discovery.page_url,
        image_url=discovery.image_url,
        image_object_key=discovery.object_key,
        score=decision.score,
        signals=[
            matches_pb2.SignalEvidence(signal=s.signal, distance=s.distance, threshold=s.threshold)
            for s in decision.signals
        ],
        site_id=discovery.site_id,
        site_host=discovery.site_host,
        evidence_key=discovery.evidence_key,
        image_sha256=discovery.image_sha256,
        page_sha256=discovery.page_sha256,
        inliers=decision.inliers,
        transforms=list(decision.transforms),
        shard=shard,
        shard_count=shard_count,
    )
    if decision.region is not None:
        x, y, width, height = decision.region
        event.region.CopyFrom(matches_pb2.MatchRegion(x=x, y=y, width=width, height=height))
    if decision.copy_region is not None:
        x, y, width, height = decision.copy_region
        event.copy_region.CopyFrom(matches_pb2.MatchRegion(x=x, y=y, width=width, height=height))
    if discovery.fetched_at is not None:
        event.fetched_at.FromDatetime(discovery.fetched_at)
    return event
