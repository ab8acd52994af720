"""The cases service layer: every change to a case goes through here, whoever asks for it.

The photographer API, the partner agency API and the event consumers call these
functions, so the same rules hold everywhere: transitions are checked against the
lifecycle, recorded with who, when, why and the before/after state, published through
the outbox, and guarded by optimistic locking (a change based on a stale version is
refused with 409 rather than silently overwriting another one).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases import money, pricing, store
from pixhound_cases.domain import (
    AlreadyPaid,
    CaseState,
    IllegalTransition,
    Mode,
    Role,
    check_payment,
    check_transition,
    in_place_changes,
)
from pixhound_events.v1 import cases_pb2
from pixhound_platform.db import utcnow
from pixhound_platform.problems import Problem
from pixhound_platform.runtime import ServiceRuntime

SNAPSHOT_FIELDS = (
    "state",
    "mode",
    "agency_id",
    "currency",
    "licence_price",
    "surcharge_percent",
    "floor_price",
    "vat_country",
    "infringer",
    "abandon_reason",
)


def snapshot(case: Row) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in SNAPSHOT_FIELDS}
    if values["surcharge_percent"] is not None:
        values["surcharge_percent"] = str(values["surcharge_percent"])
    return values


async def owned_case(session: AsyncSession, case_id: str, owner_id: str) -> Row:
    case = (
        await session.execute(
            select(store.cases).where(store.cases.c.id == case_id, store.cases.c.owner_id == owner_id)
        )
    ).first()
    if case is None:
        raise Problem(404, "case-not-found", "No such case in your account.")
    return case


async def assigned_case(session: AsyncSession, case_id: str, agency_id: str) -> Row:
    case = (
        await session.execute(
            select(store.cases).where(store.cases.c.id == case_id, store.cases.c.agency_id == agency_id)
        )
    ).first()
    if case is None:
        raise Problem(404, "case-not-found", "No such case is assigned to your agency.")
    return case


async def agency_by_id(session: AsyncSession, agency_id: str) -> Row:
    agency = (await session.execute(select(store.agencies).where(store.agencies.c.id == agency_id))).first()
    if agency is None or not agency.active:
        raise Problem(404, "agency-not-found", "No such partner agency.")
    return agency


async def move(
    runtime: ServiceRuntime,
    session: AsyncSession,
    case: Row,
    target: CaseState,
    *,
    role: Role,
    actor: str,
    reason: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
    in_place: bool = False,
) -> Row:
    """Move a case to `target`, applying `changes` on the way.

    A move to the case's current state is refused (409 `illegal-transition`) unless the caller asks for an
    `in_place` change: then `target` must be the current state, and only the `changes` that differ from the
    case are written; when none differs nothing is written (no version, no transition, no event) and the case
    is returned as it is.
    """
    if expected_version is not None and expected_version != case.version:
        raise Problem(
            409,
            "version-conflict",
            f"The case is at version {case.version}, not {expected_version}.",
            current_version=case.version,
        )
    current = CaseState(case.state)
    if in_place:
        if target != current:
            raise ValueError(f"an in-place change keeps the state; the case is {current}, not {target}")
        changes = in_place_changes(case._mapping, changes or {})
        if not changes:
            return case
    else:
        try:
            check_transition(current, target, role=role, mode=Mode((changes or {}).get("mode", case.mode)))
        except IllegalTransition as error:
            raise Problem(409, "illegal-transition", str(error), state=current.value) from error
    values = {**(changes or {}), "state": target.value, "version": case.version + 1, "updated_at": utcnow()}
    result = await session.execute(
        update(store.cases).where(store.cases.c.id == case.id, store.cases.c.version == case.version).values(**values)
    )
    if result.rowcount != 1:
        raise Problem(409, "concurrent-update", "The case was changed by someone else; reload it and try again.")
    updated = (await session.execute(select(store.cases).where(store.cases.c.id == case.id))).one()
    await session.execute(
        store.transitions.insert().values(
            id=str(uuid.uuid4()),
            case_id=case.id,
            from_state=current.value,
            to_state=target.value,
            actor=actor,
            reason=reason,
            note=note,
            before=snapshot(case),
            after=snapshot(updated),
        )
    )
    await runtime.outbox.add(
        session,
        cases_pb2.CaseStateChanged(
            case_id=case.id,
            owner_id=case.owner_id,
            from_state=current.value,
            to_state=target.value,
            actor=actor,
            reason=reason,
            agency_id=updated.agency_id or "",
            version=updated.version,
            note=note,
        ),
    )
    return updated


def recovery_pricing(case: Row) -> pricing.RecoveryPricing:
    if case.licence_price is None or case.floor_price is None or case.surcharge_percent is None:
        raise Problem(409, "pricing-missing", "Set the licence price, surcharge and floor price of the case first.")
    return pricing.RecoveryPricing(
        licence_price=money.Money(case.licence_price, case.currency),
        surcharge_percent=Decimal(case.surcharge_percent),
        floor=money.Money(case.floor_price, case.currency),
    )


def claim_or_zero(case: Row) -> int:
    """The amount claimed (licence + surcharge) in minor units, 0 while the case has no price."""
    if case.licence_price is None or case.floor_price is None or case.surcharge_percent is None:
        return 0
    return recovery_pricing(case).claim_amount().amount


def agency_contract(agency: Row) -> money.AgencyContract:
    return money.AgencyContract(
        fixed_fee=agency.fixed_fee, percent=Decimal(agency.fee_percent), min_fee=agency.min_fee, max_fee=agency.max_fee
    )


def waterfall(runtime: ServiceRuntime, case: Row, agency: Row | None, gross_minor: int) -> money.Waterfall:
    """The split of a payment; self-managed recoveries (no agency) pay no commission to Pixhound."""
    try:
        rate = money.vat_rate(case.vat_country)
    except (KeyError, ValueError) as error:
        raise Problem(422, "unknown-vat-country", f"No VAT rate is known for {case.vat_country!r}.") from error
    return money.compute_waterfall(
        money.Money(gross_minor, case.currency),
        vat_rate=rate,
        agency=agency_contract(agency) if agency is not None else None,
        platform=money.PlatformTerms(
            commission_percent=runtime.settings.platform_commission_percent if agency is not None else Decimal(0)
        ),
    )


def waterfall_view(fall: money.Waterfall) -> dict[str, Any]:
    return {
        "currency": fall.gross.currency,
        "lines": [
            {"key": key, "label_fr": label_fr, "label_en": label_en, "amount": amount.amount}
            for key, label_fr, label_en, amount in fall.lines()
        ],
        "photographer_share": str(fall.photographer_share),
    }


async def queue_webhook(session: AsyncSession, agency_id: str | None, event: str, payload: dict[str, Any]) -> None:
    if not agency_id:
        return
    agency = (
        await session.execute(select(store.agencies.c.webhook_url).where(store.agencies.c.id == agency_id))
    ).first()
    if agency is None or not agency.webhook_url:
        return
    body = {"id": str(uuid.uuid4()), "event": event, "created_at": utcnow().isoformat(), "data": payload}
    await session.execute(
        store.webhook_deliveries.insert().values(id=body["id"], agency_id=agency_id, event=event, payload=body)
    )


def check_currency(case: Row, currency: str | None) -> None:
    """An amount sent with a currency must be in the case's currency (422 `currency-mismatch` otherwise)."""
    if currency is not None and currency != case.currency:
        raise Problem(
            422,
            "currency-mismatch",
            f"This case is in {case.currency}; an amount in {currency} cannot be recorded on it.",
            case_currency=case.currency,
        )


