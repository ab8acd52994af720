"""The matcher's HTTP API: what it holds and a direct search, for operators and the portal."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel

from pixhound_matcher import domain
from pixhound_matcher.worker import DISCOVERY_INDEX, REFERENCE_INDEX
from pixhound_platform.app import RuntimeDep
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1", tags=["matching"])


class IndexStats(BaseModel):
    references: int
    discovered_images: int
    shard: int
    shard_count: int


class Candidate(BaseModel):
    photo_id: str
    distance: int
    score: float


class SearchResult(BaseModel):
    candidates: list[Candidate]


@router.get("/index", response_model=IndexStats, summary="Sizes of this shard's indexes")
async def index_stats(runtime: RuntimeDep) -> IndexStats:
    return IndexStats(
        references=len(runtime.state[REFERENCE_INDEX]),
        discovered_images=len(runtime.state[DISCOVERY_INDEX]),
        shard=runtime.settings.matcher_shard,
        shard_count=runtime.settings.matcher_shard_count,
    )


@router.post("/search", response_model=SearchResult, summary="Find reference photos that an image copies")
async def search(runtime: RuntimeDep, file: Annotated[UploadFile, File()]) -> SearchResult:
    data = await file.read(50 * 1024 * 1024 + 1)
    if not data:
        raise Problem(422, "empty-upload", "The uploaded file is empty.")
    try:
        fingerprint = await asyncio.to_thread(domain.fingerprint, data, max_pixels=runtime.settings.max_image_pixels)
    except domain.UnusableImage as error:
        raise Problem(415, "unsupported-image", str(error)) from error
    threshold = runtime.settings.phash_max_distance
    found = runtime.state[REFERENCE_INDEX].search(fingerprint.phash, threshold)
    return SearchResult(
        candidates=[
            Candidate(photo_id=photo_id, distance=d, score=domain.score_for_distance(d, threshold))
            for photo_id, d in found
        ]
    )
