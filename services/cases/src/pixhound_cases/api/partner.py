"""The partner agency API, `/partner/v1`: assigned cases, evidence packs, and progress updates.

Agencies authenticate with an API key (`Authorization: Bearer phk_...`); each key has
scopes and a rate limit. An agency sees only the cases assigned to it: any other case
is answered 404, exactly as if it did not exist. Every POST takes an `Idempotency-Key`
header: repeating a request with the same key returns the first answer and changes
nothing; reusing a key for a different request is refused.
"""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pixhound_cases import keys, service, store
from pixhound_cases.api.schemas import (
    AbandonIn,
    CaseDetail,
    CaseOut,
    CasePage,
    Infringer,
    OfferIn,
    OfferOut,
    PaymentIn,
    PaymentOut,
    PaymentRecord,
    PostingOut,
    RequestModel,
)
from pixhound_cases.api.views import case_detail, case_out, decode_cursor, encode_cursor, payment_record
from pixhound_cases.domain import CaseState, Role
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.db import utcnow
from pixhound_platform.objects import ObjectNotFound
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/partner/v1", tags=["partner agencies"])
RATE_LIMITER = "partner_rate_limiter"


@dataclass(frozen=True)
class AgencyPrincipal:
    agency_id: str
    key_id: str
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        return f"agency:{self.agency_id}"


def _limiter(runtime) -> keys.TokenBucket:
    if RATE_LIMITER not in runtime.state:
        runtime.state[RATE_LIMITER] = keys.TokenBucket(runtime.settings.partner_rate_per_minute)
    return runtime.state[RATE_LIMITER]


PARTNER_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="PartnerApiKey",
    description="Your agency's API key, `phk_<prefix>.<secret>`, issued by Pixhound's operators.",
)


async def current_agency(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(PARTNER_BEARER)] = None,
) -> AgencyPrincipal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    parts = keys.split_token(token.strip()) if scheme.lower() == "bearer" else None
    if parts is None:
        raise Problem(
            401,
            "missing-api-key",
            "Send `Authorization: Bearer phk_...` with your agency's API key.",
            title="Unauthorized",
        )
    prefix, secret = parts
    key = (await session.execute(select(store.api_keys).where(store.api_keys.c.prefix == prefix))).first()
    now = utcnow()
    if (
        key is None
        or not keys.secret_matches(secret, key.secret_hash)
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
    ):
        raise Problem(401, "invalid-api-key", "This API key is unknown, revoked or expired.", title="Unauthorized")
    wait = _limiter(runtime).take(key.id)
    if wait > 0:
        raise Problem(
            429,
            "rate-limited",
            f"Too many requests for this key; retry in {wait:.1f} s.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
            retry_after=round(wait, 1),
        )
    return AgencyPrincipal(agency_id=key.agency_id, key_id=key.id, scopes=frozenset(key.scopes))


AgencyDep = Annotated[AgencyPrincipal, Depends(current_agency)]


def require(principal: AgencyPrincipal, scope: keys.Scope) -> None:
    if scope.value not in principal.scopes:
        raise Problem(403, "missing-scope", f"This API key lacks the `{scope.value}` scope.", title="Forbidden")


IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Unique per intended change; a retry reuses it",
    ),
]


async def idempotent(request: Request, session, principal: AgencyPrincipal, key: str, perform) -> JSONResponse:
    body = await request.body()
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + body).hexdigest()
    table = store.idempotency
    previous = (
        await session.execute(select(table).where(table.c.principal == principal.actor, table.c.key == key))
    ).first()
    if previous is not None:
        if previous.request_hash != digest:
            raise Problem(422, "idempotency-key-reused", "This Idempotency-Key was used for a different request.")
        return JSONResponse(
            previous.response, status_code=previous.status_code, headers={"Idempotent-Replayed": "true"}
        )
    try:
        async with session.begin_nested():
            await session.execute(
                table.insert().values(
                    principal=principal.actor, key=key, request_hash=digest, status_code=0, response={}
                )
            )
    except IntegrityError as error:
        raise Problem(
            409, "request-in-progress", "A request with this Idempotency-Key is being processed; retry later."
        ) from error
    status_code, payload = await perform()
    content = jsonable_encoder(payload)
    await session.execute(
        update(table)
        .where(table.c.principal == principal.actor, table.c.key == key)
        .values(status_code=status_code, response=content)
    )
    return JSONResponse(content, status_code=status_code)


