"""In-app notifications: the list with what is unread, each leading to the page where to act."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pixhound_portal.domain import portal_path
from pixhound_portal.web import FormDep, SignedInDep, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/notifications")
async def notification_list(ctx: SignedInDep, page: int = 1) -> Response:
    size = 50
    page = max(1, min(page, 1000))
    listing = await ctx.backend.notifications(ctx.token, limit=size + 1, offset=(page - 1) * size)
    items = [{**item, "path": portal_path(item.get("link", ""))} for item in listing["items"][:size]]
    return render(
        ctx,
        "notifications.html",
        items=items,
        unread=listing.get("unread", 0),
        page=page,
        more=len(listing["items"]) > size,
    )


@router.post("/notifications/{notification_id}/open")
async def open_notification(ctx: SignedInDep, notification_id: str, form: FormDep) -> Response:
    await ctx.backend.mark_read(ctx.token, notification_id)
    return redirect(portal_path(str(form.get("path", ""))))


@router.post("/notifications/read-all")
async def read_all(ctx: SignedInDep, form: FormDep) -> Response:
    await ctx.backend.mark_all_read(ctx.token)
    return redirect("/notifications")
