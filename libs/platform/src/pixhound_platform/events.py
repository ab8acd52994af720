"""Event envelopes: build, route, encode and decode the protobuf events.

Topic and key come from options declared on each message in `proto/`, so the catalogue
of topics has one source. Decoding turns any bad byte string into `MalformedEvent`,
which the consumer sends straight to the dead-letter topic.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf import symbol_database
from google.protobuf.message import DecodeError, Message

from pixhound_events.v1 import (  # noqa: F401  (imported to register every event type)
    accounts_pb2,
    cases_pb2,
    crawl_pb2,
    envelope_pb2,
    matches_pb2,
    options_pb2,
    photos_pb2,
)
from pixhound_platform.observability import current_trace_id, new_trace_id

Envelope = envelope_pb2.Envelope
DEAD_LETTER_SUFFIX = ".dlq"


class PermanentFailure(ValueError):
    """A message that no retry can fix; it goes straight to the dead-letter topic."""


class MalformedEvent(PermanentFailure):
    """An event that cannot be decoded or lacks what its schema requires."""


def event_type_of(message: Message | type[Message]) -> str:
    return message.DESCRIPTOR.full_name


def topic_of(message: Message | type[Message]) -> str:
    topic = message.DESCRIPTOR.GetOptions().Extensions[options_pb2.topic]
    if not topic:
        raise LookupError(f"{event_type_of(message)} declares no topic in proto/")
    return topic


def key_of(message: Message) -> str:
    field = message.DESCRIPTOR.GetOptions().Extensions[options_pb2.key_field]
    if not field:
        raise LookupError(f"{event_type_of(message)} declares no key_field in proto/")
    return str(getattr(message, field))


def envelope_for(message: Message, *, producer: str, trace_id: str | None = None) -> Envelope:
    envelope = Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type_of(message),
        producer=producer,
        trace_id=trace_id or current_trace_id() or new_trace_id(),
        aggregate_id=key_of(message),
    )
    envelope.occurred_at.FromDatetime(datetime.now(UTC))
    envelope.payload.Pack(message)
    return envelope


def decode(raw: bytes | None) -> Envelope:
    if not raw:
        raise MalformedEvent("empty message body")
    envelope = Envelope()
    try:
        envelope.ParseFromString(raw)
    except DecodeError as error:
        raise MalformedEvent(f"not a Pixhound envelope: {error}") from error
    if not envelope.event_id or not envelope.event_type:
        raise MalformedEvent("envelope lacks event_id or event_type")
    if envelope.payload.TypeName() != envelope.event_type:
        raise MalformedEvent(
            f"payload type {envelope.payload.TypeName()!r} does not match event_type {envelope.event_type!r}"
        )
    return envelope


def unpack(envelope: Envelope) -> Message:
    try:
        message_class = symbol_database.Default().GetSymbol(envelope.event_type)
    except KeyError as error:
        raise MalformedEvent(f"unknown event type {envelope.event_type!r}") from error
    message = message_class()
    if not envelope.payload.Unpack(message):
        raise MalformedEvent(f"payload does not decode as {envelope.event_type}")
    return message


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX
