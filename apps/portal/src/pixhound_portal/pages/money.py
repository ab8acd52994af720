"""The money page: what each case is expected to bring, what was received, paid out and is overdue."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pixhound_portal.web import SignedInDep, TokenDep, render

router = APIRouter(include_in_schema=False)


@router.get("/money")
async def money(ctx: SignedInDep) -> Response:
    summary = await ctx.backend.money(ctx.token)
    return render(ctx, "money.html", totals=summary.get("totals", []), items=summary.get("items", []))


@router.get("/money.csv")
async def money_csv(ctx: TokenDep) -> Response:
    export = await ctx.backend.money_csv(ctx.token)
    return Response(
        export.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pixhound-money.csv"'},
    )