@router.get("/cases", response_model=CasePage, summary="Cases assigned to my agency")
async def list_cases(
    principal: AgencyDep,
    session: SessionDep,
    state: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    require(principal, keys.Scope.CASES_READ)
    offset = decode_cursor(cursor)
    query = select(store.cases).where(store.cases.c.agency_id == principal.agency_id)
    if state:
        query = query.where(store.cases.c.state == state)
    rows = (
        await session.execute(
            query.order_by(store.cases.c.updated_at.desc(), store.cases.c.id).limit(limit + 1).offset(offset)
        )
    ).all()
    return CasePage(
        items=[case_out(row, role=Role.AGENCY) for row in rows[:limit]],
        next_cursor=encode_cursor(offset + limit) if len(rows) > limit else None,
    )


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="One assigned case with its timeline")
async def get_case(case_id: str, principal: AgencyDep, session: SessionDep) -> CaseDetail:
    require(principal, keys.Scope.CASES_READ)
    return await case_detail(
        session, await service.assigned_case(session, case_id, principal.agency_id), role=Role.AGENCY
    )


@router.get("/cases/{case_id}/offers", response_model=list[OfferOut], summary="Offers recorded on an assigned case")
async def case_offers(case_id: str, principal: AgencyDep, session: SessionDep) -> list[OfferOut]:
    require(principal, keys.Scope.CASES_READ)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    return [
        OfferOut(**{name: getattr(row, name) for name in OfferOut.model_fields})
        for row in await store.case_offers(session, case.id)
    ]


@router.get(
    "/cases/{case_id}/payments",
    response_model=list[PaymentRecord],
    summary="Payments on an assigned case, each with its waterfall and payout",
)
async def case_payments(case_id: str, principal: AgencyDep, session: SessionDep) -> list[PaymentRecord]:
    require(principal, keys.Scope.CASES_READ)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    return [payment_record(row, case) for row in await store.case_payments(session, case.id)]


@router.get("/cases/{case_id}/ledger", response_model=list[PostingOut], summary="The ledger of an assigned case")
async def case_ledger(case_id: str, principal: AgencyDep, session: SessionDep) -> list[PostingOut]:
    require(principal, keys.Scope.CASES_READ)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    return [PostingOut.of(row) for row in await store.case_ledger(session, case.id)]


class EvidencePack(BaseModel):
    case: CaseDetail
    photo: dict[str, Any]
    found_image: dict[str, Any]
    page: dict[str, Any]
    files: dict[str, str]
    site: dict[str, Any] | None
    waterfall_at_claim: dict[str, Any] | None


@router.get("/cases/{case_id}/evidence", response_model=EvidencePack, summary="Everything needed to pursue the case")
async def evidence(case_id: str, principal: AgencyDep, session: SessionDep, runtime: RuntimeDep) -> EvidencePack:
    require(principal, keys.Scope.EVIDENCE_READ)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    photo = (await session.execute(select(store.photos).where(store.photos.c.photo_id == case.photo_id))).first()
    match = (await session.execute(select(store.matches).where(store.matches.c.id == case.match_id))).one()
    agency = await service.agency_by_id(session, principal.agency_id)
    claim = None
    if case.licence_price is not None and case.surcharge_percent is not None and case.floor_price is not None:
        claim = service.waterfall_view(
            service.waterfall(runtime, case, agency, service.recovery_pricing(case).claim_amount().amount)
        )
    site = (await session.execute(select(store.sites).where(store.sites.c.host == case.site_host))).first()
    base = f"/partner/v1/cases/{case_id}/files"
    return EvidencePack(
        case=await case_detail(session, case, role=Role.AGENCY),
        photo={
            "photo_id": case.photo_id,
            "title": photo.title if photo else "",
            "sha256": photo.sha256 if photo else "",
            "width": photo.width if photo else 0,
            "height": photo.height if photo else 0,
            "authorship": {"creator": photo.creator, "copyright": photo.copyright, "captured_at": photo.captured_at}
            if photo
            else {},
        },
        found_image={
            "url": match.image_url,
            "score": match.score,
            "signals": match.signals,
            "occurrences": match.occurrences,
            "first_seen_at": match.first_seen_at,
            "last_seen_at": match.last_seen_at,
        },
        page={"url": match.page_url, "site_host": match.site_host, "archive_key": match.evidence_key},
        files={
            "original": f"{base}/original",
            "found_image": f"{base}/found-image",
            "page_archive": f"{base}/page-archive",
        },
        site={
            "host": site.host,
            "country": site.country,
            "commercial": site.commercial,
            "actionability": site.actionability,
            **site.identity,
        }
        if site
        else None,
        waterfall_at_claim=claim,
    )


