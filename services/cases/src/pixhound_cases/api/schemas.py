"""Request and response shapes shared by the cases APIs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pixhound_cases.domain import AbandonReason


class RequestModel(BaseModel):
    """A request body: an unknown field is refused (422), never silently ignored."""

    model_config = ConfigDict(extra="forbid")


def currency_field() -> Any:
    return Field(default=None, pattern="^[A-Z]{3}$", description="ISO 4217; when sent, it must be the case's currency")


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


class Infringer(RequestModel):
    name: str = Field(min_length=1, max_length=300)
    address: list[str] = Field(default_factory=list, max_length=8)
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=50)
    company_id: str = Field(default="", max_length=40)
    country: str = Field(default="", max_length=2)


class AbandonIn(RequestModel):
    reason: AbandonReason
    note: str = Field(min_length=3, max_length=2000, description="Why, in plain words; shown to the photographer")


class ReopenIn(RequestModel):
    note: str = Field(min_length=3, max_length=2000)
    infringer: Infringer | None = None


class OfferIn(RequestModel):
    amount: int = Field(gt=0, le=10**11, description="Minor units of the case's currency")
    currency: str | None = currency_field()


class OfferOut(BaseModel):
    id: str
    amount: int
    currency: str
    floor_price: int
    needs_photographer_decision: bool
    status: str
    decision_deadline: datetime | None
    received_at: datetime


class PaymentIn(RequestModel):
    gross: int = Field(gt=0, le=10**11, description="What the infringer paid, VAT included, in minor units")
    received_at: datetime | None = None
    currency: str | None = currency_field()


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


class StepIn(RequestModel):
    step: Literal["notice_sent", "negotiating", "settled"]
    note: str = Field(default="", max_length=2000)


class CaseItem(CaseOut):
    photo_title: str = Field(default="", description="The photo's title; empty when unknown")
    site_name: str = Field(default="", description="Who runs the site, as the crawler identified it; empty if unknown")


class CaseItemPage(BaseModel):
    items: list[CaseItem]
    next_cursor: str | None = None


class FacetValue(BaseModel):
    value: str
    count: int


class CaseFacets(BaseModel):
    countries: list[FacetValue]
    sites: list[FacetValue]
    states: list[FacetValue]
    bands: list[FacetValue]


class MatchDetail(BaseModel):
    region: list[float] | None = Field(description="[x, y, width, height] of the original used, as fractions")
    copy_region: list[float] | None = Field(description="[x, y, width, height] of the photo in the copy, as fractions")
    inliers: int = Field(description="Keypoints agreeing on one geometry (0 when a global hash decided)")
    transforms: list[str]
    signals: list[dict[str, Any]]
    image_sha256: str
    page_sha256: str
    fetched_at: datetime | None
    has_evidence: bool = Field(description="A page archive (WARC) is stored")
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


class SiteDetail(BaseModel):
    host: str
    name: str
    country: str
    commercial: bool | None
    actionability: float | None
    identity: dict[str, Any] = Field(description="Who runs the site, as the crawler found it")
    reasons: list[str] = Field(description="Why the site scores its actionability, in plain words")


class PhotoSummary(BaseModel):
    title: str
    filename: str
    creator: str
    copyright: str
    width: int
    height: int


class PhotographerCaseDetail(CaseDetail):
    match: MatchDetail
    site: SiteDetail | None
    photo: PhotoSummary | None


class PhotoStat(BaseModel):
    photo_id: str
    matches: int = Field(description="Cases of the photo not dismissed")
    active_cases: int = Field(
        description="Cases in recovery: confirmed onward, not closed, dismissed, licensed or abandoned"
    )
    paid_cases: int = Field(description="Cases paid by the infringer, paid out or closed")


class PhotoStats(BaseModel):
    items: list[PhotoStat]


class AgencyTerms(BaseModel):
    id: str
    name: str
    fixed_fee: int
    fee_percent: Decimal
    min_fee: int | None
    max_fee: int | None
    payout_days: int
    countries: list[str]


class TrackRecordOut(BaseModel):
    cases_taken: int = Field(description="Cases the agency accepted")
    cases_paid: int = Field(description="Of those, cases it collected a payment on")
    share_paid: float | None
    median_days_to_payout: float | None = Field(description="From the payment's receipt to the photographer's payout")


class RecoveryOption(BaseModel):
    kind: Literal["agency", "self"]
    agency: AgencyTerms | None
    waterfall: WaterfallOut
    track_record: TrackRecordOut | None


class RecoveryOptions(BaseModel):
    currency: str
    claim: int = Field(description="Minor units")
    options: list[RecoveryOption] = Field(description="Largest photographer share first")


class PayoutSummary(BaseModel):
    id: str
    amount: int
    due_at: datetime
    status: str
    paid_at: datetime | None
    escalation_level: int


class PaymentRecord(BaseModel):
    id: str
    gross: int
    currency: str
    received_at: datetime
    waterfall: WaterfallOut
    payout: PayoutSummary | None


class MoneyTotal(BaseModel):
    currency: str
    claimed: int
    received: int
    photographer_share: int
    paid_out: int
    owed: int
    overdue: int


class MoneyItem(MoneyTotal):
    case_id: str
    photo_id: str
    photo_title: str
    site_host: str
    state: str
    next_due_at: datetime | None


class MoneyOverview(BaseModel):
    totals: list[MoneyTotal]
    items: list[MoneyItem]


class PostingOut(BaseModel):
    """One line of a case's double-entry ledger: debits equal credits for every entry."""

    entry_id: str
    account: str
    debit: int
    credit: int
    currency: str
    memo: str
    at: datetime

    @classmethod
    def of(cls, row) -> PostingOut:
        return cls(**{name: getattr(row, name) for name in cls.model_fields})
