"""What a running service holds open: database, bus, object store, outbox relay, consumers.

Built in the FastAPI lifespan (never at import time) from the service's settings. In
the embedded single-process mode several runtimes share one in-process bus, passed in
from outside; otherwise each runtime owns its bus.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.bus import EventBus, InMemoryBus, KafkaBus, RetryPolicy
from pixhound_platform.consumer import EventConsumer
from pixhound_platform.db import Database, MessagingTables
from pixhound_platform.objects import LocalObjectStore, ObjectStore, S3ObjectStore
from pixhound_platform.outbox import EVENTS_ADDED, Outbox, OutboxRelay
from pixhound_platform.settings import ServiceSettings

log = logging.getLogger(__name__)
Worker = Callable[["ServiceRuntime"], Awaitable[None]]
StartupHook = Callable[["ServiceRuntime"], Awaitable[None]]
AFTER_COMMIT = "pixhound_after_commit"


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed (never on rollback)."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def build_bus(settings: ServiceSettings) -> EventBus:
    policy = RetryPolicy(settings.max_delivery_attempts, settings.retry_backoff_seconds)
    if settings.bus == "kafka":
        return KafkaBus(
            settings.kafka_bootstrap,
            client_id=f"pixhound-{settings.service_name}",
            topic_prefix=settings.topic_prefix,
            policy=policy,
        )
    return InMemoryBus(policy)


def build_object_store(settings: ServiceSettings) -> ObjectStore:
    if settings.object_store == "s3":
        return S3ObjectStore.connect(
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            bucket=settings.s3_bucket,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
    return LocalObjectStore(settings.objects_dir)


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        tables: MessagingTables,
        *,
        consumers: list[EventConsumer] = (),
        workers: list[Worker] = (),
        startup: list[StartupHook] = (),
        publishes: list[str] = (),
        shared_bus: EventBus | None = None,
    ) -> None:
        self.settings = settings
        self.tables = tables
        self.consumers = list(consumers)
        self.workers = list(workers)
        self.startup = list(startup)
        self.publishes = list(publishes)
        self._shared_bus = shared_bus
        self.database: Database | None = None
        self.bus: EventBus | None = None
        self.objects: ObjectStore | None = None
        self.outbox = Outbox(tables.outbox, producer=settings.service_name)
        self.relay: OutboxRelay | None = None
        self.state: dict[str, Any] = {}
        self.closers: list[Callable[[], Awaitable[None]]] = []
        self._tasks: list[asyncio.Task] = []
        self._relay_task: asyncio.Task | None = None

    async def start(self) -> None:
        settings = self.settings
        if settings.effective_database_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = Database(
            settings.effective_database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        self.objects = build_object_store(settings)
        await self.objects.ensure_ready()
        self.bus = self._shared_bus or build_bus(settings)
        if self._shared_bus is None:
            await self.bus.start()
            if isinstance(self.bus, KafkaBus) and self.publishes:
                await self.bus.ensure_topics(self.publishes)
        self.relay = OutboxRelay(
            self.database,
            self.tables.outbox,
            self.bus,
            service=settings.service_name,
            poll_seconds=settings.outbox_poll_seconds,
        )
        for hook in self.startup:
            await hook(self)
        if settings.run_workers:
            self._relay_task = asyncio.create_task(self.relay.run(), name=f"{settings.service_name}:outbox-relay")
            self._relay_task.add_done_callback(self._report_crash)
            for consumer in self.consumers:
                await self.bus.subscribe(
                    self._group_for(consumer), sorted(consumer.topics), functools.partial(consumer.handle, self)
                )
            for worker in self.workers:
                self._spawn(getattr(worker, "__name__", "worker"), worker(self))

    def _group_for(self, consumer: EventConsumer) -> str:
        base = self.settings.effective_consumer_group
        return base if consumer.name == self.settings.service_name else f"{base}.{consumer.name}"

    def _spawn(self, name: str, coroutine: Awaitable[None]) -> None:
        task = asyncio.create_task(coroutine, name=f"{self.settings.service_name}:{name}")
        task.add_done_callback(self._report_crash)
        self._tasks.append(task)

    @staticmethod
    def _report_crash(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s crashed", task.get_name(), exc_info=task.exception())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._relay_task is not None:
            self.relay.request_stop()
            try:
                async with asyncio.timeout(10):
                    await asyncio.shield(self._relay_task)
            except BaseException:
                self._relay_task.cancel()
                await asyncio.gather(self._relay_task, return_exceptions=True)
                if asyncio.current_task() is not None and asyncio.current_task().cancelling():
                    raise
            finally:
                self._relay_task = None
        for close in reversed(self.closers):
            await close()
        if self.bus is not None and self._shared_bus is None:
            await self.bus.stop()
        if self.database is not None:
            await self.database.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction; on commit, the outbox relay is woken."""
        assert self.database is not None
        async with self.database.sessions() as session:
            async with session.begin():
                yield session
            callbacks = session.info.pop(AFTER_COMMIT, [])
            events_added = session.info.pop(EVENTS_ADDED, False)
        for callback in callbacks:
            callback()
        if self.relay is not None and events_added:
            self.relay.wake()

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        for name, probe in (
            ("database", self.database.ping),
            ("bus", self.bus.ping),
            ("object_store", self.objects.ping),
        ):
            try:
                async with asyncio.timeout(3):
                    await probe()
                checks[name] = "ok"
            except Exception as error:
                checks[name] = f"unavailable: {type(error).__name__}: {error}"[:300]
        policy = getattr(self.bus, "policy", None)
        waiting = policy.not_ready_reason() if isinstance(policy, RetryPolicy) else ""
        checks["consumers"] = f"unavailable: {waiting}" if waiting else "ok"
        for name, check in self.state.get("readiness_checks", {}).items():
            checks[name] = check()
        return checks
