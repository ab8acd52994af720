"""Pytest fixtures shared by every test folder: real PostgreSQL, Kafka and S3, isolated per test.

`make test` starts the servers and exports their endpoints (see infra/env.sh). Each test
that asks for a database gets a fresh PostgreSQL database; each gets its own Kafka topic
prefix and S3 bucket, so tests never see each other's data. Missing servers are an error,
never a silent skip.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest

from pixhound_platform.auth import issue_token
from pixhound_platform.settings import DEV_ONLY_SECRET


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with `make test`, which starts Kafka, PostgreSQL and S3")
    return value


@pytest.fixture(scope="session")
def pg_dsn_base() -> str:
    return _required("PIXHOUND_PG_DSN_BASE")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    bootstrap = _required("PIXHOUND_KAFKA_BOOTSTRAP")
    yield bootstrap
    asyncio.run(_delete_test_topics(bootstrap))


PREFIXES_OF_THIS_RUN: set[str] = set()


async def _delete_test_topics(bootstrap: str) -> None:
    """Drop the topics this run's tests created (by their prefixes), so the local broker does not
    collect thousands of partitions over many runs (it ran out of memory at 16,000)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        doomed = [topic for topic in await admin.list_topics() if topic.startswith(tuple(PREFIXES_OF_THIS_RUN))]
        for start in range(0, len(doomed), 200):
            await admin.delete_topics(doomed[start : start + 200])
    except Exception as error:  # cleaning up must never fail a green run
        logging.getLogger(__name__).warning("test topics not deleted: %s", error)
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    return _required("PIXHOUND_S3_ENDPOINT")


async def create_database(dsn_base: str, name: str) -> str:
    plain = dsn_base.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(f"{plain}/postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"{dsn_base}/{name}"


async def drop_database(dsn_base: str, name: str) -> None:
    plain = dsn_base.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(f"{plain}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def pg_database_factory(pg_dsn_base: str) -> AsyncIterator:
    created: list[str] = []

    async def make(label: str = "db") -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        created.append(name)
        return await create_database(pg_dsn_base, name)

    yield make
    for name in created:
        await drop_database(pg_dsn_base, name)


@pytest.fixture
async def pg_url(pg_database_factory) -> str:
    return await pg_database_factory()


@pytest.fixture
def topic_prefix() -> str:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    PREFIXES_OF_THIS_RUN.add(prefix)
    return prefix


@pytest.fixture
def infra_settings(kafka_bootstrap: str, s3_endpoint: str, topic_prefix: str, tmp_path) -> dict:
    """Settings fields that point a service at the real servers, isolated for this test."""
    return {
        "environment": "test",
        "bus": "kafka",
        "kafka_bootstrap": kafka_bootstrap,
        "topic_prefix": topic_prefix,
        "object_store": "s3",
        "s3_endpoint": s3_endpoint,
        "s3_access_key": os.environ.get("PIXHOUND_S3_ACCESS_KEY", "pixhound"),
        "s3_secret_key": os.environ.get("PIXHOUND_S3_SECRET_KEY", "pixhound-secret"),
        "s3_bucket": f"t-{uuid.uuid4().hex[:12]}",
        "data_dir": tmp_path,
        "retry_backoff_seconds": 0.05,
        "outbox_poll_seconds": 0.2,
        "log_json": False,
    }


def embedded_settings(tmp_path) -> dict:
    return {"environment": "test", "bus": "memory", "object_store": "local", "data_dir": tmp_path, "log_json": False}


@pytest.fixture
def memory_settings(tmp_path) -> dict:
    return embedded_settings(tmp_path)


async def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1, description: str = "condition"):
    """Poll an async or sync predicate until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {description}")
        await asyncio.sleep(interval)


@asynccontextmanager
async def serve_app(app) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (runtime, consumers, relay) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test") as client:
            yield client


def bearer(account_id: str, secret: str = DEV_ONLY_SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(account_id, secret, 3600)}"}


class EventProbe:
    """Publishes envelopes onto, and reads events off, the real Kafka topics a test uses."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        from pixhound_platform.bus import KafkaBus

        self.bootstrap = bootstrap
        self.prefix = prefix
        self.bus = KafkaBus(bootstrap, client_id="probe", topic_prefix=prefix)

    async def __aenter__(self) -> EventProbe:
        await self.bus.start()
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.bus.stop()

    async def publish(self, message, *, producer: str = "test") -> str:
        from pixhound_platform.events import envelope_for, topic_of

        envelope = envelope_for(message, producer=producer)
        await self.bus.publish(topic_of(message), envelope.aggregate_id, envelope.SerializeToString())
        return envelope.event_id

    async def publish_raw(self, topic: str, value: bytes, key: str = "raw") -> None:
        await self.bus.publish(topic, key, value)

    async def read(self, topic: str, count: int, *, timeout: float = 30.0) -> list:
        """Every record of a topic once at least `count` arrived, as (envelope-or-None, headers) pairs.

        Delivery is at least once, so a topic may hold more records than distinct events.
        """
        from aiokafka import AIOKafkaConsumer

        from pixhound_platform.events import MalformedEvent, decode

        consumer = AIOKafkaConsumer(
            self.prefix + topic,
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        records = []
        loop = asyncio.get_running_loop()
        try:
            deadline = loop.time() + timeout
            settled = False
            while not settled:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(f"only {len(records)} of {count} records arrived on {topic} within {timeout}s")
                enough = len(records) >= count
                batch = await consumer.getmany(timeout_ms=500 if enough else int(min(remaining, 1) * 1000))
                fresh = [record for partition_records in batch.values() for record in partition_records]
                settled = enough and not fresh
                for record in fresh:
                    try:
                        envelope = decode(record.value)
                    except MalformedEvent:
                        envelope = None
                    records.append((envelope, {name: value.decode() for name, value in record.headers}))
        finally:
            await consumer.stop()
        return records

    async def events(self, topic: str, count: int, *, timeout: float = 30.0) -> list:
        from pixhound_platform.events import unpack

        return [unpack(envelope) for envelope, _ in await self.read(topic, count, timeout=timeout)]


@pytest.fixture
async def probe(kafka_bootstrap, topic_prefix) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, topic_prefix) as event_probe:
        yield event_probe
