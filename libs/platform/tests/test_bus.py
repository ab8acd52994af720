"""Delivery contract of both bus implementations: in order, retried, dead-lettered with a reason.

The Kafka tests run against the real broker started by `make test`.
"""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from pixhound_platform.bus import BusMessage, InMemoryBus, KafkaBus, RetryPolicy, dependency_unavailable
from pixhound_platform.events import PermanentFailure
from pixhound_platform.replay import replay_dead_letters
from pixhound_platform.testing import wait_until

FAST = RetryPolicy(max_attempts=3, backoff_seconds=0.01)


async def test_memory_bus_delivers_in_order_to_each_group():
    bus = InMemoryBus(FAST)
    seen_a, seen_b = [], []

    async def record_a(message: BusMessage):
        seen_a.append(message.value)

    async def record_b(message: BusMessage):
        seen_b.append(message.value)

    await bus.subscribe("a", ["t"], record_a)
    await bus.start()
    await bus.publish("t", "k", b"1")
    await bus.subscribe("b", ["t"], record_b)
    await bus.publish("t", "k", b"2")
    await wait_until(lambda: len(seen_a) == 2 and len(seen_b) == 2, timeout=5)
    await bus.stop()
    assert seen_a == [b"1", b"2"]
    assert seen_b == [b"1", b"2"], "a late subscriber starts from the beginning of the log"


async def test_memory_bus_retries_then_dead_letters_with_reason():
    bus = InMemoryBus(FAST)
    attempts = []

    async def always_fails(message: BusMessage):
        attempts.append(message.value)
        raise RuntimeError("database is down")

    await bus.subscribe("g", ["t"], always_fails)
    await bus.start()
    await bus.publish("t", "k", b"payload", {"event-id": "e1"})
    await wait_until(lambda: bus.logs.get("t.dlq"), timeout=5)
    await bus.stop()
    assert len(attempts) == 3
    dead = bus.logs["t.dlq"][0]
    assert dead.value == b"payload"
    assert dead.headers["x-dead-letter-reason"] == "database is down"
    assert dead.headers["x-attempts"] == "3"
    assert dead.headers["event-id"] == "e1"


async def test_permanent_failure_skips_retries_and_the_consumer_carries_on():
    bus = InMemoryBus(FAST)
    handled, attempts = [], []

    async def handler(message: BusMessage):
        attempts.append(message.value)
        if message.value == b"bad":
            raise PermanentFailure("cannot decode")
        handled.append(message.value)

    await bus.subscribe("g", ["t"], handler)
    await bus.start()
    for value in (b"bad", b"good"):
        await bus.publish("t", "k", value)
    await wait_until(lambda: handled == [b"good"], timeout=5)
    await bus.stop()
    assert attempts == [b"bad", b"good"]
    assert bus.logs["t.dlq"][0].headers["x-dead-letter-error-type"] == "PermanentFailure"


@pytest.mark.infra
async def test_kafka_bus_delivers_and_dead_letters(kafka_bootstrap, topic_prefix):
    bus = KafkaBus(kafka_bootstrap, client_id="test", topic_prefix=topic_prefix, policy=FAST)
    handled = []

    async def handler(message: BusMessage):
        if message.value == b"poison":
            raise PermanentFailure("not an envelope")
        handled.append((message.key, message.value))

    await bus.start()
    await bus.subscribe("g", ["events"], handler)
    try:
        await bus.publish("events", "k1", b"poison")
        await bus.publish("events", "k1", b"fine")
        await wait_until(lambda: handled, timeout=30, description="the good message")
        assert handled == [("k1", b"fine")]
        dead = await _read_one(kafka_bootstrap, f"{topic_prefix}events.dlq")
        headers = {name: value.decode() for name, value in dead.headers}
        assert dead.value == b"poison"
        assert headers["x-dead-letter-reason"] == "not an envelope"
        assert headers["x-original-topic"] == "events"
    finally:
        await bus.stop()


