"""The matches inbox and the case page: review, compare, price, launch, decide, follow the money.

A match and its case are one record at the cases service: the inbox lists cases still to
review, ranked by how actionable they are; the case page carries every later step.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from pixhound_portal import domain
from pixhound_portal.backend import BackendError
from pixhound_portal.web import Context, FormDep, SignedInDep, TokenDep, redirect, render

router = APIRouter(include_in_schema=False)
FILTERS = ("country", "commercial", "band", "site", "since", "until")
CASE_ACTIONS = {"confirm", "dismiss", "license", "close"}


def _inbox_filters(values: dict[str, str]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if len(values.get("country", "")) == 2:
        filters["country"] = values["country"].upper()
    if values.get("commercial") in {"true", "false"}:
        filters["commercial"] = values["commercial"]
    if values.get("band") in domain.BAND_LABELS:
        filters["band"] = values["band"]
    if values.get("site"):
        filters["site"] = values["site"][:300]
    for name in ("since", "until"):
        if len(values.get(name, "")) == 10:
            filters[name] = values[name]
    return filters


@router.get("/matches")
async def inbox(
    ctx: SignedInDep,
    view: Literal["review", "all"] = "review",
    country: str = "",
    commercial: str = "",
    band: str = "",
    site: str = "",
    since: str = "",
    until: str = "",
    cursor: str = "",
    done: str = "",
) -> Response:
    chosen = {"country": country, "commercial": commercial, "band": band, "site": site, "since": since, "until": until}
    filters = _inbox_filters(chosen)
    states = ",".join(domain.REVIEW_STATES) if view == "review" else None
    listing, facets = await asyncio.gather(
        ctx.backend.cases(ctx.token, state=states, cursor=cursor or None, limit=50, **filters),
        ctx.backend.case_facets(ctx.token),
    )
    return render(
        ctx,
        "inbox.html",
        cases=listing["items"],
        next_cursor=listing.get("next_cursor"),
        facets=facets,
        view=view,
        chosen=chosen,
        filters={**chosen, "view": view},
        done=done,
    )


@router.post("/matches/bulk")
async def bulk(ctx: SignedInDep, form: FormDep) -> Response:
    action = str(form.get("action", ""))
    case_ids = [str(value) for value in form.getlist("case_id")][:200]
    back = {name: str(form.get(name, "")) for name in (*FILTERS, "view")}
    if action not in domain.BULK_ACTIONS or not case_ids:
        return redirect("/matches", done="none-selected", **back)
    results = await ctx.backend.bulk_review(ctx.token, case_ids, action)
    succeeded = sum(1 for result in results if result.get("ok"))
    return redirect("/matches", done=f"{action}:{succeeded}", **back)


@router.get("/cases")
async def case_list(ctx: SignedInDep, state: str = "", cursor: str = "") -> Response:
    states = state if state in domain.STATE_LABELS else ",".join(domain.RECOVERY_STATES)
    listing = await ctx.backend.cases(ctx.token, state=states, cursor=cursor or None, limit=50)
    return render(ctx, "cases.html", cases=listing["items"], next_cursor=listing.get("next_cursor"), state=state)


@router.get("/cases/{case_id}")
async def case_page(ctx: SignedInDep, case_id: str, done: str = "", error: str = "") -> Response:
    case = await ctx.backend.case(ctx.token, case_id)
    return await _render_case(ctx, case, done=done, error=error)


async def _render_case(ctx: Context, case: dict, *, done: str = "", error: str = "", status: int = 200) -> Response:
    case_id = case["id"]
    wants_options = domain.can_launch(case) and case.get("licence_price") is not None
    offers, payments, options, suggestion = await asyncio.gather(
        ctx.backend.offers(ctx.token, case_id),
        ctx.backend.payments(ctx.token, case_id),
        _optional(ctx.backend.recovery_options(ctx.token, case_id)) if wants_options else _nothing(),
        _optional(ctx.backend.pricing_suggestion(ctx.token, currency=case.get("currency", "EUR"))),
    )
    return render(
        ctx,
        "case.html",
        status_code=status,
        case=case,
        match=case.get("match") or {},
        site=case.get("site") or {},
        photo=case.get("photo") or {},
        actions=domain.case_actions(case),
        offers=offers,
        payments=payments,
        options=options,
        suggestion=suggestion,
        done=done,
        error=error,
    )


async def _optional(call) -> Any:
    try:
        return await call
    except BackendError as error:
        if error.status in {404, 409, 422}:
            return None
        raise


async def _nothing() -> None:
    return None


async def _act(ctx: Context, case_id: str, call, done: str) -> Response:
    try:
        await call
    except BackendError as error:
        if error.status not in {409, 422}:
            raise
        return redirect(f"/cases/{case_id}", error=error.slug or "refused")
    return redirect(f"/cases/{case_id}", done=done)


@router.post("/cases/{case_id}/review/{action}")
async def review(ctx: SignedInDep, case_id: str, action: str, form: FormDep) -> Response:
    if action not in CASE_ACTIONS:
        return redirect(f"/cases/{case_id}", error="unknown-action")
    body = {"note": str(form.get("note", ""))[:2000]}
    if form.get("expected_version"):
        body["expected_version"] = int(str(form["expected_version"]))
    return await _act(ctx, case_id, ctx.backend.case_action(ctx.token, case_id, action, body), action)


@router.post("/cases/{case_id}/pricing")
async def pricing(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    licence = domain.money_to_minor(str(form.get("licence_price", "")))
    floor = domain.money_to_minor(str(form.get("floor_price", "")))
    try:
        surcharge = float(str(form.get("surcharge_percent", "0")).replace(",", "."))
    except ValueError:
        surcharge = -1
    if licence is None or floor is None or not 0 <= surcharge <= 500:
        return redirect(f"/cases/{case_id}", error="pricing-invalid")
    body = {
        "licence_price": licence,
        "surcharge_percent": str(round(surcharge, 2)),
        "floor_price": floor,
        "currency": str(form.get("currency", "EUR"))[:3] or "EUR",
        "vat_country": str(form.get("vat_country", "FR"))[:2].upper() or "FR",
    }
    return await _act(ctx, case_id, ctx.backend.set_pricing(ctx.token, case_id, body), "priced")


@router.post("/cases/{case_id}/launch")
async def launch(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    choice = str(form.get("option", ""))
    if choice == "self":
        call = ctx.backend.case_action(ctx.token, case_id, "self-managed", {})
        return await _act(ctx, case_id, call, "self-managed")
    if not choice:
        return redirect(f"/cases/{case_id}", error="choose-option")
    call = ctx.backend.case_action(ctx.token, case_id, "recovery", {"agency_id": choice})
    return await _act(ctx, case_id, call, "launched")


@router.post("/cases/{case_id}/steps")
async def self_step(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    step = str(form.get("step", ""))
    if step not in domain.SELF_STEPS:
        return redirect(f"/cases/{case_id}", error="unknown-action")
    body = {"step": step, "note": str(form.get("note", ""))[:2000]}
    return await _act(ctx, case_id, ctx.backend.case_action(ctx.token, case_id, "steps", body), step)


@router.post("/cases/{case_id}/infringer")
async def record_infringer(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    body = {
        "name": str(form.get("name", "")).strip()[:300],
        "address": [line.strip() for line in str(form.get("address", "")).splitlines() if line.strip()][:8],
        "email": str(form.get("email", "")).strip()[:320],
        "company_id": str(form.get("company_id", "")).strip()[:40],
        "country": str(form.get("country", "")).strip()[:2].upper(),
    }
    if not body["name"]:
        return redirect(f"/cases/{case_id}", error="infringer-missing")
    return await _act(ctx, case_id, ctx.backend.case_action(ctx.token, case_id, "infringer", body), "infringer")


@router.post("/cases/{case_id}/payment")
async def self_payment(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    gross = domain.money_to_minor(str(form.get("gross", "")))
    if not gross:
        return redirect(f"/cases/{case_id}", error="amount-invalid")
    call = ctx.backend.case_action(ctx.token, case_id, "payments", {"gross": gross})
    return await _act(ctx, case_id, call, "payment")


@router.post("/cases/{case_id}/offers/{offer_id}")
async def decide_offer(ctx: SignedInDep, case_id: str, offer_id: str, form: FormDep) -> Response:
    decision = str(form.get("decision", ""))
    if decision not in {"accept", "reject"}:
        return redirect(f"/cases/{case_id}", error="unknown-action")
    call = ctx.backend.decide_offer(ctx.token, case_id, offer_id, decision == "accept")
    return await _act(ctx, case_id, call, f"offer-{decision}")


@router.post("/cases/{case_id}/abandon")
async def abandon(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    reason = str(form.get("reason", ""))
    note = str(form.get("note", "")).strip()[:2000]
    if reason not in domain.ABANDON_REASONS or len(note) < 3:
        return redirect(f"/cases/{case_id}", error="abandon-invalid")
    call = ctx.backend.case_action(ctx.token, case_id, "abandon", {"reason": reason, "note": note})
    return await _act(ctx, case_id, call, "abandoned")


@router.post("/cases/{case_id}/reopen")
async def reopen(ctx: SignedInDep, case_id: str, form: FormDep) -> Response:
    note = str(form.get("note", "")).strip()[:2000]
    if len(note) < 3:
        return redirect(f"/cases/{case_id}", error="reopen-invalid")
    return await _act(ctx, case_id, ctx.backend.case_action(ctx.token, case_id, "reopen", {"note": note}), "reopened")


@router.get("/cases/{case_id}/copy-image")
async def copy_image(ctx: TokenDep, case_id: str) -> Response:
    image = await ctx.backend.copy_image(ctx.token, case_id)
    return Response(image.content, media_type=image.media_type, headers=image.headers)


@router.get("/cases/{case_id}/evidence.warc")
async def evidence(ctx: TokenDep, case_id: str) -> Response:
    archive = await ctx.backend.evidence_archive(ctx.token, case_id)
    headers = {"Content-Disposition": f'attachment; filename="evidence-{case_id[:8]}.warc"'}
    return Response(archive.content, media_type="application/warc", headers=headers)


@router.get("/cases/{case_id}/documents/{kind}")
async def document(ctx: TokenDep, case_id: str, kind: Literal["notice.pdf", "invoice.pdf"]) -> Response:
    pdf = await ctx.backend.document(ctx.token, case_id, kind, ctx.locale)
    headers = {"Content-Disposition": pdf.headers.get("content-disposition", f'attachment; filename="{kind}"')}
    return Response(pdf.content, media_type="application/pdf", headers=headers)
