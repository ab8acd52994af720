"""The cases service's consumers and background work.

- `MatchFound` becomes a match under review and a case; the same photo on the same page
  is one match (a new occurrence only bumps its counter). A match on a site the
  photographer whitelisted for that photo (or all photos) is recorded as licensed.
- `PhotoIngested` keeps the photo's authorship facts for evidence packs and letters.
- The payout monitor raises `PayoutOverdue` when a payout misses its deadline, and again,
  one escalation level higher, at every escalation interval until it is paid.
- Offers below the floor that the photographer did not decide on in time expire; they are
  never accepted on the photographer's behalf.
- Webhooks queued by the service layer are delivered, signed, with retries.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases import events, store, webhooks
from pixhound_cases.domain import CaseState, region_box
from pixhound_cases.service import queue_webhook
from pixhound_events.v1 import cases_pb2, crawl_pb2, matches_pb2, photos_pb2
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import utcnow
from pixhound_platform.events import Envelope, MalformedEvent
from pixhound_platform.network import RefusedAddress
from pixhound_platform.runtime import ServiceRuntime
from pixhound_platform.settings import parse_networks
from pixhound_platform.signals import wait_for_signal

log = logging.getLogger(__name__)
consumer = EventConsumer("cases")
HTTP_CLIENT = "webhook_client"


async def _licensed_for(session: AsyncSession, owner_id: str, photo_id: str, host: str) -> bool:
    domain = host.lower().removeprefix("www.")
    w = store.whitelist.c
    rows = (
        (
            await session.execute(
                select(w.domain).where(w.owner_id == owner_id, or_(w.photo_id.is_(None), w.photo_id == photo_id))
            )
        )
        .scalars()
        .all()
    )
    return any(
        domain == entry.removeprefix("www.") or domain.endswith("." + entry.removeprefix("www.")) for entry in rows
    )


def _geometry(event: matches_pb2.MatchFound) -> dict:
    """Where the photo is in the copy and what was done to it; an unset region is unknown (None)."""

    def box(field: str) -> list[float] | None:
        if not event.HasField(field):
            return None
        region = getattr(event, field)
        return region_box(region.x, region.y, region.width, region.height)

    return {
        "region": box("region"),
        "copy_region": box("copy_region"),
        "inliers": max(0, event.inliers),
        "transforms": list(event.transforms),
    }


@consumer.on(matches_pb2.MatchFound)
async def on_match_found(
    runtime: ServiceRuntime, session: AsyncSession, event: matches_pb2.MatchFound, envelope: Envelope
) -> None:
    if not event.photo_id or not event.owner_id or not event.page_url:
        raise MalformedEvent("MatchFound needs photo_id, owner_id and page_url")
    if not 0.0 <= event.score <= 1.0:
        raise MalformedEvent(f"MatchFound score {event.score} is outside [0, 1]")
    m = store.matches.c
    geometry = _geometry(event)
    existing = (
        await session.execute(
            select(m.id, m.score, m.image_url, m.region, m.copy_region, m.inliers, m.transforms).where(
                m.photo_id == event.photo_id, m.page_url == event.page_url
            )
        )
    ).first()
    if existing is not None:
        missing = {}
        if existing.image_url == event.image_url:
            missing = {name: value for name, value in geometry.items() if getattr(existing, name) is None}
        await session.execute(
            update(store.matches)
            .where(m.id == existing.id)
            .values(
                occurrences=m.occurrences + 1, last_seen_at=utcnow(), score=max(existing.score, event.score), **missing
            )
        )
        return
    host = event.site_host or (urlsplit(event.page_url).hostname or "")
    match_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    await session.execute(
        store.matches.insert().values(
            id=match_id,
            owner_id=event.owner_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            image_object_key=event.image_object_key,
            evidence_key=event.evidence_key,
            site_host=host,
            score=event.score,
            image_sha256=event.image_sha256,
            page_sha256=event.page_sha256,
            fetched_at=event.fetched_at.ToDatetime(tzinfo=UTC) if event.HasField("fetched_at") else None,
            signals=[{"signal": s.signal, "distance": s.distance, "threshold": s.threshold} for s in event.signals],
            **geometry,
        )
    )
    licensed = await _licensed_for(session, event.owner_id, event.photo_id, host)
    site = (await session.execute(select(store.sites).where(store.sites.c.host == host))).first()
    state = CaseState.LICENSED if licensed else CaseState.DETECTED
    await session.execute(
        store.cases.insert().values(
            id=case_id,
            owner_id=event.owner_id,
            match_id=match_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            site_host=host,
            score=event.score,
            state=state,
            mode="undecided",
            currency=runtime.settings.default_currency,
            vat_country=runtime.settings.default_vat_country,
            site_country=site.country if site else "",
            commercial=site.commercial if site else None,
            actionability=site.actionability if site else None,
        )
    )
    await session.execute(
        store.transitions.insert().values(
            id=str(uuid.uuid4()),
            case_id=case_id,
            from_state=None,
            to_state=state,
            actor="system:matcher",
            reason="licensed client" if licensed else f"match {event.match_id}",
            before={},
            after={"state": state.value},
        )
    )
    if licensed:
        log.info("match of photo %s on licensed site %s recorded without alert", event.photo_id, host)
        return
    await runtime.outbox.add(
        session,
        events.case_opened(
            case_id=case_id,
            owner_id=event.owner_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            score=event.score,
            state=state,
            site_host=host,
        ),
    )
    log.info("case %s opened for photo %s on %s", case_id, event.photo_id, event.page_url)


def _site_values(event: crawl_pb2.SiteIdentified) -> dict:
    return {
        "name": event.name[:300],
        "country": event.country[:2].upper(),
        "commercial": event.commercial,
        "actionability": max(0.0, min(1.0, event.actionability)),
        "identity": {
            "name": event.name,
            "legal_form": event.legal_form,
            "address": event.address,
            "emails": list(event.emails),
            "phones": list(event.phones),
            "language": event.language,
            "reasons": list(event.reasons),
            "company_ids": [{"type": c.type, "value": c.value, "valid": c.valid} for c in event.company_ids],
            "evidence_pages": list(event.evidence_pages),
        },
    }


@consumer.on(crawl_pb2.SiteIdentified)
async def on_site_identified(
    runtime: ServiceRuntime, session: AsyncSession, event: crawl_pb2.SiteIdentified, envelope: Envelope
) -> None:
    """Who runs a site ranks its matches by actionability and fills the infringer of open cases that lack one."""
    if not event.host:
        raise MalformedEvent("SiteIdentified needs a host")
    values = _site_values(event)
    await session.execute(store.sites.delete().where(store.sites.c.host == event.host))
    await session.execute(store.sites.insert().values(host=event.host, **values))
    c = store.cases.c
    await session.execute(
        update(store.cases)
        .where(c.site_host == event.host)
        .values(site_country=values["country"], commercial=values["commercial"], actionability=values["actionability"])
    )


@consumer.on(photos_pb2.PhotoIngested)
async def on_photo_ingested(
    runtime: ServiceRuntime, session: AsyncSession, event: photos_pb2.PhotoIngested, envelope: Envelope
) -> None:
    if not event.photo_id or not event.owner_id:
        raise MalformedEvent("PhotoIngested needs photo_id and owner_id")
    table = store.photos
    await session.execute(table.delete().where(table.c.photo_id == event.photo_id))
    await session.execute(
        table.insert().values(
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            object_key=event.object_key,
            sha256=event.sha256,
            title=event.title,
            filename=event.filename,
            width=event.width,
            height=event.height,
            creator=event.authorship.creator,
            copyright=event.authorship.copyright,
            captured_at=event.authorship.captured_at,
        )
    )


@consumer.on(photos_pb2.PhotoDetailsChanged)
async def on_photo_details_changed(
    runtime: ServiceRuntime, session: AsyncSession, event: photos_pb2.PhotoDetailsChanged, envelope: Envelope
) -> None:
    """Letters and evidence packs cite the photographer's corrected title and authorship; unknown photos are ignored."""
    if not event.photo_id or not event.owner_id:
        raise MalformedEvent("PhotoDetailsChanged needs photo_id and owner_id")
    photos = store.photos
    updated = await session.execute(
        update(photos)
        .where(photos.c.photo_id == event.photo_id, photos.c.owner_id == event.owner_id)
        .values(
            title=event.title,
            creator=event.authorship.creator,
            copyright=event.authorship.copyright,
            captured_at=event.authorship.captured_at[: photos.c.captured_at.type.length],
        )
    )
    if updated.rowcount == 0:
        log.info("PhotoDetailsChanged for unknown photo %s ignored", event.photo_id)