@pytest.mark.infra
async def test_kafka_offset_is_committed_only_after_the_handler_finishes(kafka_bootstrap, topic_prefix):
    """A consumer that dies mid-handler leaves the message uncommitted: the next one gets it again."""
    first = KafkaBus(kafka_bootstrap, client_id="first", topic_prefix=topic_prefix, policy=FAST)
    started, never = asyncio.Event(), asyncio.Event()

    async def hangs(message: BusMessage):
        started.set()
        await never.wait()

    await first.start()
    await first.subscribe("g", ["work"], hangs)
    await first.publish("work", "k", b"job-1")
    await asyncio.wait_for(started.wait(), timeout=30)
    await first.stop()

    second = KafkaBus(kafka_bootstrap, client_id="second", topic_prefix=topic_prefix, policy=FAST)
    received = []

    async def records(message: BusMessage):
        received.append(message.value)

    await second.start()
    await second.subscribe("g", ["work"], records)
    try:
        await wait_until(lambda: received, timeout=40, description="redelivery")
        assert received == [b"job-1"]
    finally:
        await second.stop()


async def _read_one(bootstrap: str, topic: str):
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"reader-{uuid.uuid4().hex}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        return await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()


async def test_a_dependency_that_is_down_is_waited_for_never_dead_lettered():
    policy = RetryPolicy(max_attempts=3, backoff_seconds=0.01, outage_max_backoff_seconds=0.05)
    bus = InMemoryBus(policy)
    calls, reasons_while_down = [], []

    async def database_down_for_a_while(message: BusMessage):
        calls.append(message.value)
        if len(calls) <= 8:
            reasons_while_down.append(policy.not_ready_reason())
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))

    await bus.subscribe("g", ["t"], database_down_for_a_while)
    await bus.start()
    await bus.publish("t", "k", b"payload")
    await wait_until(lambda: len(calls) == 9, timeout=10)
    await bus.stop()
    assert "t.dlq" not in bus.logs, "an outage of the database is not a bad message"
    assert len(calls) == 9, "retried past max_attempts while the dependency was down, then handled once"
    assert any("waiting for a dependency" in reason for reason in reasons_while_down[1:])
    assert policy.not_ready_reason() == "", "ready again once the message went through"


async def test_a_real_refused_database_connection_counts_as_an_outage():
    engine = create_async_engine("postgresql+asyncpg://nobody:nothing@127.0.0.1:1/none")
    try:
        with pytest.raises(Exception) as raised:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert dependency_unavailable(raised.value)


def test_bad_messages_are_not_taken_for_outages():
    assert not dependency_unavailable(PermanentFailure("cannot decode"))
    assert not dependency_unavailable(IntegrityError("INSERT", {}, ValueError("duplicate key")))
    assert not dependency_unavailable(KeyError("photo_id"))
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as reset:
            raise RuntimeError("while writing the case") from reset
    except RuntimeError as chained:
        assert dependency_unavailable(chained), "the cause is looked at, not only the outer error"


@pytest.mark.infra
async def test_dead_letters_are_replayed_after_a_fix_by_event_id_and_time(kafka_bootstrap, topic_prefix):
    fixed = asyncio.Event()
    handled = []

    async def handler(message: BusMessage):
        if not fixed.is_set():
            raise PermanentFailure("a bug in the handler")
        handled.append((message.key, message.value, message.headers.get("event-id")))

    bus = KafkaBus(kafka_bootstrap, client_id="replay", topic_prefix=topic_prefix, policy=FAST)
    await bus.start()
    await bus.subscribe("g", ["orders"], handler)
    try:
        await bus.publish("orders", "k1", b"first", {"event-id": "e-1"})
        await bus.publish("orders", "k2", b"second", {"event-id": "e-2"})
        before = datetime.now(UTC) - timedelta(hours=1)

        async def both_dead_lettered():
            dry = await replay_dead_letters(kafka_bootstrap, "orders", topic_prefix=topic_prefix, dry_run=True)
            return dry.replayed == 2

        await wait_until(both_dead_lettered, timeout=30, description="both messages in the dead-letter topic")
        assert not handled, "a dry run sends nothing"
        fixed.set()
        none = await replay_dead_letters(kafka_bootstrap, "orders", topic_prefix=topic_prefix, until=before)
        assert none.replayed == 0, "nothing was dead-lettered before the time range"
        only_one = await replay_dead_letters(
            kafka_bootstrap, "orders", topic_prefix=topic_prefix, event_ids={"e-2"}, since=before
        )
        assert only_one.replayed == 1 and only_one.event_ids == ["e-2"]
        await wait_until(lambda: handled, timeout=30, description="the replayed message")
        assert handled == [("k2", b"second", "e-2")], "the chosen message comes back with its key and event id"
    finally:
        await bus.stop()
