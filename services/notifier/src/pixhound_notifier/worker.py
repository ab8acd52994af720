"""The notifier's consumers and its email sender.

A `CaseOpened` becomes an in-app notification and a pending email delivery in one
transaction; a separate loop sends pending emails with retries and back-off, so a mail
server outage delays emails without blocking events or losing any.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_events.v1 import accounts_pb2, cases_pb2
from pixhound_notifier import domain, store
from pixhound_notifier.mail import build_transport
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import utcnow
from pixhound_platform.events import Envelope, MalformedEvent
from pixhound_platform.observability import bind_trace_id, reset_trace_id
from pixhound_platform.runtime import ServiceRuntime
from pixhound_platform.signals import wait_for_signal

log = logging.getLogger(__name__)
consumer = EventConsumer("notifier")
MAILER = "mailer"


@consumer.on(accounts_pb2.AccountRegistered)
async def on_account_registered(
    runtime: ServiceRuntime, session: AsyncSession, event: accounts_pb2.AccountRegistered, envelope: Envelope
) -> None:
    if not event.account_id or not event.email:
        raise MalformedEvent("AccountRegistered needs account_id and email")
    values = {"email": event.email, "display_name": event.display_name, "locale": event.locale or "fr"}
    updated = await session.execute(
        update(store.recipients).where(store.recipients.c.account_id == event.account_id).values(**values)
    )
    if updated.rowcount == 0:
        await session.execute(store.recipients.insert().values(account_id=event.account_id, **values))


@consumer.on(accounts_pb2.AccountUpdated)
async def on_account_updated(
    runtime: ServiceRuntime, session: AsyncSession, event: accounts_pb2.AccountUpdated, envelope: Envelope
) -> None:
    """Later notifications use the photographer's new name and language; an unknown account has no address yet."""
    if not event.account_id:
        raise MalformedEvent("AccountUpdated needs account_id")
    values = {name: value for name, value in (("display_name", event.display_name), ("locale", event.locale)) if value}
    if not values:
        return
    updated = await session.execute(
        update(store.recipients).where(store.recipients.c.account_id == event.account_id).values(**values)
    )
    if updated.rowcount == 0:
        log.info("AccountUpdated for unknown recipient %s ignored", event.account_id)


@consumer.on(cases_pb2.CaseOpened)
async def on_case_opened(
    runtime: ServiceRuntime, session: AsyncSession, event: cases_pb2.CaseOpened, envelope: Envelope
) -> None:
    if not event.case_id or not event.owner_id:
        raise MalformedEvent("CaseOpened needs case_id and owner_id")
    recipient = await _recipient(session, event.owner_id)
    notice = domain.case_opened_notice(
        locale=recipient.locale if recipient else "fr",
        name=recipient.display_name if recipient else "",
        page_url=event.page_url,
        host=urlsplit(event.page_url).hostname or "",
        score=event.score,
        portal_url=runtime.settings.portal_url,
        case_id=event.case_id,
    )
    await _deliver(runtime, session, event.owner_id, event.case_id, notice, recipient, envelope)


async def _recipient(session: AsyncSession, account_id: str):
    return (await session.execute(select(store.recipients).where(store.recipients.c.account_id == account_id))).first()


async def _deliver(
    runtime,
    session: AsyncSession,
    account_id: str,
    subject_id: str,
    notice: domain.Notice,
    recipient,
    envelope: Envelope,
) -> None:
    """Record the in-app notification and queue its email, in the handler's transaction."""
    notification_id = str(uuid.uuid4())
    await session.execute(
        store.notifications.insert().values(
            id=notification_id,
            account_id=account_id,
            kind=notice.kind,
            subject_id=subject_id,
            title=notice.title,
            body=notice.body,
            link=notice.link,
        )
    )
    if recipient is None:
        log.warning("no email address known for account %s; in-app notification only", account_id)
        return
    await session.execute(
        store.email_deliveries.insert().values(
            id=str(uuid.uuid4()), notification_id=notification_id, recipient=recipient.email, trace_id=envelope.trace_id
        )
    )
    runtime.state["mail_wakeup"].set()


async def _money(runtime, session: AsyncSession, event, envelope: Envelope, kind: str, **values) -> None:
    if not event.case_id or not event.owner_id:
        raise MalformedEvent(f"{type(event).__name__} needs case_id and owner_id")
    recipient = await _recipient(session, event.owner_id)
    locale = recipient.locale if recipient else "fr"
    formatted = {key: value(locale) if callable(value) else value for key, value in values.items()}
    notice = domain.money_notice(
        kind,
        locale=locale,
        name=recipient.display_name if recipient else "",
        portal_url=runtime.settings.portal_url,
        case_id=event.case_id,
        **formatted,
    )
    await _deliver(runtime, session, event.owner_id, event.case_id, notice, recipient, envelope)


