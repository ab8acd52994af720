"""The operators' API, `/admin/v1`: partner agencies, their contracts and their API keys.

Disabled unless `PIXHOUND_ADMIN_TOKEN` is set; every call needs it as a bearer token.
A new key's token is returned once and never stored.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select, update

from pixhound_cases import keys, service, store
from pixhound_cases.api.schemas import RequestModel
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.db import utcnow
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/admin/v1", tags=["operators"])


OPERATOR_BEARER = HTTPBearer(auto_error=False, scheme_name="OperatorToken", description="PIXHOUND_ADMIN_TOKEN.")


def operator(
    request: Request,
    runtime: RuntimeDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(OPERATOR_BEARER)] = None,
) -> None:
    expected = runtime.settings.admin_token.get_secret_value()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Problem(401, "operator-only", "This API needs the operators' admin token.", title="Unauthorized")


OperatorDep = Annotated[None, Depends(operator)]


class AgencyIn(RequestModel):
    name: str = Field(min_length=2, max_length=200)
    contact_email: str = Field(min_length=3, max_length=320)
    countries: list[str] = Field(default_factory=list, max_length=60)
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")
    fixed_fee: int = Field(default=0, ge=0, le=10**9)
    fee_percent: Decimal = Field(ge=0, le=100)
    min_fee: int | None = Field(default=None, ge=0, le=10**12)
    max_fee: int | None = Field(default=None, ge=0, le=10**12)
    payout_days: int = Field(
        default=14, ge=1, le=120, description="Days between receiving funds and paying the photographer"
    )
    webhook_url: HttpUrl | None = None
    webhook_secret: str = Field(default="", max_length=100)


class AgencyCreated(BaseModel):
    id: str
    name: str


@router.post("/agencies", response_model=AgencyCreated, status_code=201, summary="Register a partner agency")
async def create_agency(body: AgencyIn, _: OperatorDep, session: SessionDep) -> AgencyCreated:
    if body.min_fee is not None and body.max_fee is not None and body.min_fee > body.max_fee:
        raise Problem(422, "invalid-contract", "min_fee is above max_fee.")
    if (await session.execute(select(store.agencies.c.id).where(store.agencies.c.name == body.name))).first():
        raise Problem(409, "agency-exists", "An agency with this name exists.")
    agency_id = service.new_id()
    values = body.model_dump()
    values["webhook_url"] = str(body.webhook_url) if body.webhook_url else ""
    await session.execute(store.agencies.insert().values(id=agency_id, **values))
    return AgencyCreated(id=agency_id, name=body.name)


class KeyIn(RequestModel):
    scopes: list[keys.Scope] = Field(default_factory=lambda: list(keys.Scope), min_length=1)
    label: str = Field(default="", max_length=100)
    expires_at: datetime | None = None


class KeyCreated(BaseModel):
    key_id: str
    token: str = Field(description="Shown once; store it now")
    scopes: list[str]


@router.post("/agencies/{agency_id}/keys", response_model=KeyCreated, status_code=201, summary="Issue an API key")
async def create_key(agency_id: str, body: KeyIn, _: OperatorDep, session: SessionDep) -> KeyCreated:
    await service.agency_by_id(session, agency_id)
    new_key = keys.generate_key()
    key_id = service.new_id()
    scopes = sorted({scope.value for scope in body.scopes})
    await session.execute(
        store.api_keys.insert().values(
            id=key_id,
            agency_id=agency_id,
            prefix=new_key.prefix,
            secret_hash=new_key.secret_hash,
            scopes=scopes,
            label=body.label,
            expires_at=service.as_utc(body.expires_at) if body.expires_at else None,
        )
    )
    return KeyCreated(key_id=key_id, token=new_key.token, scopes=scopes)


@router.post("/keys/{key_id}/revoke", status_code=204, summary="Revoke an API key now")
async def revoke_key(key_id: str, _: OperatorDep, session: SessionDep) -> None:
    result = await session.execute(
        update(store.api_keys)
        .where(store.api_keys.c.id == key_id, store.api_keys.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if result.rowcount == 0:
        raise Problem(404, "key-not-found", "No such active key.")
