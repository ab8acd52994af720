"""Request and response shapes shared by the cases APIs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from pixhound_cases.domain import AbandonReason


class TransitionOut(BaseModel):
    from_state: str | None
    to_state: str
    actor: str
    reason: str
    note: str
    at: datetime


class CaseOut(BaseModel):
    id: str
    photo_id: str
    match_id: str
    page_url: str
    image_url: str
    site_host: str
    site_country: str
    commercial: bool | None
    actionability: float | None
    score: float
    state: str
    mode: str
    agency_id: str | None
    currency: str
    licence_price: int | None
    surcharge_percent: Decimal | None
    floor_price: int | None
    vat_country: str
    infringer: dict[str, Any]
    abandon_reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    next_actions: list[str] = []


class CaseDetail(CaseOut):
    timeline: list[TransitionOut]


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class Infringer(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    address: list[str] = Field(default_factory=list, max_length=8)
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=50)
    company_id: str = Field(default="", max_length=40)
    country: str = Field(default="", max_length=2)


class AbandonIn(BaseModel):
    reason: AbandonReason
    note: str = Field(min_length=3, max_length=2000, description="Why, in plain words; shown to the photographer")


class ReopenIn(BaseModel):
    note: str = Field(min_length=3, max_length=2000)
    infringer: Infringer | None = None


class OfferIn(BaseModel):
    amount: int = Field(gt=0, le=10**11, description="Minor units of the case's currency")


class OfferOut(BaseModel):
    id: str
    amount: int
    currency: str
    floor_price: int
    needs_photographer_decision: bool
    status: str
    decision_deadline: datetime | None
    received_at: datetime


class PaymentIn(BaseModel):
    gross: int = Field(gt=0, le=10**11, description="What the infringer paid, VAT included, in minor units")
    received_at: datetime | None = None


class WaterfallLine(BaseModel):
    key: str
    label_fr: str
    label_en: str
    amount: int


class WaterfallOut(BaseModel):
    currency: str
    lines: list[WaterfallLine]
    photographer_share: str


class PaymentOut(BaseModel):
    payment_id: str
    waterfall: WaterfallOut
    payout: dict[str, Any] | None


class StepIn(BaseModel):
    step: Literal["notice_sent", "negotiating", "settled"]
    note: str = Field(default="", max_length=2000)
