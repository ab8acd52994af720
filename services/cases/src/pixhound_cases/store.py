"""The cases service's own tables (matches, cases and their history, agencies and keys, money) and the
queries behind the photographers' views of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases.domain import BAND_HIGH, BAND_MEDIUM, PAID_STATES, RECOVERY_STATES, Band, CaseState
from pixhound_platform.db import BigIntId, UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

photos = Table(
    "photos",
    metadata,
    Column("photo_id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("object_key", String(400), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("title", String(300), nullable=False, default=""),
    Column("filename", String(300), nullable=False, default=""),
    Column("width", Integer, nullable=False, default=0),
    Column("height", Integer, nullable=False, default=0),
    Column("creator", Text, nullable=False, default=""),
    Column("copyright", Text, nullable=False, default=""),
    Column("captured_at", String(40), nullable=False, default=""),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("photo_id", String(36), nullable=False),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("image_object_key", String(400), nullable=False, default=""),
    Column("evidence_key", String(400), nullable=False, default=""),
    Column("image_sha256", String(64), nullable=False, default=""),
    Column("page_sha256", String(64), nullable=False, default=""),
    Column("fetched_at", UtcDateTime, nullable=True),
    Column("site_host", String(300), nullable=False, default=""),
    Column("score", Float, nullable=False),
    Column("signals", JSON, nullable=False, default=list),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("first_seen_at", UtcDateTime, nullable=False, default=utcnow),
    Column("last_seen_at", UtcDateTime, nullable=False, default=utcnow),
    Column("region", JSON(none_as_null=True), nullable=True),
    Column("copy_region", JSON(none_as_null=True), nullable=True),
    Column("inliers", Integer, nullable=True),
    Column("transforms", JSON(none_as_null=True), nullable=True),
    UniqueConstraint("photo_id", "page_url", name="uq_matches_photo_page"),
)

sites = Table(
    "sites",
    metadata,
    Column("host", String(300), primary_key=True),
    Column("name", String(300), nullable=False, default=""),
    Column("country", String(2), nullable=False, default=""),
    Column("commercial", Boolean, nullable=True),
    Column("actionability", Float, nullable=True),
    Column("identity", JSON, nullable=False, default=dict),
    Column("identified_at", UtcDateTime, nullable=False, default=utcnow),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("contact_email", String(320), nullable=False),
    Column("countries", JSON, nullable=False, default=list),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("fixed_fee", BigInteger, nullable=False, default=0),
    Column("fee_percent", Numeric(6, 3), nullable=False),
    Column("min_fee", BigInteger, nullable=True),
    Column("max_fee", BigInteger, nullable=True),
    Column("payout_days", Integer, nullable=False, default=14),
    Column("webhook_url", Text, nullable=False, default=""),
    Column("webhook_secret", String(100), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", LargeBinary(32), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("label", String(100), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)

creditors = Table(
    "creditor_profiles",
    metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("legal_name", String(200), nullable=False),
    Column("address", JSON, nullable=False, default=list),
    Column("email", String(320), nullable=False),
    Column("company_id", String(40), nullable=False, default=""),
    Column("vat_exempt", Boolean, nullable=False, default=True),
    Column("iban", String(40), nullable=False, default=""),
    Column("locale", String(5), nullable=False, default="fr"),
)

whitelist = Table(
    "licensed_clients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("domain", String(300), nullable=False),
    Column("photo_id", String(36), nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("match_id", String(36), nullable=False, unique=True),
    Column("photo_id", String(36), nullable=False, index=True),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("site_host", String(300), nullable=False, default=""),
    Column("site_country", String(2), nullable=False, default=""),
    Column("commercial", Boolean, nullable=True),
    Column("actionability", Float, nullable=True),
    Column("score", Float, nullable=False),
    Column("state", String(40), nullable=False),
    Column("mode", String(20), nullable=False, default="undecided"),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=True, index=True),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("licence_price", BigInteger, nullable=True),
    Column("surcharge_percent", Numeric(6, 2), nullable=True),
    Column("floor_price", BigInteger, nullable=True),
    Column("vat_country", String(2), nullable=False, default="FR"),
    Column("infringer", JSON, nullable=False, default=dict),
    Column("abandon_reason", String(40), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("updated_at", UtcDateTime, nullable=False, default=utcnow),
)

transitions = Table(
    "case_transitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("from_state", String(40), nullable=True),
    Column("to_state", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("before", JSON, nullable=False, default=dict),
    Column("after", JSON, nullable=False, default=dict),
    Column("at", UtcDateTime, nullable=False, default=utcnow),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("floor_price", BigInteger, nullable=False),
    Column("needs_photographer_decision", Boolean, nullable=False),
    Column("status", String(30), nullable=False),
    Column("decision_deadline", UtcDateTime, nullable=True),
    Column("received_at", UtcDateTime, nullable=False, default=utcnow),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decided_by", String(100), nullable=False, default=""),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("gross", BigInteger, nullable=False),
    Column("vat", BigInteger, nullable=False),
    Column("agency_fee", BigInteger, nullable=False),
    Column("platform_commission", BigInteger, nullable=False),
    Column("photographer", BigInteger, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

payouts = Table(
    "payouts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("payment_id", String(36), nullable=False, unique=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("agency_id", String(36), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False, default="due"),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("last_escalated_at", UtcDateTime, nullable=True),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("reference", String(200), nullable=False, default=""),
)

ledger = Table(
    "ledger_postings",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("account", String(40), nullable=False),
    Column("debit", BigInteger, nullable=False, default=0),
    Column("credit", BigInteger, nullable=False, default=0),
    Column("currency", String(3), nullable=False),
    Column("memo", Text, nullable=False, default=""),
    Column("at", UtcDateTime, nullable=False, default=utcnow),
)

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(36), nullable=False, index=True),
    Column("event", String(60), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("next_attempt_at", UtcDateTime, nullable=False, default=utcnow),
    Column("delivered_at", UtcDateTime, nullable=True),
)


# Queries


async def match_of(session: AsyncSession, match_id: str) -> Row:
    return (await session.execute(select(matches).where(matches.c.id == match_id))).one()


async def site_of(session: AsyncSession, host: str) -> Row | None:
    if not host:
        return None
    return (await session.execute(select(sites).where(sites.c.host == host))).first()


async def photo_of(session: AsyncSession, photo_id: str, owner_id: str) -> Row | None:
    query = select(photos).where(photos.c.photo_id == photo_id, photos.c.owner_id == owner_id)
    return (await session.execute(query)).first()


@dataclass(frozen=True)
class CaseFilters:
    states: Sequence[CaseState] = ()
    photo_id: str | None = None
    site: str | None = None
    country: str | None = None
    commercial: bool | None = None
    min_actionability: float | None = None
    band: Band | None = None
    since: date | None = None
    until: date | None = None


def _band_expression():
    a = cases.c.actionability
    return case(
        (a.is_(None), Band.UNKNOWN.value),
        (a >= BAND_HIGH, Band.HIGH.value),
        (a >= BAND_MEDIUM, Band.MEDIUM.value),
        else_=Band.LOW.value,
    )


def _filtered(query: Select, filters: CaseFilters) -> Select:
    c = cases.c
    if filters.states:
        query = query.where(c.state.in_([state.value for state in filters.states]))
    for column, value in (
        (c.photo_id, filters.photo_id),
        (c.site_host, filters.site),
        (c.commercial, filters.commercial),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.country:
        query = query.where(c.site_country == filters.country.upper())
    if filters.min_actionability is not None:
        query = query.where(c.actionability >= filters.min_actionability)
    if filters.band is not None:
        query = query.where(_band_expression() == filters.band.value)
    if filters.since is not None:
        query = query.where(c.created_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until is not None:
        query = query.where(c.created_at <= datetime.combine(filters.until, time.max, UTC))
    return query


def _with_titles(owner_id: str) -> Select:
    """The caller's cases with their photo's title and their site's name ("" when unknown)."""
    c = cases.c
    joined = cases.outerjoin(photos, (photos.c.photo_id == c.photo_id) & (photos.c.owner_id == c.owner_id)).outerjoin(
        sites, sites.c.host == c.site_host
    )
    return (
        select(
            cases,
            func.coalesce(photos.c.title, "").label("photo_title"),
            func.coalesce(sites.c.name, "").label("site_name"),
        )
        .select_from(joined)
        .where(c.owner_id == owner_id)
    )


