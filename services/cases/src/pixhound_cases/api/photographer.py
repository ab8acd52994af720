"""The photographers' API, `/v1`: review matches, price and launch recoveries, decide on offers, see the money.

Every query is scoped to the caller's account: another photographer's case is answered
404, as if it did not exist. The full fee waterfall is available before a recovery is
launched, and the recovery answer repeats it, so nobody learns about fees afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from pixhound_cases import documents, letters, money, pricing, service, store
from pixhound_cases.api.schemas import (
    AbandonIn,
    AgencyTerms,
    CaseFacets,
    CaseItemPage,
    CaseOut,
    FacetValue,
    Infringer,
    MoneyOverview,
    OfferIn,
    OfferOut,
    PaymentIn,
    PaymentOut,
    PaymentRecord,
    PhotographerCaseDetail,
    PhotoStat,
    PhotoStats,
    PostingOut,
    RecoveryOption,
    RecoveryOptions,
    ReopenIn,
    RequestModel,
    StepIn,
    TrackRecordOut,
    WaterfallOut,
)
from pixhound_cases.api.views import (
    case_item,
    case_out,
    decode_cursor,
    encode_cursor,
    money_csv,
    money_overview,
    parse_states,
    payment_record,
    photographer_case_detail,
)
from pixhound_cases.domain import (
    OPEN_STATES,
    Band,
    CaseState,
    Mode,
    Role,
    image_media_type,
    reopen_target,
    track_record,
)
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.db import utcnow
from pixhound_platform.objects import ObjectNotFound
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1", tags=["photographers"])


def _actor(account_id: str) -> str:
    return f"photographer:{account_id}"


class VersionIn(RequestModel):
    expected_version: int | None = Field(default=None, ge=1, description="Refuse the change if the case moved on")
    note: str = Field(default="", max_length=2000)


@router.get("/cases", response_model=CaseItemPage, summary="My cases, most actionable first")
async def list_cases(
    photographer: PhotographerDep,
    session: SessionDep,
    state: str | None = Query(default=None, description="One state or several, comma-separated"),
    photo_id: str | None = None,
    site: str | None = Query(default=None, description="Site host, e.g. agence.example"),
    country: str | None = Query(default=None, min_length=2, max_length=2),
    commercial: bool | None = None,
    min_actionability: float | None = Query(default=None, ge=0, le=1),
    band: Band | None = Query(default=None, description="Actionability band; unknown when the site is not identified"),
    since: date | None = Query(default=None, description="Opened on or after this day (UTC)"),
    until: date | None = Query(default=None, description="Opened on or before this day (UTC)"),
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CaseItemPage:
    filters = store.CaseFilters(
        states=parse_states(state),
        photo_id=photo_id,
        site=site,
        country=country,
        commercial=commercial,
        min_actionability=min_actionability,
        band=band,
        since=since,
        until=until,
    )
    offset = decode_cursor(cursor)
    rows = await store.list_cases(session, photographer.account_id, filters, offset=offset, limit=limit + 1)
    return CaseItemPage(
        items=[case_item(row) for row in rows[:limit]],
        next_cursor=encode_cursor(offset + limit) if len(rows) > limit else None,
    )


@router.get("/cases/facets", response_model=CaseFacets, summary="How my cases spread, to filter them")
async def facets(photographer: PhotographerDep, session: SessionDep) -> CaseFacets:
    counted = await store.case_facets(session, photographer.account_id)
    return CaseFacets(
        **{name: [FacetValue(value=value, count=count) for value, count in values] for name, values in counted.items()}
    )


@router.get(
    "/cases/{case_id}",
    response_model=PhotographerCaseDetail,
    summary="One of my cases with its timeline, the match, the site and the photo",
)
async def get_case(case_id: str, photographer: PhotographerDep, session: SessionDep) -> PhotographerCaseDetail:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return await photographer_case_detail(session, case)


async def _stored(runtime, key: str, what: str) -> bytes:
    if not key:
        raise Problem(404, "file-not-recorded", f"No {what} is recorded for this case.")
    try:
        return await runtime.objects.get(key)
    except ObjectNotFound as error:
        raise Problem(404, "file-missing", f"The {what} is no longer in storage.") from error


@router.get(
    "/cases/{case_id}/copy-image",
    summary="The image found on the site",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}},
)
async def copy_image(case_id: str, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep) -> Response:
    case = await service.owned_case(session, case_id, photographer.account_id)
    match = await store.match_of(session, case.match_id)
    data = await _stored(runtime, match.image_object_key, "found image")
    return Response(
        data,
        media_type=image_media_type(data),
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/cases/{case_id}/evidence/archive",
    summary="The page archive (WARC) kept as evidence",
    response_class=Response,
    responses={200: {"content": {"application/warc": {}}}},
)
async def evidence_archive(
    case_id: str, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    case = await service.owned_case(session, case_id, photographer.account_id)
    match = await store.match_of(session, case.match_id)
    data = await _stored(runtime, match.evidence_key, "page archive")
    extension = ".warc.gz" if match.evidence_key.endswith(".gz") else ".warc"
    return Response(
        data,
        media_type="application/warc",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{case.id[:8]}{extension}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/photo-stats", response_model=PhotoStats, summary="Matches and recoveries per photo")
async def photo_stats(
    photographer: PhotographerDep,
    session: SessionDep,
    photo_id: Annotated[list[str] | None, Query(max_length=200, description="Up to 200 photo ids")] = None,
) -> PhotoStats:
    ids = list(dict.fromkeys(photo_id or []))
    counts = await store.photo_stats(session, photographer.account_id, ids) if ids else {}
    items = []
    for pid in ids:
        matches, active, paid = counts.get(pid, (0, 0, 0))
        items.append(PhotoStat(photo_id=pid, matches=matches, active_cases=active, paid_cases=paid))
    return PhotoStats(items=items)


async def _review(
    runtime, session, case, target: CaseState, account_id: str, body: VersionIn, *, reason: str
) -> CaseOut:
    """Confirm, dismiss or license a case. Licensing a licensed case again moves nothing (its whitelist may widen)."""
    updated = await service.move(
        runtime,
        session,
        case,
        target,
        role=Role.PHOTOGRAPHER,
        actor=_actor(account_id),
        reason=reason,
        note=body.note,
        expected_version=body.expected_version,
        in_place=target == CaseState.LICENSED and case.state == CaseState.LICENSED.value,
    )
    if target in {CaseState.DISMISSED, CaseState.LICENSED} and updated.version != case.version:
        await service.queue_webhook(
            session, case.agency_id, "case.withdrawn", {"case_id": case.id, "state": target.value}
        )
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post("/cases/{case_id}/confirm", response_model=CaseOut, summary="Yes, this is my photo used without licence")
async def confirm(
    case_id: str, body: VersionIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return await _review(runtime, session, case, CaseState.CONFIRMED, photographer.account_id, body, reason="confirmed")


@router.post("/cases/{case_id}/dismiss", response_model=CaseOut, summary="Not my photo, or not worth pursuing")
async def dismiss(
    case_id: str, body: VersionIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return await _review(runtime, session, case, CaseState.DISMISSED, photographer.account_id, body, reason="dismissed")


class LicenseIn(VersionIn):
    scope: Literal["photo", "all"] = Field(
        default="photo", description="Whitelist this site for this photo or all photos"
    )


async def _whitelist(session, case, account_id: str, scope: str, note: str) -> None:
    domain = (case.site_host or (urlsplit(case.page_url).hostname or "")).lower()
    photo_id = case.photo_id if scope == "photo" else None
    if await store.whitelisted(session, account_id, domain, photo_id):
        return
    await session.execute(
        store.whitelist.insert().values(
            id=service.new_id(),
            owner_id=account_id,
            domain=domain,
            photo_id=photo_id,
            note=note,
        )
    )


@router.post("/cases/{case_id}/license", response_model=CaseOut, summary="This site is my licensed client")
async def license_case(
    case_id: str, body: LicenseIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    result = await _review(
        runtime, session, case, CaseState.LICENSED, photographer.account_id, body, reason=f"licensed ({body.scope})"
    )
    await _whitelist(session, case, photographer.account_id, body.scope, body.note)
    return result


class BulkIn(RequestModel):
    action: Literal["confirm", "dismiss", "license"]
    case_ids: list[str] = Field(min_length=1, max_length=200)
    scope: Literal["photo", "all"] = "photo"


class BulkResult(BaseModel):
    case_id: str
    ok: bool
    state: str | None = None
    problem: str | None = None


@router.post("/cases/bulk", response_model=list[BulkResult], summary="Confirm, dismiss or license many cases at once")
async def bulk(
    body: BulkIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> list[BulkResult]:
    target = {"confirm": CaseState.CONFIRMED, "dismiss": CaseState.DISMISSED, "license": CaseState.LICENSED}[
        body.action
    ]
    results = []
    for case_id in dict.fromkeys(body.case_ids):
        try:
            async with session.begin_nested():
                case = await service.owned_case(session, case_id, photographer.account_id)
                updated = await _review(
                    runtime, session, case, target, photographer.account_id, VersionIn(), reason=body.action
                )
                if target == CaseState.LICENSED:
                    await _whitelist(session, case, photographer.account_id, body.scope, "")
            results.append(BulkResult(case_id=case_id, ok=True, state=updated.state))
        except Problem as problem:
            results.append(BulkResult(case_id=case_id, ok=False, problem=problem.slug))
    return results


class PricingIn(RequestModel):
    licence_price: int = Field(ge=0, le=10**10, description="Minor units")
    surcharge_percent: Decimal = Field(
        ge=0, le=500, description="Surcharge for the unauthorised use, percent of the licence"
    )
    floor_price: int = Field(ge=0, le=10**10, description="Minor units; nothing below is accepted without you")
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")
    vat_country: str = Field(default="FR", pattern="^[A-Z]{2}$")
    expected_version: int | None = Field(default=None, ge=1)


@router.put("/cases/{case_id}/pricing", response_model=CaseOut, summary="Set the licence price, surcharge and floor")
async def set_pricing(
    case_id: str, body: PricingIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if CaseState(case.state) not in {
        CaseState.DETECTED,
        CaseState.CONFIRMED,
        CaseState.RECOVERY_REQUESTED,
        CaseState.ACCEPTED_BY_AGENCY,
        CaseState.INFRINGER_IDENTIFIED,
        CaseState.NOTICE_SENT,
        CaseState.NEGOTIATING,
    }:
        raise Problem(409, "pricing-locked", f"Pricing cannot change once a case is {case.state}.")
    try:
        pricing.RecoveryPricing(
            licence_price=money.Money(body.licence_price, body.currency),
            surcharge_percent=body.surcharge_percent,
            floor=money.Money(body.floor_price, body.currency),
        )
        money.vat_rate(body.vat_country)
    except (ValueError, KeyError) as error:
        raise Problem(422, "invalid-pricing", str(error)) from error
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState(case.state),
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason="pricing set",
        expected_version=body.expected_version,
        in_place=True,
        changes={
            "licence_price": body.licence_price,
            "surcharge_percent": body.surcharge_percent,
            "floor_price": body.floor_price,
            "currency": body.currency,
            "vat_country": body.vat_country,
        },
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


class Suggestion(BaseModel):
    licence_price: int
    currency: str
    basis: dict[str, str]


@router.get("/pricing/suggestion", response_model=Suggestion, summary="A suggested licence price from the price grid")
async def suggestion(
    photographer: PhotographerDep,
    use: pricing.LicenceUse = pricing.LicenceUse.COMMERCIAL_WEB,
    duration: pricing.Duration = pricing.Duration.ONE_YEAR,
    size: pricing.ImageSize = pricing.ImageSize.MEDIUM,
    category: pricing.SiteCategory = pricing.SiteCategory.OTHER,
    currency: str = Query(default="EUR", pattern="^[A-Z]{3}$"),
) -> Suggestion:
    try:
        price = pricing.suggest_licence_price(
            pricing.DEFAULT_GRID, use=use, duration=duration, size=size, category=category, currency=currency
        )
    except (ValueError, KeyError) as error:
        raise Problem(422, "no-suggestion", str(error)) from error
    return Suggestion(
        licence_price=price.amount,
        currency=price.currency,
        basis={"use": use, "duration": duration, "size": size, "category": category},
    )


class AgencyOut(BaseModel):
    id: str
    name: str
    countries: list[str]
    currency: str
    fixed_fee: int
    fee_percent: Decimal
    min_fee: int | None
    max_fee: int | None
    payout_days: int


@router.get("/agencies", response_model=list[AgencyOut], summary="Partner agencies and their fees")
async def agencies(photographer: PhotographerDep, session: SessionDep) -> list[AgencyOut]:
    rows = (
        await session.execute(
            select(store.agencies).where(store.agencies.c.active.is_(True)).order_by(store.agencies.c.name)
        )
    ).all()
    return [AgencyOut(**{name: getattr(row, name) for name in AgencyOut.model_fields}) for row in rows]


@router.get("/cases/{case_id}/waterfall", response_model=WaterfallOut, summary="Where every cent of a payment would go")
async def waterfall(
    case_id: str,
    photographer: PhotographerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    agency_id: str | None = Query(default=None, description="Omit for the self-managed path"),
    gross: int | None = Query(default=None, gt=0, le=10**11, description="Defaults to the amount claimed"),
) -> WaterfallOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    agency = await service.agency_by_id(session, agency_id) if agency_id else None
    amount = gross if gross is not None else service.recovery_pricing(case).claim_amount().amount
    return WaterfallOut(**service.waterfall_view(service.waterfall(runtime, case, agency, amount)))


@router.get(
    "/cases/{case_id}/recovery-options",
    response_model=RecoveryOptions,
    summary="Every way to recover the claim: each agency and on my own, with the waterfall and track record",
)
async def recovery_options(
    case_id: str, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> RecoveryOptions:
    case = await service.owned_case(session, case_id, photographer.account_id)
    claim = service.recovery_pricing(case).claim_amount().amount
    partners = [agency for agency in await store.active_agencies(session) if agency.currency == case.currency]
    records = await store.agency_track_records(session, [agency.id for agency in partners])
    falls = [(agency, service.waterfall(runtime, case, agency, claim)) for agency in partners]
    falls.append((None, service.waterfall(runtime, case, None, claim)))
    falls.sort(key=lambda option: -option[1].photographer.amount)
    options = []
    for agency, fall in falls:
        record = track_record(*records[agency.id]) if agency is not None else None
        options.append(
            RecoveryOption(
                kind="agency" if agency is not None else "self",
                agency=AgencyTerms(**{name: getattr(agency, name) for name in AgencyTerms.model_fields})
                if agency is not None
                else None,
                waterfall=WaterfallOut(**service.waterfall_view(fall)),
                track_record=TrackRecordOut(**vars(record)) if record is not None else None,
            )
        )
    return RecoveryOptions(currency=case.currency, claim=claim, options=options)


class RecoveryIn(RequestModel):
    agency_id: str
    expected_version: int | None = Field(default=None, ge=1)


class RecoveryOut(BaseModel):
    case: CaseOut
    waterfall: WaterfallOut


@router.post("/cases/{case_id}/recovery", response_model=RecoveryOut, summary="Hand the case to a partner agency")
async def request_recovery(
    case_id: str, body: RecoveryIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> RecoveryOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    agency = await service.agency_by_id(session, body.agency_id)
    terms = service.recovery_pricing(case)
    fall = service.waterfall(runtime, case, agency, terms.claim_amount().amount)
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState.RECOVERY_REQUESTED,
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason=f"recovery requested from {agency.name}",
        changes={"mode": Mode.AGENCY.value, "agency_id": agency.id},
        expected_version=body.expected_version,
    )
    await service.queue_webhook(
        session,
        agency.id,
        "case.assigned",
        {"case_id": case.id, "claim": terms.claim_amount().amount, "currency": case.currency},
    )
    return RecoveryOut(
        case=case_out(updated, role=Role.PHOTOGRAPHER), waterfall=WaterfallOut(**service.waterfall_view(fall))
    )


@router.post("/cases/{case_id}/self-managed", response_model=CaseOut, summary="Run the recovery myself")
async def self_managed(
    case_id: str, body: VersionIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if CaseState(case.state) != CaseState.CONFIRMED or case.mode == Mode.AGENCY.value:
        raise Problem(409, "illegal-transition", "Only a confirmed case that no agency holds can be self-managed.")
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState.CONFIRMED,
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason="self-managed",
        changes={"mode": Mode.SELF.value},
        expected_version=body.expected_version,
        in_place=True,
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post(
    "/cases/{case_id}/infringer", response_model=CaseOut, summary="Record who receives my own notice and invoice"
)
async def self_managed_infringer(
    case_id: str, body: Infringer, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if case.mode != Mode.SELF.value:
        raise Problem(409, "not-self-managed", "The agency handling this case identifies the infringer.")
    if CaseState(case.state) not in OPEN_STATES:
        raise Problem(409, "case-ended", "This case is over; reopen it first.")
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState(case.state),
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason="infringer recorded",
        changes={"infringer": body.model_dump()},
        in_place=True,
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post("/cases/{case_id}/steps", response_model=CaseOut, summary="Record a step of my own recovery")
async def step(
    case_id: str, body: StepIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if case.mode != Mode.SELF.value:
        raise Problem(409, "not-self-managed", "Steps are recorded by the agency handling this case.")
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState(body.step),
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason=body.step,
        note=body.note,
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post("/cases/{case_id}/offers", response_model=OfferOut, status_code=201, summary="Record an offer I received")
async def my_offer(
    case_id: str, body: OfferIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> OfferOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if case.mode != Mode.SELF.value:
        raise Problem(409, "not-self-managed", "The agency records offers on this case.")
    row = await service.record_offer(
        runtime, session, case, body.amount, actor=_actor(photographer.account_id), currency=body.currency
    )
    return OfferOut(**{name: getattr(row, name) for name in OfferOut.model_fields})


@router.get("/cases/{case_id}/offers", response_model=list[OfferOut], summary="Offers on my case")
async def offers(case_id: str, photographer: PhotographerDep, session: SessionDep) -> list[OfferOut]:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return [
        OfferOut(**{name: getattr(row, name) for name in OfferOut.model_fields})
        for row in await store.case_offers(session, case.id)
    ]


class DecisionIn(RequestModel):
    accept: bool


@router.post(
    "/cases/{case_id}/offers/{offer_id}/decision",
    response_model=OfferOut,
    summary="Accept or reject an offer below my floor",
)
async def decide(
    case_id: str,
    offer_id: str,
    body: DecisionIn,
    photographer: PhotographerDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> OfferOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    row = await service.decide_offer(
        runtime, session, case, offer_id, accept=body.accept, actor=_actor(photographer.account_id)
    )
    return OfferOut(**{name: getattr(row, name) for name in OfferOut.model_fields})


@router.post(
    "/cases/{case_id}/payments",
    response_model=PaymentOut,
    status_code=201,
    summary="Record a payment I received myself",
)
async def my_payment(
    case_id: str, body: PaymentIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> PaymentOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    if case.mode != Mode.SELF.value:
        raise Problem(409, "not-self-managed", "The agency records payments on this case.")
    received_at = service.as_utc(body.received_at) if body.received_at else utcnow()
    result = await service.record_payment(
        runtime,
        session,
        case,
        None,
        body.gross,
        received_at,
        actor=_actor(photographer.account_id),
        currency=body.currency,
    )
    return PaymentOut(payment_id=result["payment_id"], waterfall=result["waterfall"], payout=result["payout"])


@router.get(
    "/cases/{case_id}/payments",
    response_model=list[PaymentRecord],
    summary="Payments on my case, each with its waterfall and payout",
)
async def payments(case_id: str, photographer: PhotographerDep, session: SessionDep) -> list[PaymentRecord]:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return [payment_record(row, case) for row in await store.case_payments(session, case.id)]


@router.post("/cases/{case_id}/close", response_model=CaseOut, summary="Close a case that is paid")
async def close(
    case_id: str, body: VersionIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState.CLOSED,
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason="closed",
        note=body.note,
        expected_version=body.expected_version,
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post("/cases/{case_id}/abandon", response_model=CaseOut, summary="Abandon a case, with a reason")
async def abandon(
    case_id: str, body: AbandonIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    updated = await service.move(
        runtime,
        session,
        case,
        CaseState.ABANDONED,
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason=body.reason.value,
        note=body.note,
        changes={"abandon_reason": body.reason.value},
    )
    await service.queue_webhook(session, case.agency_id, "case.withdrawn", {"case_id": case.id, "state": "abandoned"})
    return case_out(updated, role=Role.PHOTOGRAPHER)


@router.post("/cases/{case_id}/reopen", response_model=CaseOut, summary="Reopen a case with new information")
async def reopen(
    case_id: str, body: ReopenIn, photographer: PhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> CaseOut:
    case = await service.owned_case(session, case_id, photographer.account_id)
    try:
        target = reopen_target(CaseState(case.state))
    except ValueError as error:
        raise Problem(409, "illegal-transition", str(error)) from error
    changes: dict[str, Any] = {"abandon_reason": "", "mode": Mode.UNDECIDED.value, "agency_id": None}
    if body.infringer is not None:
        changes["infringer"] = body.infringer.model_dump()
    updated = await service.move(
        runtime,
        session,
        case,
        target,
        role=Role.PHOTOGRAPHER,
        actor=_actor(photographer.account_id),
        reason="reopened",
        note=body.note,
        changes=changes,
    )
    return case_out(updated, role=Role.PHOTOGRAPHER)


class ProfileIn(RequestModel):
    legal_name: str = Field(min_length=1, max_length=200)
    address: list[str] = Field(min_length=1, max_length=6)
    email: str = Field(min_length=3, max_length=320)
    company_id: str = Field(default="", max_length=40, description="SIREN/SIRET or VAT number, if any")
    vat_exempt: bool = True
    iban: str = Field(default="", max_length=40)
    locale: Literal["fr", "en"] = "fr"


@router.put("/profile", response_model=ProfileIn, summary="My details as they appear on letters and invoices")
async def put_profile(body: ProfileIn, photographer: PhotographerDep, session: SessionDep) -> ProfileIn:
    table = store.creditors
    await session.execute(table.delete().where(table.c.owner_id == photographer.account_id))
    await session.execute(table.insert().values(owner_id=photographer.account_id, **body.model_dump()))
    return body


@router.get("/profile", response_model=ProfileIn, summary="My details as they appear on letters and invoices")
async def get_profile(photographer: PhotographerDep, session: SessionDep) -> ProfileIn:
    row = (
        await session.execute(select(store.creditors).where(store.creditors.c.owner_id == photographer.account_id))
    ).first()
    if row is None:
        raise Problem(404, "profile-not-found", "Fill in your profile first.")
    return ProfileIn(**{name: getattr(row, name) for name in ProfileIn.model_fields})


@router.get(
    "/cases/{case_id}/documents/{kind}",
    summary="The formal notice or the invoice, as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def document(
    case_id: str,
    kind: Literal["notice.pdf", "invoice.pdf"],
    photographer: PhotographerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    locale: Literal["fr", "en"] | None = None,
) -> Response:
    case = await service.owned_case(session, case_id, photographer.account_id)
    profile = (
        await session.execute(select(store.creditors).where(store.creditors.c.owner_id == photographer.account_id))
    ).first()
    if profile is None:
        raise Problem(409, "profile-missing", "Fill in your profile (name, address) before generating documents.")
    if not case.infringer:
        raise Problem(409, "infringer-missing", "Record who runs the site before generating documents.")
    match = (await session.execute(select(store.matches).where(store.matches.c.id == case.match_id))).one()
    photo = (await session.execute(select(store.photos).where(store.photos.c.photo_id == case.photo_id))).first()
    terms = service.recovery_pricing(case)
    try:
        doc = letters.build_document(
            case=case,
            match=match,
            photo=photo,
            profile=profile,
            terms=terms,
            locale=locale or profile.locale,
            today=utcnow().date(),
            vat_rate=money.vat_rate(case.vat_country),
        )
        pdf = (
            documents.render_notice_letter(doc)
            if kind == "notice.pdf"
            else documents.render_invoice(doc, f"PXH-{case.id[:8].upper()}")
        )
    except ValueError as error:
        raise Problem(422, "document-invalid", str(error)) from error
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{kind.replace(".pdf", "")}-{case.id[:8]}.pdf"'},
    )


class PayoutOut(BaseModel):
    id: str
    case_id: str
    amount: int
    currency: str
    due_at: datetime
    status: str
    escalation_level: int
    paid_at: datetime | None


@router.get("/payouts", response_model=list[PayoutOut], summary="What I am owed, with deadlines")
async def payouts(photographer: PhotographerDep, session: SessionDep) -> list[PayoutOut]:
    rows = (
        await session.execute(
            select(store.payouts)
            .where(store.payouts.c.owner_id == photographer.account_id)
            .order_by(store.payouts.c.due_at)
        )
    ).all()
    return [PayoutOut(**{name: getattr(row, name) for name in PayoutOut.model_fields}) for row in rows]


@router.get("/cases/{case_id}/ledger", response_model=list[PostingOut], summary="Every money movement on my case")
async def ledger(case_id: str, photographer: PhotographerDep, session: SessionDep) -> list[PostingOut]:
    case = await service.owned_case(session, case_id, photographer.account_id)
    return [PostingOut.of(row) for row in await store.case_ledger(session, case.id)]


class MatchOut(BaseModel):
    id: str
    photo_id: str
    page_url: str
    image_url: str
    site_host: str
    score: float
    signals: list[dict[str, Any]]
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


class MatchPage(BaseModel):
    items: list[MatchOut]
    next_cursor: str | None = None


@router.get("/matches", response_model=MatchPage, summary="Where my photos were found, best matches first")
async def list_matches(
    photographer: PhotographerDep,
    session: SessionDep,
    photo_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MatchPage:
    m = store.matches.c
    query = select(store.matches).where(m.owner_id == photographer.account_id)
    if photo_id:
        query = query.where(m.photo_id == photo_id)
    offset = decode_cursor(cursor)
    rows = (await session.execute(query.order_by(m.score.desc(), m.id).limit(limit + 1).offset(offset))).all()
    return MatchPage(
        items=[MatchOut(**{name: getattr(row, name) for name in MatchOut.model_fields}) for row in rows[:limit]],
        next_cursor=encode_cursor(offset + limit) if len(rows) > limit else None,
    )


@router.get("/money", response_model=MoneyOverview, summary="What my recoveries claim, brought in and still owe me")
async def money_view(photographer: PhotographerDep, session: SessionDep) -> MoneyOverview:
    return money_overview(*await store.money_cases(session, photographer.account_id), utcnow())


@router.get(
    "/money.csv",
    summary="My money items as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def money_csv_view(photographer: PhotographerDep, session: SessionDep) -> Response:
    overview = money_overview(*await store.money_cases(session, photographer.account_id), utcnow())
    return Response(
        money_csv(overview),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pixhound-money.csv"'},
    )
