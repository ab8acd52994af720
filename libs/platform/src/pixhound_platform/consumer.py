"""Idempotent event consumption: decode, deduplicate by event id, handle in one transaction.

A handler receives the service runtime, the open session, the typed payload and the
envelope. The inbox row
that marks the event as handled is written in the same transaction as the handler's
changes, so a redelivered event (after a crash, a rebalance or a relay retry) has no
second effect. Events of types the service does not handle are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from google.protobuf.message import Message
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.bus import BusMessage
from pixhound_platform.events import Envelope, decode, event_type_of, topic_of, unpack
from pixhound_platform.observability import EVENTS_CONSUMED, bind_trace_id, reset_trace_id

if TYPE_CHECKING:
    from pixhound_platform.runtime import ServiceRuntime

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Message)
EventHandler = Callable[["ServiceRuntime", AsyncSession, M, Envelope], Awaitable[None]]


async def claim(session: AsyncSession, inbox: Table, *, consumer: str, envelope: Envelope) -> bool:
    """Record the event as handled by `consumer`; False if it already was."""
    dialect = session.bind.dialect.name
    build_insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        build_insert(inbox)
        .values(consumer=consumer, event_id=envelope.event_id, event_type=envelope.event_type)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(statement)
    return result.rowcount == 1


class EventConsumer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: dict[str, EventHandler] = {}
        self.topics: set[str] = set()

    def on(self, message_type: type[M]) -> Callable[[EventHandler[M]], EventHandler[M]]:
        def register(handler: EventHandler[M]) -> EventHandler[M]:
            self.handlers[event_type_of(message_type)] = handler
            self.topics.add(topic_of(message_type))
            return handler

        return register

    async def handle(self, runtime: ServiceRuntime, message: BusMessage) -> None:
        envelope = decode(message.value)
        handler = self.handlers.get(envelope.event_type)
        if handler is None:
            EVENTS_CONSUMED.labels(runtime.settings.service_name, message.topic, "skipped").inc()
            return
        payload = unpack(envelope)
        token = bind_trace_id(envelope.trace_id)
        try:
            async with runtime.transaction() as session:
                if not await claim(session, runtime.tables.inbox, consumer=self.name, envelope=envelope):
                    log.info("duplicate event %s ignored", envelope.event_id)
                    EVENTS_CONSUMED.labels(runtime.settings.service_name, message.topic, "duplicate").inc()
                    return
                await handler(runtime, session, payload, envelope)
            EVENTS_CONSUMED.labels(runtime.settings.service_name, message.topic, "handled").inc()
        finally:
            reset_trace_id(token)
