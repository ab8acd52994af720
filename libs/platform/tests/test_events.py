"""Envelopes: routing facts come from the schemas, and bad bytes are refused as malformed."""

import pytest

from pixhound_events.v1 import cases_pb2, envelope_pb2, photos_pb2
from pixhound_platform.events import MalformedEvent, decode, envelope_for, key_of, topic_of, unpack
from pixhound_platform.observability import bind_trace_id, reset_trace_id


def test_topic_and_key_come_from_the_schema():
    event = photos_pb2.PhotoIngested(photo_id="p1", owner_id="o1")
    assert topic_of(event) == "pixhound.photos.v1"
    assert key_of(event) == "p1"
    assert topic_of(cases_pb2.CaseOpened) == "pixhound.cases.v1"


def test_envelope_round_trip_keeps_payload_and_trace():
    token = bind_trace_id("trace-123")
    try:
        envelope = envelope_for(photos_pb2.PhotoIngested(photo_id="p1", owner_id="o1", sha256="ab"), producer="ingest")
    finally:
        reset_trace_id(token)
    decoded = decode(envelope.SerializeToString())
    assert decoded.event_type == "pixhound.events.v1.PhotoIngested"
    assert decoded.trace_id == "trace-123"
    assert decoded.producer == "ingest"
    assert decoded.aggregate_id == "p1"
    payload = unpack(decoded)
    assert isinstance(payload, photos_pb2.PhotoIngested)
    assert payload.sha256 == "ab"


@pytest.mark.parametrize("raw", [b"", b"\xff\xff\xff not protobuf", None])
def test_garbage_is_malformed(raw):
    with pytest.raises(MalformedEvent):
        decode(raw)


def test_envelope_whose_payload_disagrees_with_its_type_is_malformed():
    envelope = envelope_for(photos_pb2.PhotoIngested(photo_id="p1"), producer="ingest")
    envelope.event_type = "pixhound.events.v1.CaseOpened"
    with pytest.raises(MalformedEvent):
        decode(envelope.SerializeToString())


def test_unknown_event_type_is_malformed():
    envelope = envelope_pb2.Envelope(event_id="e1", event_type="pixhound.events.v1.Nope")
    envelope.payload.type_url = "type.googleapis.com/pixhound.events.v1.Nope"
    with pytest.raises(MalformedEvent):
        unpack(decode(envelope.SerializeToString()))
