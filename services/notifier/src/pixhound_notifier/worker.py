"""The notifier's consumers, its email sender and its daily digest.

A `CaseOpened` becomes an in-app notification and, if the photographer wants it at once,
a pending email delivery, in one transaction; a separate loop sends pending emails with
retries and back-off, so a mail server outage delays emails without blocking events or
losing any.

Notifications the photographer wants in a digest wait for their digest hour. The digest
task then reserves the account's (account, day) digest row and marks the notifications it
lists in one transaction, so two replicas, or a run after a crash, never list a
notification twice or send two digests a day; each digest is then sent in its own
transaction under a row lock, like any email. The task takes the time as an argument
(`send_due_digests(runtime, now=...)`) so a test can run tomorrow's digest today.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
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
    """Record the in-app notification and, on the instant channel, queue its email, in the handler's transaction."""
    notification_id = str(uuid.uuid4())
    channel = domain.channel_for(notice.kind, await store.chosen_channels(session, account_id))
    await session.execute(
        store.notifications.insert().values(
            id=notification_id,
            account_id=account_id,
            kind=notice.kind,
            subject_id=subject_id,
            title=notice.title,
            body=notice.body,
            link=notice.link,
            channel=channel,
        )
    )
    if channel != "instant":
        return
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


async def send_due_digests(runtime: ServiceRuntime, now: datetime | None = None) -> int:
    """Compose every digest due at `now` (default: the current time), then send pending digests; returns emails sent."""
    now = now or utcnow()
    async with runtime.database.sessions() as session:
        candidates = await store.digest_candidates(session)
    for candidate in candidates:
        slot = domain.digest_slot(now, _digest_hour(runtime, candidate))
        if candidate.oldest < slot:
            await _compose_digest(runtime, candidate, slot)
    sent = 0
    while (outcome := await _send_next_digest(runtime)) is not None:
        sent += outcome
    return sent


def _digest_hour(runtime: ServiceRuntime, candidate) -> int:
    return runtime.settings.digest_hour_utc if candidate.digest_hour_utc is None else candidate.digest_hour_utc


class _NothingToDigest(Exception):
    """Rolls back a reserved digest day whose notifications another replica took or the photographer read."""


async def _compose_digest(runtime: ServiceRuntime, candidate, slot: datetime) -> None:
    digest_id = str(uuid.uuid4())
    try:
        async with runtime.database.sessions() as session, session.begin():
            reserved = await store.claim_digest_day(
                session,
                digest_id=digest_id,
                account_id=candidate.account_id,
                day=slot.date(),
                recipient=candidate.email,
                message_id=domain.digest_message_id(digest_id),
            )
            if not reserved:
                return
            items = await store.take_digest_items(
                session, account_id=candidate.account_id, digest_id=digest_id, before=slot
            )
            if not items:
                raise _NothingToDigest
            notice = domain.digest_notice(
                locale=candidate.locale,
                name=candidate.display_name,
                day=slot.date(),
                items=[(item.title, item.link) for item in items],
                portal_url=runtime.settings.portal_url,
            )
            await store.fill_digest(session, digest_id, subject=notice.title, body=notice.body, item_count=len(items))
    except _NothingToDigest:
        return
    log.info("digest %s of %s composed with %d notifications", digest_id, slot.date(), len(items))


async def _send_next_digest(runtime: ServiceRuntime) -> int | None:
    """Send one pending digest under its row lock; None when none is left to try now."""
    settings = runtime.settings
    async with runtime.database.sessions() as session, session.begin():
        row = await store.next_pending_digest(session, lock=runtime.database.is_postgres)
        if row is None:
            return None
        notice = domain.Notice(kind=domain.DIGEST_KIND, title=row.subject, body=row.body, link="")
        message = domain.email_for(
            notice, sender=settings.mail_from, recipient=row.recipient, message_id=row.message_id
        )
        attempts = row.attempts + 1
        try:
            await runtime.state[MAILER].send(message)
        except Exception as error:
            log.warning("digest %s failed (attempt %d): %s", row.id, attempts, error)
            await store.record_digest_attempt(
                session,
                row.id,
                attempts=attempts,
                last_error=str(error)[:1000],
                status="failed" if attempts >= settings.mail_max_attempts else "pending",
                next_attempt_at=utcnow() + timedelta(seconds=min(2**attempts, 600)),
            )
            return 0
        await store.record_digest_attempt(session, row.id, attempts=attempts, status="sent", sent_at=utcnow())
    log.info("digest %s sent", row.id)
    return 1


async def digest_sender(runtime: ServiceRuntime) -> None:
    while True:
        try:
            await send_due_digests(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("digest task failed; retrying")
        await asyncio.sleep(runtime.settings.digest_poll_seconds)


CONSUMERS = [consumer]
WORKERS = [email_sender, digest_sender]
STARTUP = [prepare_mailer]