async def check_payouts(runtime: ServiceRuntime) -> int:
    """Raise PayoutOverdue for payouts past their deadline; return how many were raised."""
    now = utcnow()
    interval = timedelta(hours=runtime.settings.payout_escalation_hours)
    p = store.payouts.c
    query = select(store.payouts).where(
        p.status.in_(["due", "overdue"]),
        p.due_at < now,
        or_(p.last_escalated_at.is_(None), p.last_escalated_at <= now - interval),
    )
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True)
    raised = 0
    async with runtime.transaction() as session:
        for payout in (await session.execute(query)).all():
            level = payout.escalation_level + 1
            await session.execute(
                update(store.payouts)
                .where(p.id == payout.id)
                .values(status="overdue", escalation_level=level, last_escalated_at=now)
            )
            event = cases_pb2.PayoutOverdue(
                case_id=payout.case_id,
                owner_id=payout.owner_id,
                agency_id=payout.agency_id or "",
                payout_id=payout.id,
                amount=cases_pb2.Amount(minor=payout.amount, currency=payout.currency),
                days_overdue=(now - payout.due_at).days,
                escalation_level=level,
            )
            event.due_at.FromDatetime(payout.due_at)
            await runtime.outbox.add(session, event)
            await queue_webhook(
                session,
                payout.agency_id,
                "payout.overdue",
                {"case_id": payout.case_id, "payout_id": payout.id, "escalation_level": level},
            )
            log.warning("payout %s of case %s is overdue (escalation %d)", payout.id, payout.case_id, level)
            raised += 1
    return raised


