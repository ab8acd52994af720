"""The matcher's consumers: both sides of two-sided matching, and the index loader.

A new reference photo is searched against every image discovered before; a new
discovered image is searched against every reference photo. Each (photo, image) pair
is decided once: the matches table has a unique key on it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_events.v1 import crawl_pb2, photos_pb2
from pixhound_matcher import domain, events, store
from pixhound_matcher.index import BinaryHashIndex
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.events import Envelope, MalformedEvent, PermanentFailure
from pixhound_platform.objects import ObjectNotFound
from pixhound_platform.observability import bind_trace_id, current_trace_id, reset_trace_id
from pixhound_platform.runtime import ServiceRuntime, after_commit

log = logging.getLogger(__name__)
consumer = EventConsumer("matcher")
REFERENCE_INDEX = "reference_index"
DISCOVERY_INDEX = "discovery_index"


def _indexes(runtime: ServiceRuntime) -> tuple[BinaryHashIndex, BinaryHashIndex]:
    return runtime.state[REFERENCE_INDEX], runtime.state[DISCOVERY_INDEX]


async def load_indexes(runtime: ServiceRuntime) -> None:
    references, discoveries = BinaryHashIndex(domain.PHASH_BITS), BinaryHashIndex(domain.PHASH_BITS)
    runtime.state["readiness_checks"] = {"indexes": lambda: "loading"}
    async with runtime.database.sessions() as session:
        for row in await session.execute(select(store.references.c.photo_id, store.references.c.phash)):
            references.add(row.photo_id, row.phash)
        for row in await session.execute(select(store.discoveries.c.discovery_id, store.discoveries.c.phash)):
            discoveries.add(row.discovery_id, row.phash)
    runtime.state[REFERENCE_INDEX], runtime.state[DISCOVERY_INDEX] = references, discoveries
    runtime.state["readiness_checks"] = {"indexes": lambda: "ok"}
    log.info("indexes loaded: %d references, %d discovered images", len(references), len(discoveries))


async def _fingerprint_object(runtime: ServiceRuntime, object_key: str) -> domain.Fingerprint:
    try:
        data = await runtime.objects.get(object_key)
    except ObjectNotFound as error:
        raise PermanentFailure(f"object {object_key} does not exist") from error
    try:
        return await asyncio.to_thread(domain.fingerprint, data, max_pixels=runtime.settings.max_image_pixels)
    except domain.UnusableImage as error:
        raise PermanentFailure(str(error)) from error


async def _record_match(
    session: AsyncSession, runtime: ServiceRuntime, *, photo_id: str, discovery_id: str, distance: int
) -> None:
    envelope_trace = current_trace_id()
    threshold = runtime.settings.phash_max_distance
    score = domain.score_for_distance(distance, threshold)
    match_id = str(uuid.uuid4())
    build_insert = postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    inserted = await session.execute(
        build_insert(store.matches)
        .values(id=match_id, photo_id=photo_id, discovery_id=discovery_id, score=score, phash_distance=distance)
        .on_conflict_do_nothing(index_elements=["photo_id", "discovery_id"])
    )
    if inserted.rowcount != 1:
        return
    reference = (await session.execute(select(store.references).where(store.references.c.photo_id == photo_id))).one()
    discovery = (
        await session.execute(select(store.discoveries).where(store.discoveries.c.discovery_id == discovery_id))
    ).one()
    await runtime.outbox.add(
        session,
        events.match_found(
            match_id=match_id,
            reference=reference,
            discovery=discovery,
            score=score,
            distance=distance,
            threshold=threshold,
        ),
        trace_id=reference.trace_id or None,
    )
    token = bind_trace_id(reference.trace_id or current_trace_id())
    try:
        log.info(
            "match found: photo %s on %s (distance %d, discovery trace %s)",
            photo_id,
            discovery.page_url,
            distance,
            envelope_trace,
        )
    finally:
        reset_trace_id(token)


@consumer.on(photos_pb2.PhotoIngested)
async def on_photo_ingested(
    runtime: ServiceRuntime, session: AsyncSession, event: photos_pb2.PhotoIngested, envelope: Envelope
) -> None:
    if not event.photo_id or not event.object_key or not event.owner_id:
        raise MalformedEvent("PhotoIngested needs photo_id, owner_id and object_key")
    settings = runtime.settings
    if not domain.owns_reference(event.photo_id, settings.matcher_shard, settings.matcher_shard_count):
        return
    existing = await session.execute(
        select(store.references.c.photo_id).where(store.references.c.photo_id == event.photo_id)
    )
    if existing.first() is not None:
        return
    fingerprint = await _fingerprint_object(runtime, event.object_key)
    await session.execute(
        store.references.insert().values(
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            object_key=event.object_key,
            sha256=event.sha256,
            phash=fingerprint.phash,
            trace_id=envelope.trace_id,
        )
    )
    reference_index, discovery_index = _indexes(runtime)
    after_commit(session, lambda: reference_index.add(event.photo_id, fingerprint.phash))
    log.info("reference photo %s fingerprinted", event.photo_id)
    for discovery_id, distance in discovery_index.search(fingerprint.phash, settings.phash_max_distance):
        await _record_match(session, runtime, photo_id=event.photo_id, discovery_id=discovery_id, distance=distance)


@consumer.on(crawl_pb2.ImageDiscovered)
async def on_image_discovered(
    runtime: ServiceRuntime, session: AsyncSession, event: crawl_pb2.ImageDiscovered, envelope: Envelope
) -> None:
    if not event.discovery_id or not event.object_key or not event.image_sha256:
        raise MalformedEvent("ImageDiscovered needs discovery_id, object_key and image_sha256")
    existing = await session.execute(
        select(store.discoveries.c.discovery_id).where(store.discoveries.c.discovery_id == event.discovery_id)
    )
    if existing.first() is not None:
        return
    known = (
        await session.execute(
            select(store.discoveries.c.phash).where(store.discoveries.c.image_sha256 == event.image_sha256).limit(1)
        )
    ).first()
    phash = known.phash if known is not None else (await _fingerprint_object(runtime, event.object_key)).phash
    await session.execute(
        store.discoveries.insert().values(
            discovery_id=event.discovery_id,
            crawl_id=event.crawl_id,
            image_sha256=event.image_sha256,
            object_key=event.object_key,
            page_url=event.page_url,
            image_url=event.image_url,
            site_id=event.site_id,
            site_host=event.site_host,
            evidence_key=event.evidence.archive_key,
            page_sha256=event.evidence.page_sha256,
            fetched_at=(
                event.evidence.fetched_at.ToDatetime(tzinfo=UTC) if event.evidence.HasField("fetched_at") else None
            ),
            phash=phash,
        )
    )
    reference_index, discovery_index = _indexes(runtime)
    after_commit(session, lambda: discovery_index.add(event.discovery_id, phash))
    for photo_id, distance in reference_index.search(phash, runtime.settings.phash_max_distance):
        await _record_match(session, runtime, photo_id=photo_id, discovery_id=event.discovery_id, distance=distance)


CONSUMERS = [consumer]
WORKERS: list = []
STARTUP = [load_indexes]
