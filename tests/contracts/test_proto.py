"""The generated event code is exactly what the schemas in proto/ produce, and every event is routable."""

import subprocess
import sys
from pathlib import Path

import pytest

from pixhound_events.v1 import accounts_pb2, cases_pb2, crawl_pb2, matches_pb2, photos_pb2
from pixhound_platform.events import topic_of

ROOT = Path(__file__).resolve().parents[2]
EVENT_MODULES = [accounts_pb2, cases_pb2, crawl_pb2, matches_pb2, photos_pb2]


def test_generated_code_has_not_drifted():
    result = subprocess.run(
        [sys.executable, str(ROOT / "proto" / "generate.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "message",
    [m for module in EVENT_MODULES for m in module.DESCRIPTOR.message_types_by_name.values()],
    ids=lambda m: m.name,
)
def test_every_top_level_event_declares_a_versioned_topic(message):
    options = message.GetOptions()
    from pixhound_events.v1 import options_pb2

    if not options.Extensions[options_pb2.topic]:
        parts = {"Authorship", "PageEvidence", "SignalEvidence", "Amount", "CompanyId", "MatchRegion"}
        assert message.name in parts, f"{message.name} has no topic"
        return
    cls = getattr(
        __import__(message.file.name.replace("/", ".").removesuffix(".proto") + "_pb2", fromlist=["x"]), message.name
    )
    assert topic_of(cls).startswith("pixhound.") and topic_of(cls).endswith(".v1")
    assert options.Extensions[options_pb2.key_field] in message.fields_by_name
