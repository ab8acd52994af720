"""The event bus: one interface, a Kafka implementation and an in-process one.

Both give the same delivery contract: a subscriber's handler sees each message of its
topics in order per key; a failing handler is retried a bounded number of times; a
message that still fails, or that can never be decoded, is copied to the topic's
dead-letter topic with the reason in its headers, and the subscriber carries on.
A dependency that is down (the database, object storage, a peer on the network) is not a
bad message: the subscriber waits and retries the same message with a growing delay for as
long as it takes, never dead-letters it, and reports itself not ready meanwhile.
Kafka offsets are committed only after the handler (and so its database transaction)
has finished.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pixhound_platform.events import PermanentFailure, dead_letter_topic
from pixhound_platform.observability import CONSUMER_OUTAGE_RETRIES, EVENTS_DEAD_LETTERED

log = logging.getLogger(__name__)
OUTAGE_ERROR_NAMES = frozenset(
    {
        # SQLAlchemy and the database drivers
        "OperationalError",
        "InterfaceError",
        "DisconnectionError",
        "PostgresConnectionError",
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "TooManyConnectionsError",
        "ConnectionFailureError",
        # urllib3 (object storage) and httpx
        "MaxRetryError",
        "NewConnectionError",
        "ConnectTimeoutError",
        "ProtocolError",
        "ConnectError",
        "ConnectTimeout",
        "ReadTimeout",
        "RemoteProtocolError",
        "PoolTimeout",
    }
)


@dataclass
class BusMessage:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    partition: int = 0
    offset: int = 0


Handler = Callable[[BusMessage], Awaitable[None]]


class EventBus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, key: str, value: bytes, headers: dict[str, str] | None = None) -> None: ...

    async def subscribe(self, group: str, topics: list[str], handler: Handler) -> None: ...

    async def ping(self) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 0.2
    outage_max_backoff_seconds: float = 30.0
    waiting: dict[str, str] = field(default_factory=dict, compare=False)

    def not_ready_reason(self) -> str:
        """'' when no subscriber waits for a dependency, else what they wait for."""
        return "; ".join(f"{topic}: {reason}" for topic, reason in sorted(self.waiting.items()))[:300]


def dependency_unavailable(error: BaseException) -> bool:
    """True when the error says a dependency is down or unreachable, rather than that the message is bad."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PermanentFailure):
            return False
        if isinstance(current, ConnectionError | TimeoutError | socket.gaierror):
            return True
        if type(current).__name__ in OUTAGE_ERROR_NAMES:
            return True
        if getattr(current, "connection_invalidated", False):
            return True
        current = current.__cause__ or current.__context__
    return False


async def deliver(
    message: BusMessage,
    handler: Handler,
    policy: RetryPolicy,
    dead_letter: Callable[[BusMessage, BaseException, int], Awaitable[None]],
) -> bool:
    """Run the handler with bounded retries; return False when the message went to the dead-letter topic.

    While a dependency is down the same message is retried for as long as it takes (the
    subscription, and so its partitions, wait), with a delay doubling up to
    `outage_max_backoff_seconds`; such failures do not count as attempts."""
    attempt = 0
    outage = 0
    waiting_key = f"{message.topic}[{message.partition}]"
    try:
        while True:
            attempt += 1
            try:
                await handler(message)
                return True
            except asyncio.CancelledError:
                raise
            except PermanentFailure as error:
                log.warning("unprocessable message on %s: %s", message.topic, error)
                await dead_letter(message, error, attempt)
                EVENTS_DEAD_LETTERED.labels(message.topic).inc()
                return False
            except Exception as error:
                if dependency_unavailable(error):
                    attempt -= 1
                    outage += 1
                    delay = min(policy.outage_max_backoff_seconds, policy.backoff_seconds * 2 ** min(outage, 16))
                    policy.waiting[waiting_key] = f"waiting for a dependency: {type(error).__name__}: {error}"[:200]
                    CONSUMER_OUTAGE_RETRIES.labels(message.topic).inc()
                    log.warning(
                        "dependency unavailable while handling %s (retry %d in %.1f s, not dead-lettered): %s",
                        message.topic,
                        outage,
                        delay,
                        error,
                    )
                    await asyncio.sleep(delay)
                    continue
                if attempt >= policy.max_attempts:
                    log.exception("handler failed %d times on %s; dead-lettering", attempt, message.topic)
                    await dead_letter(message, error, attempt)
                    EVENTS_DEAD_LETTERED.labels(message.topic).inc()
                    return False
                log.warning("handler failed on %s (attempt %d): %s", message.topic, attempt, error)
                await asyncio.sleep(policy.backoff_seconds * 2 ** (attempt - 1))
    finally:
        policy.waiting.pop(waiting_key, None)


def dead_letter_headers(message: BusMessage, error: BaseException, attempts: int, group: str) -> dict[str, str]:
    return {
        **message.headers,
        "x-dead-letter-reason": str(error)[:1000] or type(error).__name__,
        "x-dead-letter-error-type": type(error).__name__,
        "x-original-topic": message.topic,
        "x-original-partition": str(message.partition),
        "x-original-offset": str(message.offset),
        "x-attempts": str(attempts),
        "x-consumer-group": group,
    }