async def list_cases(
    session: AsyncSession, owner_id: str, filters: CaseFilters, *, offset: int, limit: int
) -> Sequence[Row]:
    """The caller's cases, most actionable first, with `photo_title` and `site_name`."""
    c = cases.c
    query = _filtered(_with_titles(owner_id), filters).order_by(
        c.actionability.desc().nulls_last(), c.score.desc(), c.created_at.desc(), c.id
    )
    return (await session.execute(query.limit(limit).offset(offset))).all()


async def case_facets(session: AsyncSession, owner_id: str) -> dict[str, list[tuple[str, int]]]:
    """How the caller's cases spread over countries, sites, states and actionability bands, largest first."""
    c = cases.c
    dimensions = {"countries": c.site_country, "sites": c.site_host, "states": c.state, "bands": _band_expression()}
    facets = {}
    for name, expression in dimensions.items():
        value, count = expression.label("value"), func.count().label("count")
        query = select(value, count).where(c.owner_id == owner_id).group_by(value)
        rows = (await session.execute(query)).all()
        facets[name] = sorted(((row.value, row.count) for row in rows if row.value), key=lambda vc: (-vc[1], vc[0]))
    return facets


async def photo_stats(
    session: AsyncSession, owner_id: str, photo_ids: Sequence[str]
) -> dict[str, tuple[int, int, int]]:
    """Per photo of the caller: (matches not dismissed, cases in recovery, cases paid)."""
    c = cases.c

    def counting(states) -> object:
        return func.count().filter(c.state.in_([state.value for state in states]))

    query = (
        select(
            c.photo_id,
            func.count().filter(c.state != CaseState.DISMISSED.value).label("matches"),
            counting(RECOVERY_STATES).label("active"),
            counting(PAID_STATES).label("paid"),
        )
        .where(c.owner_id == owner_id, c.photo_id.in_(list(photo_ids)))
        .group_by(c.photo_id)
    )
    return {row.photo_id: (row.matches, row.active, row.paid) for row in (await session.execute(query)).all()}


