"""Turning case rows into API answers, the same way for photographers and agencies."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases import money, store
from pixhound_cases.api.schemas import (
    CaseDetail,
    CaseItem,
    CaseOut,
    MatchDetail,
    MoneyItem,
    MoneyOverview,
    MoneyTotal,
    PaymentRecord,
    PayoutSummary,
    PhotographerCaseDetail,
    PhotoSummary,
    SiteDetail,
    TransitionOut,
    WaterfallOut,
)
from pixhound_cases.domain import CaseState, Mode, Role, next_states
from pixhound_cases.service import claim_or_zero, waterfall_view
from pixhound_platform.problems import Problem


def case_out(row: Row, *, role: Role) -> CaseOut:
    fields = {name: getattr(row, name) for name in CaseOut.model_fields if name != "next_actions"}
    actions = [state.value for state in next_states(CaseState(row.state), role=role, mode=Mode(row.mode))]
    return CaseOut(**fields, next_actions=actions)


async def case_detail(session: AsyncSession, row: Row, *, role: Role) -> CaseDetail:
    timeline = (
        await session.execute(
            select(store.transitions).where(store.transitions.c.case_id == row.id).order_by(store.transitions.c.at)
        )
    ).all()
    return CaseDetail(
        **case_out(row, role=role).model_dump(),
        timeline=[
            TransitionOut(
                from_state=t.from_state, to_state=t.to_state, actor=t.actor, reason=t.reason, note=t.note, at=t.at
            )
            for t in timeline
        ],
    )


async def photographer_case_detail(session: AsyncSession, row: Row) -> PhotographerCaseDetail:
    """The case as its photographer sees it: timeline, the match's geometry and evidence, the site and the photo."""
    match = await store.match_of(session, row.match_id)
    site = await store.site_of(session, row.site_host)
    photo = await store.photo_of(session, row.photo_id, row.owner_id)
    return PhotographerCaseDetail(
        **(await case_detail(session, row, role=Role.PHOTOGRAPHER)).model_dump(),
        match=MatchDetail(
            region=match.region,
            copy_region=match.copy_region,
            inliers=match.inliers or 0,
            transforms=match.transforms or [],
            signals=match.signals,
            image_sha256=match.image_sha256,
            page_sha256=match.page_sha256,
            fetched_at=match.fetched_at,
            has_evidence=bool(match.evidence_key),
            occurrences=match.occurrences,
            first_seen_at=match.first_seen_at,
            last_seen_at=match.last_seen_at,
        ),
        site=SiteDetail(
            host=site.host,
            name=site.name,
            country=site.country,
            commercial=site.commercial,
            actionability=site.actionability,
            identity=site.identity,
            reasons=[str(reason) for reason in site.identity.get("reasons", [])],
        )
        if site is not None
        else None,
        photo=PhotoSummary(**{name: getattr(photo, name) for name in PhotoSummary.model_fields})
        if photo is not None
        else None,
    )


def case_item(row: Row) -> CaseItem:
    return CaseItem(
        **case_out(row, role=Role.PHOTOGRAPHER).model_dump(), photo_title=row.photo_title, site_name=row.site_name
    )


def parse_states(text: str | None) -> list[CaseState]:
    """A comma-separated list of states ("confirmed,notice_sent"); an unknown one is refused with 422."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    try:
        return [CaseState(name) for name in dict.fromkeys(names)]
    except ValueError as error:
        known = ", ".join(state.value for state in CaseState)
        raise Problem(422, "invalid-state", f"{error}; states are {known}.") from error


def payment_record(row: Row, case: Row) -> PaymentRecord:
    fall = money.recorded_waterfall(
        gross=row.gross,
        vat=row.vat,
        agency_fee=row.agency_fee,
        platform_commission=row.platform_commission,
        photographer=row.photographer,
        currency=row.currency,
        self_managed=row.payout_id is None,
        vat_country=case.vat_country,
    )
    payout = None
    if row.payout_id is not None:
        payout = PayoutSummary(
            id=row.payout_id,
            amount=row.payout_amount,
            due_at=row.payout_due_at,
            status=row.payout_status,
            paid_at=row.payout_paid_at,
            escalation_level=row.payout_escalation_level,
        )
    return PaymentRecord(
        id=row.id,
        gross=row.gross,
        currency=row.currency,
        received_at=row.received_at,
        waterfall=WaterfallOut(**waterfall_view(fall)),
        payout=payout,
    )


def money_overview(
    cases: Sequence[Row], payments: Sequence[Row], payouts: Sequence[Row], now: datetime
) -> MoneyOverview:
    """Per case and currency what was claimed, received, shared, paid out and owed; totals per currency."""
    paid_by_case: dict[str, list[money.PaymentFacts]] = {}
    for row in payments:
        paid_by_case.setdefault(row.case_id, []).append(money.PaymentFacts(row.currency, row.gross, row.photographer))
    owed_by_case: dict[str, list[money.PayoutFacts]] = {}
    for row in payouts:
        owed_by_case.setdefault(row.case_id, []).append(
            money.PayoutFacts(row.currency, row.amount, row.due_at, row.paid_at)
        )
    items: list[MoneyItem] = []
    lines: list[money.MoneyLine] = []
    for case in cases:
        for line in money.case_money(
            case.currency, claim_or_zero(case), paid_by_case.get(case.id, []), owed_by_case.get(case.id, []), now
        ):
            lines.append(line)
            items.append(
                MoneyItem(
                    case_id=case.id,
                    photo_id=case.photo_id,
                    photo_title=case.photo_title,
                    site_host=case.site_host,
                    state=case.state,
                    **vars(line),
                )
            )
    items.sort(key=lambda item: (item.next_due_at is None, item.next_due_at or now))
    totals = [
        MoneyTotal(**{name: getattr(total, name) for name in MoneyTotal.model_fields})
        for total in money.money_totals(lines)
    ]
    return MoneyOverview(totals=totals, items=items)


MONEY_CSV_COLUMNS = (
    "case_id",
    "photo_id",
    "photo_title",
    "site_host",
    "state",
    "currency",
    "claimed",
    "received",
    "photographer_share",
    "paid_out",
    "owed",
    "overdue",
    "next_due_at",
)
_AMOUNTS = {"claimed", "received", "photographer_share", "paid_out", "owed", "overdue"}


def _cell(value: object) -> str:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def money_csv(overview: MoneyOverview) -> str:
    """The money items as CSV: a header row, amounts in major units with two decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MONEY_CSV_COLUMNS)
    for item in overview.items:
        writer.writerow(
            money.major_units(getattr(item, name), item.currency) if name in _AMOUNTS else _cell(getattr(item, name))
            for name in MONEY_CSV_COLUMNS
        )
    return buffer.getvalue()


MAX_OFFSET = 1_000_000  # deeper than any list a person pages through; SQLite overflows at 2**63


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "o" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(text)
    except ValueError as error:
        raise Problem(422, "invalid-cursor", "The cursor is not one this API returned.") from error
    return offset
