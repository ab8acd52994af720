"""The matcher's consumers and background work: both sides of two-sided matching, index loading and snapshots.

A new reference photo is searched against every image discovered before (the pixels of an image it matches
are read again, to place the region that shows the photo); a new discovered image is searched against every
reference photo of this shard. Each (photo, image) pair is decided once: the matches table has a unique key
on it. The indexes load from the latest snapshot in object storage plus the rows written after it (or from
the database alone when there is no snapshot); the service is not ready until they are loaded.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_events.v1 import crawl_pb2, photos_pb2
from pixhound_matcher import domain, events, store
from pixhound_matcher.decode import DecodedImage, UnusableImage
from pixhound_matcher.engine import (
    Collection,
    Decision,
    Fingerprinter,
    Fingerprints,
    Matcher,
    limit_native_threads,
    place_copy_region,
)
from pixhound_matcher.signals import local
from pixhound_matcher.signals.clip import ClipSpec, load_clip
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import utcnow
from pixhound_platform.events import Envelope, MalformedEvent, PermanentFailure
from pixhound_platform.objects import ObjectNotFound
from pixhound_platform.observability import bind_trace_id, current_trace_id, reset_trace_id
from pixhound_platform.runtime import ServiceRuntime, after_commit

log = logging.getLogger(__name__)
consumer = EventConsumer("matcher")
STATE = "matching"
REFERENCES = "references"
DISCOVERIES = "discoveries"


@dataclass
class MatchingState:
    fingerprinter: Fingerprinter
    matcher: Matcher
    references: Collection
    discoveries: Collection
    lock: threading.Lock
    snapshot_sizes: dict[str, int]

    def collection(self, name: str) -> Collection:
        return self.references if name == REFERENCES else self.discoveries


def matching(runtime: ServiceRuntime) -> MatchingState:
    return runtime.state[STATE]


def _fingerprint_columns(prints: Fingerprints) -> dict:
    return {
        "pdq": prints.pdq,
        "pdq_quality": prints.pdq_quality,
        "local_features": prints.features.to_bytes(),
        "clip": None if prints.clip is None else np.asarray(prints.clip, np.float32).tobytes(),
        "width": prints.width,
        "height": prints.height,
    }


def _prints_from_row(row) -> Fingerprints | None:
    if row.pdq is None or row.local_features is None:
        return None
    features = local.LocalFeatures.from_bytes(row.local_features)
    clip = np.frombuffer(row.clip, np.float32) if row.clip else None
    return Fingerprints((row.pdq,), row.pdq_quality, features, row.width, row.height, clip)


def snapshot_key(settings, collection: str) -> str:
    shard = f"shard-{settings.matcher_shard}-of-{settings.matcher_shard_count}"
    return f"matcher/indexes/{shard}/{collection}-{uuid.uuid4().hex}.snapshot"


async def load_indexes(runtime: ServiceRuntime) -> None:
    runtime.state["readiness_checks"] = {"indexes": lambda: "loading"}
    limit_native_threads()
    settings = runtime.settings
    clip = await asyncio.to_thread(
        load_clip, ClipSpec(settings.clip_model, settings.clip_weights, settings.clip_config_path)
    )
    config = settings.matcher_config()
    fingerprinter = Fingerprinter(config, clip)
    collections = {}
    for name, table, key in (
        (REFERENCES, store.references, store.references.c.photo_id),
        (DISCOVERIES, store.discoveries, store.discoveries.c.discovery_id),
    ):
        collections[name] = await _load_collection(runtime, fingerprinter, name, table, key)
    runtime.state[STATE] = MatchingState(
        fingerprinter=fingerprinter,
        matcher=Matcher(config, fingerprinter),
        references=collections[REFERENCES],
        discoveries=collections[DISCOVERIES],
        lock=threading.Lock(),
        snapshot_sizes={name: len(c) for name, c in collections.items()},
    )
    for collection in collections.values():
        await asyncio.to_thread(collection.descriptors.warm)
    gc.freeze()  # the loaded collections' ids live as long as the replica: no full collection walks them again
    runtime.state["readiness_checks"] = {"indexes": lambda: "ok"}
    runtime.closers.append(lambda: _final_snapshot(runtime))
    log.info(
        "indexes loaded: %d references, %d discovered images (CLIP %s)",
        len(collections[REFERENCES]),
        len(collections[DISCOVERIES]),
        "on" if clip is not None else "off",
    )


async def _load_collection(runtime: ServiceRuntime, fingerprinter: Fingerprinter, name: str, table, key) -> Collection:
    indexed = fingerprinter.config.indexed_features
    records_dir = runtime.settings.records_dir or None
    collection, since = Collection(indexed_features=indexed, records_dir=records_dir), None
    async with runtime.database.sessions() as session:
        snapshot = (await session.execute(select(store.snapshots).where(store.snapshots.c.collection == name))).first()
    if snapshot is not None:
        try:
            data = await runtime.objects.get(snapshot.object_key)
            if hashlib.sha256(data).hexdigest() != snapshot.sha256:
                raise ValueError("checksum mismatch")
            collection = await asyncio.to_thread(Collection.restore, data, indexed, records_dir)
            since = snapshot.created_at - timedelta(minutes=5)
            log.info("%s: %d items from snapshot %s", name, len(collection), snapshot.object_key)
        except (ObjectNotFound, ValueError) as error:
            log.warning("%s: snapshot %s unusable (%s); rebuilding from the database", name, snapshot.object_key, error)
            collection, since = Collection(indexed_features=indexed, records_dir=records_dir), None
    query = select(table)
    if since is not None:
        query = query.where(table.c.created_at >= since)
    async with runtime.database.sessions() as session:
        rows = (await session.execute(query)).all()
    pending = []
    for row in rows:
        item_id = getattr(row, key.name)
        if item_id in collection:
            continue
        prints = _prints_from_row(row)
        if prints is None:
            prints = await _backfill(runtime, fingerprinter, table, key, row, reference=name == REFERENCES)
        if prints is not None:
            pending.append((item_id, prints))
    await asyncio.to_thread(collection.add_many, pending)
    return collection


async def _backfill(runtime, fingerprinter: Fingerprinter, table, key, row, *, reference: bool) -> Fingerprints | None:
    """Rows written before the current signals existed are fingerprinted again from their stored object."""
    try:
        data = await runtime.objects.get(row.object_key)
        prints = await asyncio.to_thread(fingerprinter.fingerprint, data, reference=reference)
    except (ObjectNotFound, UnusableImage) as error:
        log.warning("cannot fingerprint %s again: %s", row.object_key, error)
        return None
    async with runtime.transaction() as session:
        await session.execute(
            table.update().where(key == getattr(row, key.name)).values(**_fingerprint_columns(prints))
        )
    return prints


async def write_snapshots(runtime: ServiceRuntime) -> None:
    """Write each changed collection to object storage, then point the snapshots table at it."""
    state = matching(runtime)
    for name in (REFERENCES, DISCOVERIES):
        collection = state.collection(name)
        if len(collection) == state.snapshot_sizes.get(name):
            continue
        taken_at = utcnow()

        def take(collection: Collection = collection) -> bytes:
            with state.lock:
                return collection.snapshot()

        data = await asyncio.to_thread(take)
        object_key = snapshot_key(runtime.settings, name)
        await runtime.objects.put(object_key, data)
        async with runtime.transaction() as session:
            build_insert = postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            values = {
                "collection": name,
                "object_key": object_key,
                "items": len(collection),
                "sha256": hashlib.sha256(data).hexdigest(),
                "created_at": taken_at,
            }
            await session.execute(
                build_insert(store.snapshots)
                .values(**values)
                .on_conflict_do_update(index_elements=["collection"], set_=values)
            )
        state.snapshot_sizes[name] = len(collection)
        log.info("%s snapshot written: %d items, %d bytes at %s", name, len(collection), len(data), object_key)


async def _final_snapshot(runtime: ServiceRuntime) -> None:
    try:
        await write_snapshots(runtime)
    except Exception:
        log.exception("index snapshot at shutdown failed; the next start rebuilds from the database")


async def snapshot_loop(runtime: ServiceRuntime) -> None:
    while True:
        await asyncio.sleep(runtime.settings.snapshot_interval_seconds)
        try:
            await write_snapshots(runtime)
        except Exception:
            log.exception("index snapshot failed; will retry")


async def _decode_object(runtime: ServiceRuntime, object_key: str, *, reference: bool) -> DecodedImage:
    try:
        data = await runtime.objects.get(object_key)
    except ObjectNotFound as error:
        raise PermanentFailure(f"object {object_key} does not exist") from error
    try:
        return await asyncio.to_thread(matching(runtime).fingerprinter.decode, data, reference=reference)
    except UnusableImage as error:
        raise PermanentFailure(str(error)) from error


def run_locked(state: MatchingState, function, *args, **kwargs) -> list[Decision]:
    with state.lock:
        return function(*args, **kwargs)


def _add_after_commit(session: AsyncSession, state: MatchingState, collection: Collection, item_id, prints) -> None:
    def add() -> None:
        with state.lock:
            collection.add(item_id, prints)

    after_commit(session, add)


async def _record_match(session: AsyncSession, runtime: ServiceRuntime, decision: Decision) -> None:
    envelope_trace = current_trace_id()
    settings = runtime.settings
    match_id = str(uuid.uuid4())
    evidence = {
        "signals": [{"signal": s.signal, "distance": s.distance, "threshold": s.threshold} for s in decision.signals],
        "inliers": decision.inliers,
        "region": list(decision.region) if decision.region else None,
        "copy_region": list(decision.copy_region) if decision.copy_region else None,
        "transforms": list(decision.transforms),
    }
    build_insert = postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    inserted = await session.execute(
        build_insert(store.matches)
        .values(
            id=match_id,
            photo_id=decision.reference_id,
            discovery_id=decision.copy_id,
            score=decision.score,
            evidence=evidence,
        )
        .on_conflict_do_nothing(index_elements=["photo_id", "discovery_id"])
    )
    if inserted.rowcount != 1:
        return
    reference = (
        await session.execute(select(store.references).where(store.references.c.photo_id == decision.reference_id))
    ).one()
    discovery = (
        await session.execute(select(store.discoveries).where(store.discoveries.c.discovery_id == decision.copy_id))
    ).one()
    await runtime.outbox.add(
        session,
        events.match_found(
            match_id=match_id,
            reference=reference,
            discovery=discovery,
            decision=decision,
            shard=settings.matcher_shard,
            shard_count=settings.matcher_shard_count,
        ),
        trace_id=reference.trace_id or None,
    )
    token = bind_trace_id(reference.trace_id or current_trace_id())
    try:
        log.info(
            "match found: photo %s on %s (score %.3f, %s, discovery trace %s)",
            decision.reference_id,
            discovery.page_url,
            decision.score,
            "+".join(s.signal for s in decision.signals),
            envelope_trace,
        )
    finally:
        reset_trace_id(token)


async def _placed_in_copy(runtime: ServiceRuntime, session: AsyncSession, decision: Decision) -> Decision:
    """A new photo's match with its region's edges put on the discovered image's pixels, read again from object
    storage; the photo's frame mapped into the image when they cannot be read."""
    if decision.copy_edges is None:
        return decision
    object_key = (
        await session.execute(
            select(store.discoveries.c.object_key).where(store.discoveries.c.discovery_id == decision.copy_id)
        )
    ).scalar_one_or_none()
    if object_key is None:
        return decision
    try:
        data = await runtime.objects.get(object_key)
        image = await asyncio.to_thread(matching(runtime).fingerprinter.decode, data, reference=False)
    except (ObjectNotFound, UnusableImage) as error:
        log.warning("region of %s in %s left unplaced: %s", decision.reference_id, decision.copy_id, error)
        return decision
    return await asyncio.to_thread(place_copy_region, decision, image.rgb)


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
    state = matching(runtime)
    image = await _decode_object(runtime, event.object_key, reference=True)
    prints = await asyncio.to_thread(state.fingerprinter.of_image, image, reference=True)
    await session.execute(
        store.references.insert().values(
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            object_key=event.object_key,
            sha256=event.sha256,
            trace_id=envelope.trace_id,
            **_fingerprint_columns(prints),
        )
    )
    _add_after_commit(session, state, state.references, event.photo_id, prints)
    log.info("reference photo %s fingerprinted (%d keypoints)", event.photo_id, len(prints.features))
    decisions = await asyncio.to_thread(
        run_locked, state, state.matcher.match_reference, event.photo_id, prints, state.discoveries, image=image
    )
    for decision in decisions:
        await _record_match(session, runtime, await _placed_in_copy(runtime, session, decision))


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
    state = matching(runtime)
    image = await _decode_object(runtime, event.object_key, reference=False)
    prints = await asyncio.to_thread(state.fingerprinter.of_image, image, reference=False)
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
            **_fingerprint_columns(prints),
        )
    )
    _add_after_commit(session, state, state.discoveries, event.discovery_id, prints)
    decisions = await asyncio.to_thread(
        run_locked, state, state.matcher.match_copy, event.discovery_id, prints, state.references, image=image
    )
    for decision in decisions:
        await _record_match(session, runtime, decision)


CONSUMERS = [consumer]
WORKERS = [snapshot_loop]
STARTUP = [load_indexes]
