"""Scan pages: ask the crawler to look for the photographer's photos on given websites."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response

from pixhound_portal.backend import BackendError
from pixhound_portal.web import FormDep, SignedInDep, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/scans")
async def scans_page(ctx: SignedInDep) -> Response:
    return render(ctx, "scans.html", crawl=None, urls="", error="")


@router.post("/scans")
async def start_scan(ctx: SignedInDep, form: FormDep) -> Response:
    text = str(form.get("urls", ""))[:4000]
    seeds = [line.strip() for line in text.split() if line.strip()][:20]
    if not seeds or not all(seed.startswith(("http://", "https://")) for seed in seeds):
        return render(ctx, "scans.html", status_code=422, crawl=None, urls=text, error="urls")
    try:
        crawl = await ctx.backend.start_crawl(ctx.token, seeds, max_pages=200, max_depth=2)
    except BackendError as error:
        if error.status != 422:
            raise
        return render(ctx, "scans.html", status_code=422, crawl=None, urls=text, error="urls")
    return redirect(f"/scans/{crawl['id']}")


@router.get("/scans/{crawl_id}")
async def scan_status(ctx: SignedInDep, crawl_id: str) -> Response:
    crawl, not_fetched = await asyncio.gather(
        ctx.backend.crawl(ctx.token, crawl_id), ctx.backend.not_fetched(ctx.token, crawl_id)
    )
    return render(ctx, "scans.html", crawl=crawl, not_fetched=not_fetched, urls="", error="")
