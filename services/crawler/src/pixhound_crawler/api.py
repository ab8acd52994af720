"""The crawler's HTTP API: submit a crawl, follow its progress, see what it found."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from pixhound_crawler import domain, store
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.observability import current_trace_id
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1", tags=["crawls"])


class CrawlIn(BaseModel):
    seeds: list[str] = Field(min_length=1, max_length=100, description="Start URLs (http or https)")
    max_pages: int = Field(default=100, ge=1, le=100_000)
    max_depth: int = Field(default=2, ge=0, le=20)

    @field_validator("seeds")
    @classmethod
    def _normalised(cls, seeds: list[str]) -> list[str]:
        cleaned = []
        for seed in seeds:
            url = domain.normalise_url(seed)
            if url is None:
                raise ValueError(f"{seed!r} is not an http(s) URL")
            cleaned.append(url)
        return list(dict.fromkeys(cleaned))


class CrawlOut(BaseModel):
    id: str
    seeds: list[str]
    status: str
    max_pages: int
    max_depth: int
    pages_fetched: int
    images_found: int
    errors: int
    created_at: datetime
    finished_at: datetime | None


class ImageOccurrenceOut(BaseModel):
    discovery_id: str
    page_url: str
    image_url: str
    sha256: str
    width: int
    height: int
    archive_key: str
    page_sha256: str
    fetched_at: datetime


class ImageOccurrencePage(BaseModel):
    items: list[ImageOccurrenceOut]
    limit: int
    offset: int


def _crawl_out(row) -> CrawlOut:
    return CrawlOut(**{name: getattr(row, name) for name in CrawlOut.model_fields})


async def _owned_crawl(session, crawl_id: str, owner_id: str):
    row = (
        await session.execute(
            select(store.crawls).where(store.crawls.c.id == crawl_id, store.crawls.c.owner_id == owner_id)
        )
    ).first()
    if row is None:
        raise Problem(404, "crawl-not-found", "No such crawl in your account.")
    return row


@router.post(
    "/crawls", status_code=status.HTTP_202_ACCEPTED, response_model=CrawlOut, summary="Start a crawl from seed URLs"
)
async def submit_crawl(
    body: CrawlIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CrawlOut:
    crawl_id = str(uuid.uuid4())
    hosts = sorted({domain.host_of(seed) for seed in body.seeds})
    await session.execute(
        store.crawls.insert().values(
            id=crawl_id,
            owner_id=photographer.account_id,
            seeds=body.seeds,
            hosts=hosts,
            max_pages=body.max_pages,
            max_depth=body.max_depth,
            status="running",
            trace_id=current_trace_id(),
        )
    )
    for seed in body.seeds[: body.max_pages]:
        await session.execute(store.frontier.insert().values(crawl_id=crawl_id, url=seed, depth=0, status="pending"))
    runtime.state["crawl_wakeup"].set()
    return _crawl_out(await _owned_crawl(session, crawl_id, photographer.account_id))


@router.get("/crawls/{crawl_id}", response_model=CrawlOut, summary="A crawl's progress")
async def get_crawl(crawl_id: str, photographer: PhotographerDep, session: SessionDep) -> CrawlOut:
    return _crawl_out(await _owned_crawl(session, crawl_id, photographer.account_id))


@router.get(
    "/crawls/{crawl_id}/images", response_model=ImageOccurrencePage, summary="Images found by a crawl, page by page"
)
async def crawl_images(
    crawl_id: str,
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ImageOccurrencePage:
    await _owned_crawl(session, crawl_id, photographer.account_id)
    o, p, i = store.occurrences, store.pages, store.images
    rows = (
        await session.execute(
            select(
                o.c.id,
                p.c.final_url,
                o.c.image_url,
                o.c.image_sha256,
                i.c.width,
                i.c.height,
                p.c.archive_key,
                p.c.sha256,
                p.c.fetched_at,
            )
            .join(p, p.c.id == o.c.page_id)
            .join(i, i.c.sha256 == o.c.image_sha256)
            .where(o.c.crawl_id == crawl_id)
            .order_by(o.c.created_at, o.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return ImageOccurrencePage(
        items=[
            ImageOccurrenceOut(
                discovery_id=r.id,
                page_url=r.final_url,
                image_url=r.image_url,
                sha256=r.image_sha256,
                width=r.width,
                height=r.height,
                archive_key=r.archive_key,
                page_sha256=r.sha256,
                fetched_at=r.fetched_at,
            )
            for r in rows
        ],
        limit=limit,
        offset=offset,
    )