async def record_offer(
    runtime: ServiceRuntime,
    session: AsyncSession,
    case: Row,
    amount: int,
    *,
    actor: str,
    currency: str | None = None,
) -> Row:
    check_currency(case, currency)
    terms = recovery_pricing(case)
    decision = terms.evaluate_offer(money.Money(amount, case.currency))
    needs_decision = decision == pricing.OfferDecision.NEEDS_PHOTOGRAPHER_DECISION
    received_at = utcnow()
    deadline = pricing.decision_deadline(received_at, runtime.settings.offer_decision_hours) if needs_decision else None
    offer_id = str(uuid.uuid4())
    await session.execute(
        store.offers.insert().values(
            id=offer_id,
            case_id=case.id,
            amount=amount,
            currency=case.currency,
            floor_price=case.floor_price,
            needs_photographer_decision=needs_decision,
            status="awaiting_photographer" if needs_decision else "acceptable",
            decision_deadline=deadline,
            received_at=received_at,
        )
    )
    event = cases_pb2.OfferReceived(
        case_id=case.id,
        owner_id=case.owner_id,
        agency_id=case.agency_id or "",
        offer_id=offer_id,
        amount=cases_pb2.Amount(minor=amount, currency=case.currency),
        floor=cases_pb2.Amount(minor=case.floor_price, currency=case.currency),
        needs_photographer_decision=needs_decision,
    )
    if deadline is not None:
        event.decision_deadline.FromDatetime(deadline)
    await runtime.outbox.add(session, event)
    if CaseState(case.state) == CaseState.NOTICE_SENT:
        role = Role.AGENCY if actor.startswith("agency:") else Role.PHOTOGRAPHER
        await move(runtime, session, case, CaseState.NEGOTIATING, role=role, actor=actor, reason="offer received")
    return (await session.execute(select(store.offers).where(store.offers.c.id == offer_id))).one()