async def active_agencies(session: AsyncSession) -> Sequence[Row]:
    query = select(agencies).where(agencies.c.active.is_(True)).order_by(agencies.c.name)
    return (await session.execute(query)).all()


async def agency_track_records(
    session: AsyncSession, agency_ids: Sequence[str]
) -> dict[str, tuple[int, int, list[tuple[datetime, datetime]]]]:
    """Per agency: cases it accepted, how many of those it collected a payment on, and its payouts' (received_at,
    paid_at) pairs, across the whole platform."""
    t, p = transitions.c, payouts.c
    actors = {f"agency:{agency_id}": agency_id for agency_id in agency_ids}
    taken = (
        await session.execute(
            select(t.actor, func.count(t.case_id.distinct()))
            .where(t.to_state == CaseState.ACCEPTED_BY_AGENCY.value, t.actor.in_(list(actors)))
            .group_by(t.actor)
        )
    ).all()
    accepted = (
        select(transitions.c.case_id)
        .where(
            t.case_id == p.case_id,
            t.to_state == CaseState.ACCEPTED_BY_AGENCY.value,
            t.actor == literal("agency:") + p.agency_id,
        )
        .exists()
    )
    paid = (
        await session.execute(
            select(p.agency_id, func.count(p.case_id.distinct()))
            .where(p.agency_id.in_(list(agency_ids)), accepted)
            .group_by(p.agency_id)
        )
    ).all()
    delays = (
        await session.execute(
            select(p.agency_id, payments.c.received_at, p.paid_at)
            .join(payments, payments.c.id == p.payment_id)
            .where(p.agency_id.in_(list(agency_ids)), p.paid_at.is_not(None))
        )
    ).all()
    records: dict[str, tuple[int, int, list[tuple[datetime, datetime]]]] = {}
    taken_by = {actors[actor]: count for actor, count in taken}
    paid_by = dict(paid)
    for agency_id in agency_ids:
        pairs = [(row.received_at, row.paid_at) for row in delays if row.agency_id == agency_id]
        records[agency_id] = (taken_by.get(agency_id, 0), paid_by.get(agency_id, 0), pairs)
    return records