def _amount(amount: cases_pb2.Amount):
    return lambda locale: domain.format_amount(amount.minor, amount.currency, locale)


def _day(stamp):
    return lambda locale: stamp.ToDatetime(tzinfo=UTC).strftime("%d/%m/%Y" if locale == "fr" else "%d %B %Y")


@consumer.on(cases_pb2.OfferReceived)
async def on_offer(
    runtime: ServiceRuntime, session: AsyncSession, event: cases_pb2.OfferReceived, envelope: Envelope
) -> None:
    if event.needs_photographer_decision:
        await _money(
            runtime,
            session,
            event,
            envelope,
            "offer_needs_decision",
            amount=_amount(event.amount),
            floor=_amount(event.floor),
            deadline=_day(event.decision_deadline),
        )


@consumer.on(cases_pb2.PaymentReceived)
async def on_payment(
    runtime: ServiceRuntime, session: AsyncSession, event: cases_pb2.PaymentReceived, envelope: Envelope
) -> None:
    await _money(
        runtime,
        session,
        event,
        envelope,
        "payment_received",
        gross=_amount(event.gross),
        vat=_amount(event.vat),
        agency_fee=_amount(event.agency_fee),
        platform_commission=_amount(event.platform_commission),
        photographer=_amount(event.photographer),
        due=_day(event.payout_due_at) if event.HasField("payout_due_at") else "—",
    )


@consumer.on(cases_pb2.PayoutOverdue)
async def on_overdue(
    runtime: ServiceRuntime, session: AsyncSession, event: cases_pb2.PayoutOverdue, envelope: Envelope
) -> None:
    await _money(
        runtime,
        session,
        event,
        envelope,
        "payout_overdue",
        amount=_amount(event.amount),
        due=_day(event.due_at),
        days=str(event.days_overdue),
        level=str(event.escalation_level),
    )


@consumer.on(cases_pb2.PaidOut)
async def on_paid_out(
    runtime: ServiceRuntime, session: AsyncSession, event: cases_pb2.PaidOut, envelope: Envelope
) -> None:
    await _money(runtime, session, event, envelope, "paid_out", amount=_amount(event.amount))


async def prepare_mailer(runtime: ServiceRuntime) -> None:
    runtime.state[MAILER] = build_transport(runtime.settings)
    runtime.state["mail_wakeup"] = asyncio.Event()


async def send_pending_email(runtime: ServiceRuntime) -> int:
    query = (
        select(
            store.email_deliveries,
            store.notifications.c.title,
            store.notifications.c.body,
            store.notifications.c.kind,
            store.notifications.c.link,
        )
        .join(store.notifications, store.notifications.c.id == store.email_deliveries.c.notification_id)
        .where(store.email_deliveries.c.status == "pending", store.email_deliveries.c.next_attempt_at <= utcnow())
        .order_by(store.email_deliveries.c.next_attempt_at)
        .limit(20)
    )
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=store.email_deliveries)
    sent = 0
    async with runtime.database.sessions() as session, session.begin():
        for row in (await session.execute(query)).all():
            token = bind_trace_id(row.trace_id)
            try:
                sent += await _attempt_delivery(runtime, session, row)
            finally:
                reset_trace_id(token)
    return sent


async def _attempt_delivery(runtime: ServiceRuntime, session: AsyncSession, row) -> int:
    settings = runtime.settings
    notice = domain.Notice(kind=row.kind, title=row.title, body=row.body, link=row.link)
    message = domain.email_for(notice, sender=settings.mail_from, recipient=row.recipient)
    attempts = row.attempts + 1
    deliveries = store.email_deliveries
    try:
        await runtime.state[MAILER].send(message)
    except Exception as error:
        log.warning("email %s failed (attempt %d): %s", row.id, attempts, error)
        await session.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(
                attempts=attempts,
                last_error=str(error)[:1000],
                status="failed" if attempts >= settings.mail_max_attempts else "pending",
                next_attempt_at=utcnow() + timedelta(seconds=min(2**attempts, 600)),
            )
        )
        return 0
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id == row.id)
        .values(attempts=attempts, status="sent", sent_at=utcnow(), last_error="")
    )
    log.info("email %s sent to recipient of notification %s", row.id, row.notification_id)
    return 1


async def email_sender(runtime: ServiceRuntime) -> None:
    wakeup: asyncio.Event = runtime.state["mail_wakeup"]
    while True:
        try:
            await send_pending_email(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("email sender failed; retrying")
        await wait_for_signal(wakeup, runtime.settings.mail_poll_seconds)


CONSUMERS = [consumer]
WORKERS = [email_sender]
STARTUP = [prepare_mailer]
