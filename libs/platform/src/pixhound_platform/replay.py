"""Replaying dead letters after a fix: `python -m pixhound_<service> replay-dead-letters --topic …`.

A message lands in `<topic>.dlq` when it could not be handled; once the cause is fixed, the
operator sends it back to its original topic, choosing by time range or event id. Replaying is
safe to repeat: consumers record every event id they handled (the inbox), so a message that
was already handled has no second effect.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pixhound_platform.events import dead_letter_topic

log = logging.getLogger(__name__)
DEAD_LETTER_HEADERS = frozenset(
    {
        "x-dead-letter-reason",
        "x-dead-letter-error-type",
        "x-original-topic",
        "x-original-partition",
        "x-original-offset",
        "x-attempts",
    }
)


@dataclass
class ReplayReport:
    scanned: int = 0
    replayed: int = 0
    event_ids: list[str] = field(default_factory=list)


def _chosen(headers: dict[str, str], timestamp_ms: int, since, until, event_ids: set[str] | None) -> bool:
    when = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    if since is not None and when < since:
        return False
    if until is not None and when > until:
        return False
    return event_ids is None or headers.get("event-id", "") in event_ids


async def replay_dead_letters(
    bootstrap: str,
    topic: str,
    *,
    topic_prefix: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    event_ids: set[str] | None = None,
    dry_run: bool = False,
) -> ReplayReport:
    """Send the chosen messages of `topic`'s dead-letter topic back to `topic`, with their key and headers."""
    physical_dlq = f"{topic_prefix}{dead_letter_topic(topic)}"
    report = ReplayReport()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    try:
        if physical_dlq not in await consumer.topics():
            return report
        partitions = [TopicPartition(physical_dlq, p) for p in await _partitions(bootstrap, physical_dlq)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    report.scanned += 1
                    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
                    if _chosen(headers, record.timestamp, since, until, event_ids):
                        report.replayed += 1
                        report.event_ids.append(headers.get("event-id", ""))
                        if not dry_run:
                            await _send_back(producer, topic_prefix, topic, record, headers)
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
        log.info("dead letters of %s: %d scanned, %d replayed", topic, report.scanned, report.replayed)
        return report
    finally:
        await producer.stop()
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(partition["partition"] for partition in described[0]["partitions"])


async def _send_back(producer: AIOKafkaProducer, prefix: str, topic: str, record, headers: dict[str, str]) -> None:
    original = headers.get("x-original-topic") or topic
    kept = [(name, value.encode()) for name, value in headers.items() if name not in DEAD_LETTER_HEADERS]
    kept.append(("x-replayed-at", datetime.now(UTC).isoformat().encode()))
    await producer.send_and_wait(f"{prefix}{original}", record.value, key=record.key, headers=kept)
