"""Transactional outbox: events are rows written with the state change, then relayed to the bus.

A service never publishes directly from a request or a handler. It adds the event to
the outbox inside its own database transaction, so the event exists if and only if the
change committed. The relay publishes unpublished rows in order and marks them; if it
dies between publishing and marking, the row is published again and consumers'
inboxes absorb the duplicate.
"""

from __future__ import annotations

import asyncio
import logging

from google.protobuf.message import Message
from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.bus import EventBus
from pixhound_platform.db import Database, utcnow
from pixhound_platform.events import Envelope, envelope_for, topic_of
from pixhound_platform.observability import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from pixhound_platform.signals import wait_for_signal

log = logging.getLogger(__name__)

EVENTS_ADDED = "pixhound_outbox_events_added"  # session.info flag: wake the relay after this commit


class Outbox:
    def __init__(self, table: Table, producer: str) -> None:
        self.table = table
        self.producer = producer

    async def add(self, session: AsyncSession, message: Message, *, trace_id: str | None = None) -> Envelope:
        envelope = envelope_for(message, producer=self.producer, trace_id=trace_id)
        await session.execute(
            insert(self.table).values(
                event_id=envelope.event_id,
                event_type=envelope.event_type,
                topic=topic_of(message),
                message_key=envelope.aggregate_id,
                envelope=envelope.SerializeToString(),
                created_at=utcnow(),
            )
        )
        session.info[EVENTS_ADDED] = True
        return envelope


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        table: Table,
        bus: EventBus,
        *,
        service: str,
        poll_seconds: float,
        batch_size: int = 100,
    ) -> None:
        self.database = database
        self.table = table
        self.bus = bus
        self.service = service
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        query = (
            select(
                self.table.c.id,
                self.table.c.topic,
                self.table.c.message_key,
                self.table.c.envelope,
                self.table.c.event_type,
                self.table.c.event_id,
            )
            .where(self.table.c.published_at.is_(None))
            .order_by(self.table.c.id)
            .limit(self.batch_size)
        )
        if self.database.is_postgres:
            query = query.with_for_update(skip_locked=True)
        async with self.database.sessions() as session, session.begin():
            rows = (await session.execute(query)).all()
            for row in rows:
                await self.bus.publish(
                    row.topic,
                    row.message_key,
                    row.envelope,
                    {"event-type": row.event_type, "event-id": row.event_id},
                )
                EVENTS_PUBLISHED.labels(self.service, row.topic).inc()
            if rows:
                await session.execute(
                    update(self.table)
                    .where(self.table.c.id.in_([row.id for row in rows]))
                    .values(published_at=utcnow())
                )
        OUTBOX_BACKLOG.labels(self.service).observe(len(rows))
        return len(rows)

    async def run(self) -> None:
        while not self._stopping:
            try:
                relayed = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                relayed = 0
                await asyncio.sleep(self.poll_seconds)
            if relayed < self.batch_size and not self._stopping:
                await wait_for_signal(self._wake, self.poll_seconds)

    def request_stop(self) -> None:
        """Finish the batch in flight (publish and mark it), then return from `run`."""
        self._stopping = True
        self._wake.set()
