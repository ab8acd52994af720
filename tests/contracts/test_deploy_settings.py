"""Every `PIXHOUND_*` variable the Kubernetes manifests and local scripts set is a real settings field.

A misspelt variable would be silently ignored by pydantic-settings; this test catches it. Each
workload is checked against its own settings class too, so a variable meant for one service
but set on another (the portal's service URLs on a service, say) is caught as well.
"""

import re
from pathlib import Path

import yaml

from pixhound_cases.settings import CasesSettings
from pixhound_crawler.settings import CrawlerSettings
from pixhound_ingest.settings import IngestSettings
from pixhound_matcher.settings import MatcherSettings
from pixhound_notifier.settings import NotifierSettings
from pixhound_portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = {
    "ingest": IngestSettings,
    "crawler": CrawlerSettings,
    "matcher": MatcherSettings,
    "cases": CasesSettings,
    "notifier": NotifierSettings,
}
APPS = {**SERVICES, "portal": PortalSettings}
KNOWN = {f"PIXHOUND_{name.upper()}" for cls in APPS.values() for name in cls.model_fields}
INFRA_KNOBS = (
    "PIXHOUND_PG_",
    "PIXHOUND_MINIO_",
    "PIXHOUND_KAFKA_",
    "PIXHOUND_S3_PORT",
    "PIXHOUND_S3_CONSOLE_PORT",
    "PIXHOUND_STATE",
    "PIXHOUND_CACHE",
    "PIXHOUND_CHROMIUM",
)


def _fields(cls) -> set[str]:
    return {f"PIXHOUND_{name.upper()}" for name in cls.model_fields}


def _variables(folder: str) -> set[str]:
    found = set()
    for path in (ROOT / folder).rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".sh"}:
            found |= set(re.findall(r"\bPIXHOUND_[A-Z0-9_]+\b", path.read_text()))
    return found


def test_manifest_variables_are_settings_fields():
    assert _variables("deploy/k8s") - KNOWN == set()


def test_local_stack_variables_are_settings_fields_or_infra_knobs():
    unknown = {
        name for name in (_variables("infra") | _variables("scripts")) - KNOWN if not name.startswith(INFRA_KNOBS)
    }
    assert unknown == set()


def test_each_workload_sets_only_its_own_settings():
    unknown = []
    for app, cls in APPS.items():
        fields = _fields(cls)
        for doc in yaml.safe_load_all((K8S / "base" / f"{app}.yaml").read_text()):
            if not doc or doc["kind"] not in ("Deployment", "Job"):
                continue
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for env in container.get("env", []):
                    key_ref = (env.get("valueFrom") or {}).get("configMapKeyRef") or {}
                    for name in (env["name"], key_ref.get("key")):
                        if name and name not in fields:
                            unknown.append(f"{doc['kind']}/{doc['metadata']['name']}: {name}")
    assert unknown == [], "variables that are not fields of the workload's own settings class"


def test_each_configmap_holds_settings_of_the_workloads_that_read_it():
    # <app>-config is read by that app alone; pixhound-config by every service.
    shared = set.intersection(*(_fields(cls) for cls in SERVICES.values()))
    owners = {f"{app}-config": _fields(cls) for app, cls in APPS.items()} | {"pixhound-config": shared}
    unknown = []
    for path in K8S.rglob("kustomization.yaml"):
        for generator in (yaml.safe_load(path.read_text()) or {}).get("configMapGenerator", []):
            fields = owners.get(generator["name"])
            assert fields is not None, f"{path}: ConfigMap {generator['name']} is read by no known workload"
            for literal in generator.get("literals", []):
                name = literal.split("=", 1)[0]
                if name not in fields:
                    unknown.append(f"{path.relative_to(ROOT)}: {generator['name']}: {name}")
    assert unknown == []
