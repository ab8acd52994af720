"""Outbox, inbox and the runtime on real PostgreSQL, Kafka and S3.

An event exists if and only if its transaction committed; a redelivered event has no
second effect; readiness reports each dependency.
"""

import uuid

import pytest
from sqlalchemy import Column, String, Table, func, select

from pixhound_events.v1 import accounts_pb2
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import Database, messaging_tables, new_metadata
from pixhound_platform.events import envelope_for
from pixhound_platform.runtime import ServiceRuntime
from pixhound_platform.settings import ServiceSettings
from pixhound_platform.testing import wait_until

pytestmark = pytest.mark.infra

metadata = new_metadata()
tables = messaging_tables(metadata)
notes = Table("notes", metadata, Column("account_id", String(36), primary_key=True), Column("email", String(100)))


async def _create_schema(url: str) -> None:
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await database.dispose()


def _consumer(received: list) -> EventConsumer:
    consumer = EventConsumer("notes")

    @consumer.on(accounts_pb2.AccountRegistered)
    async def on_account(runtime, session, event, envelope):
        received.append(event.account_id)
        await session.execute(notes.insert().values(account_id=event.account_id, email=event.email))

    return consumer


async def test_outbox_publishes_committed_events_only_and_inbox_absorbs_duplicates(pg_database_factory, infra_settings):
    producer_url, consumer_url = await pg_database_factory("producer"), await pg_database_factory("consumer")
    await _create_schema(producer_url)
    await _create_schema(consumer_url)
    producer = ServiceRuntime(
        ServiceSettings(service_name="producer", database_url=producer_url, **infra_settings),
        tables,
        publishes=["pixhound.accounts.v1"],
    )
    received: list[str] = []
    consumer = ServiceRuntime(
        ServiceSettings(service_name="consumer", database_url=consumer_url, **infra_settings),
        tables,
        consumers=[_consumer(received)],
    )
    await producer.start()
    await consumer.start()
    try:
        with pytest.raises(RuntimeError):
            async with producer.transaction() as session:
                await producer.outbox.add(
                    session, accounts_pb2.AccountRegistered(account_id="rolled-back", email="x@example.org")
                )
                raise RuntimeError("the state change failed")
        async with producer.transaction() as session:
            await producer.outbox.add(
                session, accounts_pb2.AccountRegistered(account_id="committed", email="a@example.org")
            )
        await wait_until(lambda: received, timeout=30, description="the committed event")

        duplicate = envelope_for(
            accounts_pb2.AccountRegistered(account_id="twice", email="t@example.org"), producer="test"
        )
        for _ in range(2):
            await producer.bus.publish("pixhound.accounts.v1", "twice", duplicate.SerializeToString())
        await wait_until(lambda: "twice" in received, timeout=30, description="the duplicated event")
        async with producer.transaction() as session:
            await producer.outbox.add(
                session, accounts_pb2.AccountRegistered(account_id="after", email="b@example.org")
            )
        await wait_until(lambda: "after" in received, timeout=30, description="a later event")

        assert received == ["committed", "twice", "after"], (
            "rolled-back events are never published; duplicates are handled once"
        )
        async with consumer.database.sessions() as session:
            assert (await session.execute(select(func.count()).select_from(notes))).scalar_one() == 3
        async with producer.database.sessions() as session:
            unpublished = await session.execute(
                select(tables.outbox.c.id).where(tables.outbox.c.published_at.is_(None))
            )
            assert unpublished.all() == []
        checks = await consumer.readiness()
        assert checks == {"database": "ok", "bus": "ok", "object_store": "ok", "consumers": "ok"}
    finally:
        await consumer.stop()
        await producer.stop()


async def test_readiness_names_the_dependency_that_is_down(pg_url, infra_settings):
    await _create_schema(pg_url)
    settings = ServiceSettings(service_name="lonely", database_url=pg_url, **infra_settings)
    runtime = ServiceRuntime(settings, tables)
    await runtime.start()
    try:
        await runtime.database.dispose()
        runtime.database = Database(pg_url.rsplit("/", 1)[0] + "/does_not_exist_" + uuid.uuid4().hex[:6])
        checks = await runtime.readiness()
        assert checks["database"].startswith("unavailable")
        assert checks["bus"] == "ok"
        assert checks["object_store"] == "ok"
    finally:
        await runtime.stop()


async def test_readiness_goes_red_while_a_consumer_waits_for_a_dependency(pg_url, infra_settings):
    await _create_schema(pg_url)
    settings = ServiceSettings(service_name="patient", database_url=pg_url, **infra_settings)
    runtime = ServiceRuntime(settings, tables)
    await runtime.start()
    try:
        runtime.bus.policy.waiting["pixhound.photos.v1[0]"] = "waiting for a dependency: OperationalError"
        assert (await runtime.readiness())["consumers"].startswith("unavailable: pixhound.photos.v1[0]")
        runtime.bus.policy.waiting.clear()
        assert (await runtime.readiness())["consumers"] == "ok"
    finally:
        await runtime.stop()