class InMemoryBus:
    """A single-process bus for the embedded default: an append-only log per topic."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.logs: dict[str, list[BusMessage]] = {}
        self._new_message = asyncio.Condition()
        self._tasks: list[asyncio.Task] = []
        self._subscriptions: list[tuple[str, list[str], Handler]] = []
        self._started = False

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for subscription in self._subscriptions:
            self._spawn(*subscription)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._started = False

    async def ping(self) -> None:
        return None

    async def publish(self, topic: str, key: str, value: bytes, headers: dict[str, str] | None = None) -> None:
        log_for_topic = self.logs.setdefault(topic, [])
        log_for_topic.append(
            BusMessage(topic=topic, key=key, value=value, headers=dict(headers or {}), offset=len(log_for_topic))
        )
        async with self._new_message:
            self._new_message.notify_all()

    async def subscribe(self, group: str, topics: list[str], handler: Handler) -> None:
        self._subscriptions.append((group, topics, handler))
        if self._started:
            self._spawn(group, topics, handler)

    def _spawn(self, group: str, topics: list[str], handler: Handler) -> None:
        self._tasks.append(asyncio.create_task(self._consume(group, topics, handler), name=f"bus:{group}"))

    async def _consume(self, group: str, topics: list[str], handler: Handler) -> None:
        cursors = dict.fromkeys(topics, 0)

        async def dead_letter(message: BusMessage, error: BaseException, attempts: int) -> None:
            await self.publish(
                dead_letter_topic(message.topic),
                message.key,
                message.value,
                dead_letter_headers(message, error, attempts, group),
            )

        while True:
            delivered = False
            for topic in topics:
                pending = self.logs.get(topic, [])
                while cursors[topic] < len(pending):
                    message = pending[cursors[topic]]
                    await deliver(message, handler, self.policy, dead_letter)
                    cursors[topic] += 1
                    delivered = True
            if not delivered:
                async with self._new_message:
                    if all(cursors[t] >= len(self.logs.get(t, [])) for t in topics):
                        await self._new_message.wait()


class KafkaBus:
    """Kafka through aiokafka: idempotent producer, manual commits, dead-letter topics."""

    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str,
        topic_prefix: str = "",
        policy: RetryPolicy | None = None,
        partitions: int = 3,
    ) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.prefix = topic_prefix
        self.policy = policy or RetryPolicy()
        self.partitions = partitions
        self._producer: AIOKafkaProducer | None = None
        self._consumers: list[AIOKafkaConsumer] = []
        self._tasks: list[asyncio.Task] = []
        self._pending: list[tuple[str, list[str], Handler]] = []

    def physical(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def logical(self, topic: str) -> str:
        return topic[len(self.prefix) :] if self.prefix and topic.startswith(self.prefix) else topic

    async def start(self) -> None:
        if self._producer is not None:
            return
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )
        await producer.start()
        self._producer = producer
        pending, self._pending = self._pending, []
        for subscription in pending:
            await self._start_consumer(*subscription)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for consumer in self._consumers:
            await consumer.stop()
        self._tasks.clear()
        self._consumers.clear()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def ping(self) -> None:
        if self._producer is None:
            raise ConnectionError("Kafka producer not started")
        await self._producer.client.fetch_all_metadata()

    async def ensure_topics(self, topics: list[str]) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=f"{self.client_id}-admin")
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            wanted = {self.physical(t) for t in topics} | {self.physical(dead_letter_topic(t)) for t in topics}
            missing = [NewTopic(name, self.partitions, 1) for name in sorted(wanted - existing)]
            if missing:
                try:
                    await admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
        finally:
            await admin.close()

    async def publish(self, topic: str, key: str, value: bytes, headers: dict[str, str] | None = None) -> None:
        if self._producer is None:
            raise ConnectionError("Kafka bus not started")
        await self._producer.send_and_wait(
            self.physical(topic),
            value=value,
            key=key.encode(),
            headers=[(name, content.encode()) for name, content in (headers or {}).items()],
        )

    async def subscribe(self, group: str, topics: list[str], handler: Handler) -> None:
        if self._producer is None:
            self._pending.append((group, topics, handler))
        else:
            await self._start_consumer(group, topics, handler)

    async def _start_consumer(self, group: str, topics: list[str], handler: Handler) -> None:
        await self.ensure_topics(topics)
        consumer = AIOKafkaConsumer(
            *[self.physical(t) for t in topics],
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            group_id=self.physical(group),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
            metadata_max_age_ms=5000,
        )
        await consumer.start()
        self._consumers.append(consumer)
        self._tasks.append(asyncio.create_task(self._consume(consumer, group, handler), name=f"kafka:{group}"))

    async def _consume(self, consumer: AIOKafkaConsumer, group: str, handler: Handler) -> None:
        async def dead_letter(message: BusMessage, error: BaseException, attempts: int) -> None:
            await self.publish(
                dead_letter_topic(message.topic),
                message.key,
                message.value,
                dead_letter_headers(message, error, attempts, group),
            )

        async for record in consumer:
            message = BusMessage(
                topic=self.logical(record.topic),
                key=(record.key or b"").decode("utf-8", "replace"),
                value=record.value or b"",
                headers={name: (content or b"").decode("utf-8", "replace") for name, content in record.headers},
                partition=record.partition,
                offset=record.offset,
            )
            await deliver(message, handler, self.policy, dead_letter)
            await consumer.commit({TopicPartition(record.topic, record.partition): record.offset + 1})
