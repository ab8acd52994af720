"""Portfolio pages: upload (many files, progress per file), the gallery, one photo and its authorship."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pixhound_portal import domain
from pixhound_portal.backend import BackendError
from pixhound_portal.web import Context, FormDep, SignedInDep, TokenDep, read_checked_form, redirect, render

router = APIRouter(include_in_schema=False)
EDITABLE = ("title", "creator", "copyright", "credit", "captured_at")


@router.get("/photos")
async def portfolio(ctx: SignedInDep, q: str = "", page: int = 1) -> Response:
    size = ctx.settings.page_size
    page = max(1, min(page, 10_000))
    listing = await ctx.backend.photos(ctx.token, q=q[:200], limit=size, offset=(page - 1) * size)
    stats = await ctx.backend.photo_stats(ctx.token, [photo["id"] for photo in listing["items"]])
    counts = {item["photo_id"]: item for item in stats["items"]}
    total = int(listing.get("total", len(listing["items"])))
    return render(
        ctx,
        "portfolio.html",
        photos=listing["items"],
        counts=counts,
        q=q,
        page=page,
        pages=max(1, -(-total // size)),
        total=total,
    )


@router.get("/photos/upload")
async def upload_page(ctx: SignedInDep, welcome: bool = False) -> Response:
    return render(ctx, "upload.html", welcome=welcome, results=None)


@router.post("/photos/upload")
async def upload(request: Request, ctx: TokenDep) -> Response:
    form = await read_checked_form(request, max_files=1000, max_part_size=64 * 1024)
    files = [item for item in form.getlist("file") if hasattr(item, "read")]
    results = [await _upload_one(ctx, item) for item in files]
    await form.close()
    if "application/json" in request.headers.get("accept", ""):
        if len(results) != 1:
            return JSONResponse({"error": "one-file", "reason": ctx.gettext("Send one file per request.")}, 422)
        return JSONResponse(results[0], status_code=200)
    return render(ctx, "upload.html", welcome=False, results=results)


async def _upload_one(ctx: Context, item) -> dict:
    filename = (item.filename or "photo")[:300]
    content = await item.read(ctx.settings.max_upload_bytes + 1)
    if len(content) > ctx.settings.max_upload_bytes:
        outcome, reason, photo = "refused", "upload-too-large", None
    else:
        try:
            response = await ctx.backend.upload_photo(
                ctx.token, filename, content, item.content_type or "application/octet-stream"
            )
            outcome, reason = domain.upload_outcome(response.status_code)
            photo = response.json()
        except BackendError as error:
            if error.status >= 500:
                raise
            outcome, reason = domain.upload_outcome(error.status, error.slug)
            photo = None
    return {
        "filename": filename,
        "outcome": outcome,
        "reason": reason,
        "reason_text": ctx.gettext(domain.UPLOAD_REASONS[reason]) if reason else "",
        "photo": _photo_summary(photo),
    }


def _photo_summary(photo: dict | None) -> dict | None:
    if not photo:
        return None
    authorship = photo.get("authorship") or {}
    return {
        "id": photo["id"],
        "title": photo.get("title", ""),
        "url": f"/photos/{photo['id']}",
        "thumb": f"/photos/{photo['id']}/image/thumb",
        "creator": authorship.get("creator", ""),
        "copyright": authorship.get("copyright", ""),
        "captured_at": authorship.get("captured_at", ""),
    }


@router.get("/photos/{photo_id}")
async def photo_page(ctx: SignedInDep, photo_id: str, saved: bool = False) -> Response:
    photo, cases, stats = await asyncio.gather(
        ctx.backend.photo(ctx.token, photo_id),
        ctx.backend.cases(ctx.token, photo_id=photo_id, limit=50),
        ctx.backend.photo_stats(ctx.token, [photo_id]),
    )
    counts = stats["items"][0] if stats["items"] else {}
    return render(ctx, "photo.html", photo=photo, cases=cases["items"], counts=counts, saved=saved, error="")


@router.post("/photos/{photo_id}")
async def edit_photo(ctx: SignedInDep, photo_id: str, form: FormDep) -> Response:
    changes = {name: str(form.get(name, "")).strip()[:300] for name in EDITABLE if name in form}
    try:
        await ctx.backend.update_photo(ctx.token, photo_id, changes)
    except BackendError as error:
        if error.status != 422:
            raise
        photo = await ctx.backend.photo(ctx.token, photo_id)
        return render(ctx, "photo.html", status_code=422, photo=photo, cases=[], counts={}, saved=False, error="x")
    return redirect(f"/photos/{photo_id}", saved=1)


@router.get("/photos/{photo_id}/image/{size}")
async def photo_image(ctx: TokenDep, photo_id: str, size: Literal["thumb", "medium", "large"]) -> Response:
    image = await ctx.backend.photo_image(ctx.token, photo_id, size, ctx.request.headers.get("if-none-match"))
    return Response(image.content, status_code=image.status, media_type=image.media_type, headers=image.headers)