async def expire_offers(runtime: ServiceRuntime) -> int:
    o = store.offers.c
    async with runtime.transaction() as session:
        result = await session.execute(
            update(store.offers)
            .where(o.status == "awaiting_photographer", o.decision_deadline < utcnow())
            .values(status="expired", decided_at=utcnow(), decided_by="system:deadline")
        )
    return result.rowcount


async def deliver_webhooks(runtime: ServiceRuntime) -> int:
    d, a = store.webhook_deliveries.c, store.agencies.c
    query = (
        select(store.webhook_deliveries, a.webhook_url, a.webhook_secret)
        .join(store.agencies, a.id == d.agency_id)
        .where(d.status == "pending", d.next_attempt_at <= utcnow())
        .order_by(d.next_attempt_at)
        .limit(20)
    )
    if runtime.database.is_postgres:
        query = query.with_for_update(skip_locked=True, of=store.webhook_deliveries)
    delivered = 0
    client: httpx.AsyncClient = runtime.state[HTTP_CLIENT]
    allowed = parse_networks(runtime.settings.webhook_allowed_networks)
    async with runtime.transaction() as session:
        for row in (await session.execute(query)).all():
            body = webhooks.encode(row.payload)
            headers = {
                "Content-Type": "application/json",
                webhooks.SIGNATURE_HEADER: webhooks.sign(body, row.webhook_secret),
                "Pixhound-Event": row.event,
                "Pixhound-Delivery": row.id,
            }
            attempts = row.attempts + 1
            try:
                await webhooks.check_target(row.webhook_url, allowed)
                response = await client.post(row.webhook_url, content=body, headers=headers)
                if response.status_code >= 300:
                    raise httpx.HTTPStatusError(
                        f"HTTP {response.status_code}", request=response.request, response=response
                    )
            except (httpx.HTTPError, RefusedAddress) as error:
                give_up = attempts >= runtime.settings.webhook_max_attempts
                await session.execute(
                    update(store.webhook_deliveries)
                    .where(d.id == row.id)
                    .values(
                        attempts=attempts,
                        last_error=str(error)[:500],
                        status="failed" if give_up else "pending",
                        next_attempt_at=utcnow() + timedelta(seconds=min(2**attempts, 3600)),
                    )
                )
                continue
            await session.execute(
                update(store.webhook_deliveries)
                .where(d.id == row.id)
                .values(attempts=attempts, status="delivered", delivered_at=utcnow(), last_error="")
            )
            delivered += 1
    return delivered


async def prepare(runtime: ServiceRuntime) -> None:
    client = httpx.AsyncClient(
        timeout=runtime.settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
    )
    runtime.state[HTTP_CLIENT] = client
    runtime.state["cases_wakeup"] = asyncio.Event()
    runtime.closers.append(client.aclose)


async def housekeeping(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    loop = asyncio.get_running_loop()
    next_payout_check = 0.0
    while True:
        try:
            await deliver_webhooks(runtime)
            await expire_offers(runtime)
            if loop.time() >= next_payout_check:
                await check_payouts(runtime)
                next_payout_check = loop.time() + settings.payout_check_seconds
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("cases housekeeping failed; retrying")
        await wait_for_signal(runtime.state["cases_wakeup"], settings.worker_poll_seconds)


CONSUMERS = [consumer]
WORKERS = [housekeeping]
STARTUP = [prepare]