@router.get(
    "/cases/{case_id}/files/{kind}",
    summary="Download the original photo, the found image or the page archive",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def evidence_file(
    case_id: str, kind: str, principal: AgencyDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    require(principal, keys.Scope.EVIDENCE_READ)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    match = (await session.execute(select(store.matches).where(store.matches.c.id == case.match_id))).one()
    photo = (await session.execute(select(store.photos).where(store.photos.c.photo_id == case.photo_id))).first()
    object_key = {
        "original": photo.object_key if photo else "",
        "found-image": match.image_object_key,
        "page-archive": match.evidence_key,
    }.get(kind)
    if object_key is None:
        raise Problem(404, "unknown-file", "Files are `original`, `found-image` and `page-archive`.")
    if not object_key:
        raise Problem(404, "file-not-recorded", f"No {kind} is recorded for this case.")
    try:
        data = await runtime.objects.get(object_key)
    except ObjectNotFound as error:
        raise Problem(404, "file-missing", f"The {kind} is no longer in storage.") from error
    digest = hashlib.sha256(data).hexdigest()
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Digest": f"sha-256={base64.b64encode(bytes.fromhex(digest)).decode()}", "X-Content-SHA256": digest},
    )


async def _update(
    request,
    session,
    runtime,
    principal,
    idempotency_key,
    case_id,
    target: CaseState,
    *,
    reason: str,
    note: str = "",
    changes: dict | None = None,
    in_place_from: CaseState | None = None,
) -> JSONResponse:
    """Move an assigned case to `target`; when it is already in `in_place_from` (== target), update it in place."""
    require(principal, keys.Scope.CASES_WRITE)
    case = await service.assigned_case(session, case_id, principal.agency_id)

    async def perform():
        updated = await service.move(
            runtime,
            session,
            case,
            target,
            role=Role.AGENCY,
            actor=principal.actor,
            reason=reason,
            note=note,
            changes=changes,
            in_place=in_place_from is not None and case.state == in_place_from.value,
        )
        return 200, case_out(updated, role=Role.AGENCY)

    return await idempotent(request, session, principal, idempotency_key, perform)


class NoteIn(RequestModel):
    note: str = Field(default="", max_length=2000)


@router.post("/cases/{case_id}/accept", response_model=CaseOut, summary="Accept the assignment")
async def accept(
    case_id: str,
    body: NoteIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return await _update(
        request,
        session,
        runtime,
        principal,
        idempotency_key,
        case_id,
        CaseState.ACCEPTED_BY_AGENCY,
        reason="agency accepted",
        note=body.note,
    )


@router.post("/cases/{case_id}/infringer", response_model=CaseOut, summary="The infringer is identified")
async def infringer(
    case_id: str,
    body: Infringer,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return await _update(
        request,
        session,
        runtime,
        principal,
        idempotency_key,
        case_id,
        CaseState.INFRINGER_IDENTIFIED,
        reason="infringer identified",
        changes={"infringer": body.model_dump()},
        in_place_from=CaseState.INFRINGER_IDENTIFIED,
    )


@router.post("/cases/{case_id}/notice", response_model=CaseOut, summary="The formal notice was sent")
async def notice(
    case_id: str,
    body: NoteIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return await _update(
        request,
        session,
        runtime,
        principal,
        idempotency_key,
        case_id,
        CaseState.NOTICE_SENT,
        reason="notice sent",
        note=body.note,
    )


@router.post("/cases/{case_id}/abandon", response_model=CaseOut, summary="Abandon the case, with a reason")
async def abandon(
    case_id: str,
    body: AbandonIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    response = await _update(
        request,
        session,
        runtime,
        principal,
        idempotency_key,
        case_id,
        CaseState.ABANDONED,
        reason=body.reason.value,
        note=body.note,
        changes={"abandon_reason": body.reason.value},
    )
    return response


@router.post("/cases/{case_id}/offers", response_model=OfferOut, status_code=201, summary="An offer was received")
async def offer(
    case_id: str,
    body: OfferIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    require(principal, keys.Scope.CASES_WRITE)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    if CaseState(case.state) not in {CaseState.NOTICE_SENT, CaseState.NEGOTIATING}:
        raise Problem(
            409, "illegal-transition", f"Offers are recorded after the notice is sent; the case is {case.state}."
        )

    async def perform():
        row = await service.record_offer(
            runtime, session, case, body.amount, actor=principal.actor, currency=body.currency
        )
        return 201, OfferOut(**{name: getattr(row, name) for name in OfferOut.model_fields})

    return await idempotent(request, session, principal, idempotency_key, perform)


class SettleIn(RequestModel):
    offer_id: str


@router.post("/cases/{case_id}/settle", response_model=CaseOut, summary="Settle on an acceptable or accepted offer")
async def settle(
    case_id: str,
    body: SettleIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    require(principal, keys.Scope.CASES_WRITE)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    chosen = (
        await session.execute(
            select(store.offers).where(store.offers.c.id == body.offer_id, store.offers.c.case_id == case.id)
        )
    ).first()
    if chosen is None:
        raise Problem(404, "offer-not-found", "No such offer on this case.")
    if chosen.status not in {"acceptable", "accepted"}:
        raise Problem(
            409, "offer-needs-photographer", "This offer is below the floor and the photographer has not accepted it."
        )

    async def perform():
        updated = await service.move(
            runtime,
            session,
            case,
            CaseState.SETTLED,
            role=Role.AGENCY,
            actor=principal.actor,
            reason=f"settled on offer {chosen.id}",
        )
        return 200, case_out(updated, role=Role.AGENCY)

    return await idempotent(request, session, principal, idempotency_key, perform)


@router.post(
    "/cases/{case_id}/payments", response_model=PaymentOut, status_code=201, summary="The infringer paid the agency"
)
async def payment(
    case_id: str,
    body: PaymentIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    require(principal, keys.Scope.CASES_WRITE)
    case = await service.assigned_case(session, case_id, principal.agency_id)
    agency = await service.agency_by_id(session, principal.agency_id)
    received_at = service.as_utc(body.received_at) if body.received_at else utcnow()
    if received_at > utcnow() + timedelta(minutes=5):
        raise Problem(422, "payment-in-future", "received_at is in the future.")

    async def perform():
        result = await service.record_payment(
            runtime, session, case, agency, body.gross, received_at, actor=principal.actor, currency=body.currency
        )
        return 201, PaymentOut(payment_id=result["payment_id"], waterfall=result["waterfall"], payout=result["payout"])

    return await idempotent(request, session, principal, idempotency_key, perform)


class PayoutIn(RequestModel):
    reference: str = Field(min_length=1, max_length=200, description="Bank transfer reference")


@router.post("/cases/{case_id}/payouts/{payout_id}/paid", response_model=CaseOut, summary="The photographer was paid")
async def paid_out(
    case_id: str,
    payout_id: str,
    body: PayoutIn,
    request: Request,
    principal: AgencyDep,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    require(principal, keys.Scope.CASES_WRITE)
    case = await service.assigned_case(session, case_id, principal.agency_id)

    async def perform():
        updated = await service.mark_paid_out(
            runtime, session, case, payout_id, reference=body.reference, actor=principal.actor, role=Role.AGENCY
        )
        return 200, case_out(updated, role=Role.AGENCY)

    return await idempotent(request, session, principal, idempotency_key, perform)


class RotatedKey(BaseModel):
    key_id: str
    token: str = Field(description="Shown once; store it now")
    previous_key_expires_at: str


@router.post("/keys/rotate", response_model=RotatedKey, status_code=201, summary="Replace my API key")
async def rotate(principal: AgencyDep, session: SessionDep, runtime: RuntimeDep) -> RotatedKey:
    require(principal, keys.Scope.KEYS_ROTATE)
    current = (await session.execute(select(store.api_keys).where(store.api_keys.c.id == principal.key_id))).one()
    new_key = keys.generate_key()
    key_id = service.new_id()
    await session.execute(
        store.api_keys.insert().values(
            id=key_id,
            agency_id=principal.agency_id,
            prefix=new_key.prefix,
            secret_hash=new_key.secret_hash,
            scopes=current.scopes,
            label=current.label,
        )
    )
    expires = utcnow() + timedelta(hours=runtime.settings.partner_key_rotation_grace_hours)
    if current.expires_at is None or current.expires_at > expires:
        await session.execute(
            update(store.api_keys).where(store.api_keys.c.id == current.id).values(expires_at=expires)
        )
    return RotatedKey(key_id=key_id, token=new_key.token, previous_key_expires_at=expires.isoformat())