async def decide_offer(
    runtime: ServiceRuntime, session: AsyncSession, case: Row, offer_id: str, *, accept: bool, actor: str
) -> Row:
    offer = (
        await session.execute(
            select(store.offers).where(store.offers.c.id == offer_id, store.offers.c.case_id == case.id)
        )
    ).first()
    if offer is None:
        raise Problem(404, "offer-not-found", "No such offer on this case.")
    if offer.status != "awaiting_photographer":
        raise Problem(409, "offer-not-awaiting-decision", f"This offer is {offer.status}; there is nothing to decide.")
    if offer.decision_deadline is not None and offer.decision_deadline < utcnow():
        raise Problem(409, "offer-expired", "The decision deadline has passed; ask the agency for a new offer.")
    status = "accepted" if accept else "rejected"
    await session.execute(
        update(store.offers)
        .where(store.offers.c.id == offer_id)
        .values(status=status, decided_at=utcnow(), decided_by=actor)
    )
    await queue_webhook(
        session, case.agency_id, "offer.decided", {"case_id": case.id, "offer_id": offer_id, "decision": status}
    )
    return (await session.execute(select(store.offers).where(store.offers.c.id == offer_id))).one()


async def consented_amount(session: AsyncSession, case: Row) -> int | None:
    """The smallest amount the photographer allowed: the floor, or an offer below it they accepted."""
    accepted = (
        (
            await session.execute(
                select(store.offers.c.amount).where(
                    store.offers.c.case_id == case.id, store.offers.c.status == "accepted"
                )
            )
        )
        .scalars()
        .all()
    )
    candidates = [amount for amount in accepted] + ([case.floor_price] if case.floor_price is not None else [])
    return min(candidates) if candidates else None


