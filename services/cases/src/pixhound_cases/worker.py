"""The cases service's consumers: a match found becomes a match under review and an open case.

The same photo on the same page is one match: a new occurrence only bumps its counter
and last-seen time, so a page that shows a photo twice, or is crawled again, never
opens a second case.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases import events, store
from pixhound_cases.domain import CaseState
from pixhound_events.v1 import matches_pb2
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import utcnow
from pixhound_platform.events import Envelope, MalformedEvent
from pixhound_platform.runtime import ServiceRuntime

log = logging.getLogger(__name__)
consumer = EventConsumer("cases")


@consumer.on(matches_pb2.MatchFound)
async def on_match_found(
    runtime: ServiceRuntime, session: AsyncSession, event: matches_pb2.MatchFound, envelope: Envelope
) -> None:
    if not event.photo_id or not event.owner_id or not event.page_url:
        raise MalformedEvent("MatchFound needs photo_id, owner_id and page_url")
    if not 0.0 <= event.score <= 1.0:
        raise MalformedEvent(f"MatchFound score {event.score} is outside [0, 1]")
    existing = (
        await session.execute(
            select(store.matches.c.id).where(
                store.matches.c.photo_id == event.photo_id, store.matches.c.page_url == event.page_url
            )
        )
    ).first()
    if existing is not None:
        await session.execute(
            update(store.matches)
            .where(store.matches.c.id == existing.id)
            .values(occurrences=store.matches.c.occurrences + 1, last_seen_at=utcnow(), score=max(event.score, 0))
        )
        return
    match_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    await session.execute(
        store.matches.insert().values(
            id=match_id,
            owner_id=event.owner_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            site_host=event.site_host,
            score=event.score,
        )
    )
    await session.execute(
        store.cases.insert().values(
            id=case_id,
            owner_id=event.owner_id,
            match_id=match_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            score=event.score,
            state=CaseState.DETECTED,
        )
    )
    await session.execute(
        store.transitions.insert().values(
            id=str(uuid.uuid4()),
            case_id=case_id,
            from_state=None,
            to_state=CaseState.DETECTED,
            actor="system:matcher",
            reason=f"match {event.match_id}",
        )
    )
    await runtime.outbox.add(
        session,
        events.case_opened(
            case_id=case_id,
            owner_id=event.owner_id,
            photo_id=event.photo_id,
            page_url=event.page_url,
            image_url=event.image_url,
            score=event.score,
            state=CaseState.DETECTED,
        ),
    )
    log.info("case %s opened for photo %s on %s", case_id, event.photo_id, event.page_url)


CONSUMERS = [consumer]
WORKERS: list = []
STARTUP: list = []
