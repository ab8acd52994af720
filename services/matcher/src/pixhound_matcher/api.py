"""The matcher's HTTP API: what it holds and a direct search, for signed-in photographers.

Both endpoints need the photographer's bearer token. A search answers only with the
caller's own reference photos; the image's size is read from its header and refused
before any pixel is decoded, and only a few searches decode at once.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel
from sqlalchemy import select

from pixhound_matcher import store
from pixhound_matcher.decode import ImageTooLarge, UnusableImage, check_size
from pixhound_matcher.worker import matching, run_locked
from pixhound_platform.app import RuntimeDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.problems import Problem
from pixhound_platform.runtime import ServiceRuntime

router = APIRouter(prefix="/v1", tags=["matching"])
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SEARCH_SLOTS = "search_slots"


class IndexStats(BaseModel):
    references: int
    discovered_images: int
    reference_hash_index: str
    reference_feature_index: str
    clip: bool
    shard: int
    shard_count: int


class SignalScore(BaseModel):
    signal: str
    distance: float
    threshold: float


class Candidate(BaseModel):
    photo_id: str
    score: float
    signals: list[SignalScore]
    inliers: int
    region: list[float] | None
    copy_region: list[float] | None
    transforms: list[str]


class SearchResult(BaseModel):
    candidates: list[Candidate]


@router.get("/index", response_model=IndexStats, summary="Sizes and kinds of this shard's indexes")
async def index_stats(runtime: RuntimeDep, photographer: PhotographerDep) -> IndexStats:
    state = matching(runtime)
    return IndexStats(
        references=len(state.references),
        discovered_images=len(state.discoveries),
        reference_hash_index=state.references.hashes.kind,
        reference_feature_index=state.references.descriptors.kind,
        clip=state.fingerprinter.clip is not None,
        shard=runtime.settings.matcher_shard,
        shard_count=runtime.settings.matcher_shard_count,
    )


@router.post("/search", response_model=SearchResult, summary="Find which of the caller's photos an image copies")
async def search(
    runtime: RuntimeDep, photographer: PhotographerDep, file: Annotated[UploadFile, File()]
) -> SearchResult:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise Problem(422, "empty-upload", "The uploaded file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Problem(413, "upload-too-large", f"The upload exceeds {MAX_UPLOAD_BYTES} bytes.")
    state = matching(runtime)
    try:
        check_size(data, max_pixels=state.fingerprinter.config.max_pixels)
        async with _search_slots(runtime):
            image = await asyncio.to_thread(state.fingerprinter.decode, data, reference=False)
            prints = await asyncio.to_thread(state.fingerprinter.of_image, image, reference=False)
    except ImageTooLarge as error:
        raise Problem(413, "image-too-large", str(error)) from error
    except UnusableImage as error:
        raise Problem(415, "unsupported-image", str(error)) from error
    decisions = await asyncio.to_thread(
        run_locked, state, state.matcher.match_copy, "upload", prints, state.references, image=image
    )
    owned = await _owned(runtime, photographer.account_id, {d.reference_id for d in decisions})
    return SearchResult(
        candidates=[
            Candidate(
                photo_id=d.reference_id,
                score=d.score,
                signals=[SignalScore(signal=s.signal, distance=s.distance, threshold=s.threshold) for s in d.signals],
                inliers=d.inliers,
                region=list(d.region) if d.region else None,
                copy_region=list(d.copy_region) if d.copy_region else None,
                transforms=list(d.transforms),
            )
            for d in decisions
            if d.reference_id in owned
        ]
    )


def _search_slots(runtime: ServiceRuntime) -> asyncio.Semaphore:
    slots = runtime.state.get(SEARCH_SLOTS)
    if slots is None:
        slots = runtime.state[SEARCH_SLOTS] = asyncio.Semaphore(runtime.settings.max_concurrent_searches)
    return slots


async def _owned(runtime: ServiceRuntime, owner_id: str, photo_ids: set[str]) -> set[str]:
    if not photo_ids:
        return set()
    query = select(store.references.c.photo_id).where(
        store.references.c.owner_id == owner_id, store.references.c.photo_id.in_(photo_ids)
    )
    async with runtime.database.sessions() as session:
        return set((await session.scalars(query)).all())