async def whitelisted(session: AsyncSession, owner_id: str, domain: str, photo_id: str | None) -> bool:
    """Whether this exact licensed-client entry (a domain for one photo, or for all when photo_id is None) exists."""
    w = whitelist.c
    scope = w.photo_id.is_(None) if photo_id is None else w.photo_id == photo_id
    query = select(w.id).where(w.owner_id == owner_id, w.domain == domain, scope).limit(1)
    return (await session.execute(query)).first() is not None


async def payment_count(session: AsyncSession, case_id: str) -> int:
    """How many payments are recorded on a case."""
    query = select(func.count()).select_from(payments).where(payments.c.case_id == case_id)
    return (await session.execute(query)).scalar_one()


async def case_payments(session: AsyncSession, case_id: str) -> Sequence[Row]:
    """A case's payments, oldest first, each with its payout's columns (`payout_*`, None without one)."""
    p = payouts.c
    query = (
        select(
            payments,
            p.id.label("payout_id"),
            p.amount.label("payout_amount"),
            p.due_at.label("payout_due_at"),
            p.status.label("payout_status"),
            p.paid_at.label("payout_paid_at"),
            p.escalation_level.label("payout_escalation_level"),
        )
        .outerjoin(payouts, p.payment_id == payments.c.id)
        .where(payments.c.case_id == case_id)
        .order_by(payments.c.received_at, payments.c.id)
    )
    return (await session.execute(query)).all()


MONEY_STATES = RECOVERY_STATES | PAID_STATES


async def money_cases(session: AsyncSession, owner_id: str) -> tuple[Sequence[Row], Sequence[Row], Sequence[Row]]:
    """The caller's cases in recovery or paid (with `photo_title`), their payments and their payouts."""
    c = cases.c
    in_money = (c.owner_id == owner_id) & c.state.in_([state.value for state in MONEY_STATES])
    rows = (await session.execute(_with_titles(owner_id).where(in_money).order_by(c.created_at.desc(), c.id))).all()
    paid = (
        await session.execute(
            select(payments.c.case_id, payments.c.currency, payments.c.gross, payments.c.photographer)
            .join(cases, c.id == payments.c.case_id)
            .where(in_money)
        )
    ).all()
    owed = (
        await session.execute(
            select(payouts.c.case_id, payouts.c.currency, payouts.c.amount, payouts.c.due_at, payouts.c.paid_at)
            .join(cases, c.id == payouts.c.case_id)
            .where(in_money)
        )
    ).all()
    return rows, paid, owed


async def case_offers(session: AsyncSession, case_id: str) -> Sequence[Row]:
    """A case's offers, oldest first."""
    return (
        await session.execute(select(offers).where(offers.c.case_id == case_id).order_by(offers.c.received_at))
    ).all()


async def case_ledger(session: AsyncSession, case_id: str) -> Sequence[Row]:
    """Every posting of a case's ledger, in the order they were written."""
    return (await session.execute(select(ledger).where(ledger.c.case_id == case_id).order_by(ledger.c.id))).all()
