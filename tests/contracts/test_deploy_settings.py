"""Every `PIXHOUND_*` variable the Kubernetes manifests and local scripts set is a real settings field.

A misspelt variable would be silently ignored by pydantic-settings; this test catches it.
"""

import re
from pathlib import Path

from pixhound_cases.settings import CasesSettings
from pixhound_crawler.settings import CrawlerSettings
from pixhound_ingest.settings import IngestSettings
from pixhound_matcher.settings import MatcherSettings
from pixhound_notifier.settings import NotifierSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (IngestSettings, CrawlerSettings, MatcherSettings, CasesSettings, NotifierSettings)
KNOWN = {f"PIXHOUND_{name.upper()}" for cls in SETTINGS for name in cls.model_fields}
INFRA_KNOBS = (
    "PIXHOUND_PG_",
    "PIXHOUND_MINIO_",
    "PIXHOUND_KAFKA_",
    "PIXHOUND_S3_PORT",
    "PIXHOUND_S3_CONSOLE_PORT",
    "PIXHOUND_STATE",
    "PIXHOUND_CACHE",
)


def _variables(folder: str) -> set[str]:
    found = set()
    for path in (ROOT / folder).rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".sh"}:
            found |= set(re.findall(r"\bPIXHOUND_[A-Z0-9_]+\b", path.read_text()))
    return found


def test_manifest_variables_are_settings_fields():
    assert _variables("deploy/k8s") - KNOWN == set()


def test_local_stack_variables_are_settings_fields_or_infra_knobs():
    unknown = {name for name in _variables("infra") - KNOWN if not name.startswith(INFRA_KNOBS)}
    assert unknown == set()
