"""The crawler's HTTP API: submit a crawl, follow its progress, see what it found."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select

from pixhound_crawler import crawl, domain, imports, store
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.observability import current_trace_id
from pixhound_platform.problems import Problem
from pixhound_platform.runtime import after_commit

router = APIRouter(prefix="/v1", tags=["crawls"])


class CrawlIn(BaseModel):
    seeds: list[str] = Field(min_length=1, max_length=100, description="Start URLs (http or https)")
    max_pages: int = Field(default=100, ge=1, le=100_000)
    max_depth: int = Field(default=2, ge=0, le=20)
    use_sitemaps: bool = Field(default=False, description="Also follow the sites' sitemaps (robots.txt Sitemap: lines)")

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
    archive_sha256: str
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
            use_sitemaps=body.use_sitemaps,
            status="running",
            trace_id=current_trace_id(),
        )
    )
    await crawl.enqueue(session, crawl_id, body.seeds, 0, body.max_pages)
    runtime.state[crawl.WAKEUP].set()
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
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
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
                p.c.archive_sha256,
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
                archive_sha256=r.archive_sha256,
                page_sha256=r.sha256,
                fetched_at=r.fetched_at,
            )
            for r in rows
        ],
        limit=limit,
        offset=offset,
    )


class PageOut(BaseModel):
    id: str
    url: str
    final_url: str
    http_status: int
    server_ip: str
    sha256: str
    archive_key: str
    archive_sha256: str
    site_host: str
    fetched_at: datetime
    images: int


class PagePage(BaseModel):
    items: list[PageOut]
    limit: int
    offset: int


@router.get("/crawls/{crawl_id}/pages", response_model=PagePage, summary="Pages a crawl fetched, with their evidence")
async def crawl_pages(
    crawl_id: str,
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PagePage:
    await _owned_crawl(session, crawl_id, photographer.account_id)
    p, o = store.pages, store.occurrences
    images = select(func.count()).select_from(o).where(o.c.page_id == p.c.id).scalar_subquery()
    rows = (
        await session.execute(
            select(p, images.label("images"))
            .where(p.c.crawl_id == crawl_id)
            .order_by(p.c.fetched_at, p.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return PagePage(
        items=[PageOut(**{name: getattr(r, name) for name in PageOut.model_fields}) for r in rows],
        limit=limit,
        offset=offset,
    )


class SiteOut(BaseModel):
    host: str
    name: str
    country: str
    commercial: bool | None
    actionability: float | None
    identity: dict
    computed_at: datetime


@router.get(
    "/crawls/{crawl_id}/sites", response_model=list[SiteOut], summary="Who runs the sites a crawl found images on"
)
async def crawl_sites(crawl_id: str, photographer: PhotographerDep, session: SessionDep) -> list[SiteOut]:
    await _owned_crawl(session, crawl_id, photographer.account_id)
    hosts = select(store.pages.c.site_host).where(store.pages.c.crawl_id == crawl_id).distinct()
    rows = (
        await session.execute(select(store.sites).where(store.sites.c.host.in_(hosts)).order_by(store.sites.c.host))
    ).all()
    return [SiteOut(**{name: getattr(r, name) for name in SiteOut.model_fields}) for r in rows]


class NotFetchedOut(BaseModel):
    url: str
    outcome: Literal["refused-or-failed", "disallowed-by-robots", "not-a-page"]
    reason: str = Field(description="In plain words: the network guard's refusal, the HTTP answer, the DNS error…")
    attempts: int


class NotFetchedPage(BaseModel):
    items: list[NotFetchedOut]
    limit: int
    offset: int


NOT_FETCHED_OUTCOMES = {"failed": "refused-or-failed", "blocked": "disallowed-by-robots", "done": "not-a-page"}


@router.get(
    "/crawls/{crawl_id}/not-fetched",
    response_model=NotFetchedPage,
    summary="Every URL the crawl did not fetch as a page, and why",
)
async def crawl_not_fetched(
    crawl_id: str,
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotFetchedPage:
    await _owned_crawl(session, crawl_id, photographer.account_id)
    rows = await store.urls_not_fetched(session, crawl_id, limit=limit, offset=offset)
    return NotFetchedPage(
        items=[
            NotFetchedOut(url=r.url, outcome=NOT_FETCHED_OUTCOMES[r.status], reason=r.error, attempts=r.attempts)
            for r in rows
        ],
        limit=limit,
        offset=offset,
    )


class ImportIn(BaseModel):
    object_key: str = Field(
        min_length=1,
        max_length=400,
        description="A WARC or WAT file (optionally gzip) in object storage, under the caller's own prefix "
        "`imports/<account id>/`",
    )
    format: Literal["warc", "wat"] = "warc"
    max_pages: int = Field(default=100_000, ge=1, le=10_000_000)


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CrawlOut,
    summary="Discover images from a web-archive file without fetching its pages again",
)
async def submit_import(
    body: ImportIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CrawlOut:
    exists = False
    if imports.owns_key(photographer.account_id, body.object_key):
        try:
            exists = await runtime.objects.exists(body.object_key)
        except ValueError as error:
            raise Problem(422, "invalid-object-key", str(error)) from error
    if not exists:
        raise Problem(404, "archive-not-found", "No such archive under your imports.")
    crawl_id = str(uuid.uuid4())
    await session.execute(
        store.crawls.insert().values(
            id=crawl_id,
            owner_id=photographer.account_id,
            seeds=[body.object_key],
            hosts=[],
            max_pages=body.max_pages,
            max_depth=0,
            status="importing",
            trace_id=current_trace_id(),
        )
    )
    after_commit(session, lambda: imports.start(runtime, crawl_id, body.object_key, body.format, body.max_pages))
    return _crawl_out(await _owned_crawl(session, crawl_id, photographer.account_id))