async def record_payment(
    runtime: ServiceRuntime,
    session: AsyncSession,
    case: Row,
    agency: Row | None,
    gross: int,
    received_at: datetime,
    *,
    actor: str,
    currency: str | None = None,
) -> dict[str, Any]:
    """Book the infringer's payment: its waterfall, the ledger entries, the payout when an agency holds the case.

    A case takes one payment: one already paid (or with a payment recorded) refuses another with 409
    `already-paid`, whatever idempotency key the request carries.
    """
    check_currency(case, currency)
    try:
        check_payment(CaseState(case.state), await store.payment_count(session, case.id))
    except AlreadyPaid as error:
        raise Problem(409, "already-paid", f"{error}; a second payment is not booked.", state=case.state) from error
    allowed = await consented_amount(session, case)
    if allowed is None:
        raise Problem(409, "pricing-missing", "Set the case's pricing before recording a payment.")
    if gross < allowed:
        raise Problem(
            409,
            "below-floor-without-consent",
            "The payment is below the photographer's floor and they accepted no such offer.",
        )
    fall = waterfall(runtime, case, agency, gross)
    payment_id, payout_id = str(uuid.uuid4()), str(uuid.uuid4())
    await session.execute(
        store.payments.insert().values(
            id=payment_id,
            case_id=case.id,
            currency=case.currency,
            gross=fall.gross.amount,
            vat=fall.vat.amount,
            agency_fee=fall.agency_fee.amount,
            platform_commission=fall.platform_commission.amount,
            photographer=fall.photographer.amount,
            received_at=received_at,
        )
    )
    await post_entries(session, case, money.settlement_entries(fall))
    role = Role.AGENCY if agency is not None else Role.PHOTOGRAPHER
    updated = await move(
        runtime, session, case, CaseState.PAID_BY_INFRINGER, role=role, actor=actor, reason="payment received"
    )

    def amount(value: money.Money) -> cases_pb2.Amount:
        return cases_pb2.Amount(minor=value.amount, currency=value.currency)

    event = cases_pb2.PaymentReceived(
        case_id=case.id,
        owner_id=case.owner_id,
        agency_id=case.agency_id or "",
        payment_id=payment_id,
        gross=amount(fall.gross),
        vat=amount(fall.vat),
        agency_fee=amount(fall.agency_fee),
        platform_commission=amount(fall.platform_commission),
        photographer=amount(fall.photographer),
    )
    event.received_at.FromDatetime(received_at)
    result: dict[str, Any] = {
        "payment_id": payment_id,
        "waterfall": waterfall_view(fall),
        "payout": None,
        "case": updated,
    }
    if agency is not None:
        due_at = received_at + timedelta(days=agency.payout_days)
        event.payout_due_at.FromDatetime(due_at)
        await session.execute(
            store.payouts.insert().values(
                id=payout_id,
                case_id=case.id,
                payment_id=payment_id,
                owner_id=case.owner_id,
                agency_id=agency.id,
                amount=fall.photographer.amount,
                currency=case.currency,
                due_at=due_at,
                status="due",
            )
        )
        due = cases_pb2.PayoutDue(
            case_id=case.id,
            owner_id=case.owner_id,
            agency_id=agency.id,
            payout_id=payout_id,
            amount=amount(fall.photographer),
        )
        due.due_at.FromDatetime(due_at)
        await runtime.outbox.add(session, event)
        await runtime.outbox.add(session, due)
        result["payout"] = {"id": payout_id, "amount": fall.photographer.amount, "due_at": due_at}
    else:
        await runtime.outbox.add(session, event)
    return result


async def mark_paid_out(
    runtime: ServiceRuntime, session: AsyncSession, case: Row, payout_id: str, *, reference: str, actor: str, role: Role
) -> Row:
    payout = (
        await session.execute(
            select(store.payouts).where(store.payouts.c.id == payout_id, store.payouts.c.case_id == case.id)
        )
    ).first()
    if payout is None:
        raise Problem(404, "payout-not-found", "No such payout on this case.")
    if payout.status == "paid":
        raise Problem(409, "payout-already-paid", "This payout is already recorded as paid.")
    paid_at = utcnow()
    marked = await session.execute(
        update(store.payouts)
        .where(store.payouts.c.id == payout_id, store.payouts.c.status != "paid")
        .values(status="paid", paid_at=paid_at, reference=reference)
    )
    if marked.rowcount != 1:
        raise Problem(409, "payout-already-paid", "This payout is already recorded as paid.")
    await post_entries(session, case, [money.payout_entry(money.Money(payout.amount, payout.currency))])
    updated = await move(
        runtime, session, case, CaseState.PAID_OUT, role=role, actor=actor, reason=f"payout {reference}"
    )
    event = cases_pb2.PaidOut(
        case_id=case.id,
        owner_id=case.owner_id,
        agency_id=payout.agency_id or "",
        payout_id=payout_id,
        amount=cases_pb2.Amount(minor=payout.amount, currency=payout.currency),
    )
    event.paid_at.FromDatetime(paid_at)
    await runtime.outbox.add(session, event)
    return updated


async def post_entries(session: AsyncSession, case: Row, entries: list[money.JournalEntry]) -> None:
    for entry in entries:
        entry_id = str(uuid.uuid4())
        for posting in entry.postings:
            await session.execute(
                store.ledger.insert().values(
                    entry_id=entry_id,
                    case_id=case.id,
                    account=posting.account.value,
                    debit=posting.debit,
                    credit=posting.credit,
                    currency=case.currency,
                    memo=entry.memo,
                )
            )


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())
