"""Offline checks of the Kubernetes manifests in deploy/k8s.

Builds the kustomize CLI with deploy/tools/kustomize.sh (needs `go`), renders
the base and the dev and prod overlays, validates every rendered object against
the Kubernetes OpenAPI JSON schemas shipped by `kubernetes-validate`, and checks
the invariants the platform relies on (security context, probes, resources,
images, secrets, network policy, ...), for the five services and for the
photographers' portal, which the prod overlay publishes through an Ingress.

Nothing is skipped: if kustomize cannot be built or an overlay cannot be
rendered, the tests fail.

Python packages needed: pytest, PyYAML, kubernetes-validate.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
KUSTOMIZE_SH = REPO_ROOT / "deploy" / "tools" / "kustomize.sh"

# Kubernetes versions whose schemas the manifests must satisfy (strict mode:
# unknown fields are errors). 1.31 is the oldest cluster version we target.
K8S_VERSIONS = ("1.31.0", "1.34.0")

NAMESPACE = "pixhound"
SERVICES = ("ingest", "crawler", "matcher", "cases", "notifier")  # each owns a database: a migration Job
PORTAL = "portal"  # no database, bus or object store; calls the services' APIs
DEPLOYED = SERVICES + (PORTAL,)  # one Deployment, Service, ServiceAccount and PDB each
PORTAL_BACKENDS = ("ingest", "crawler", "cases", "notifier")  # the services the portal calls
PUBLISHED = {PORTAL: "portal.pixhound.example"}  # reachable from the ingress controller (prod)
INGRESS_CONTROLLER_NAMESPACE = {"kubernetes.io/metadata.name": "ingress-nginx"}
INGRESS_CONTROLLER_POD = {"app.kubernetes.io/name": "ingress-nginx"}
TARGETS = ("base", "overlays/dev", "overlays/prod")
EXPECTED_ENVIRONMENT = {"overlays/dev": "dev", "overlays/prod": "prod"}
HPA_SERVICES = {"crawler", "matcher"}  # autoscaled in prod
INTERNET_SERVICES = {"crawler"}  # the only ones allowed public egress
HTTP_PORT = 8080

COMMON_ENV = (
    "PIXHOUND_ENVIRONMENT",
    "PIXHOUND_DATABASE_URL",
    "PIXHOUND_BUS",
    "PIXHOUND_KAFKA_BOOTSTRAP",
    "PIXHOUND_OBJECT_STORE",
    "PIXHOUND_S3_ENDPOINT",
    "PIXHOUND_S3_BUCKET",
    "PIXHOUND_S3_ACCESS_KEY",
    "PIXHOUND_S3_SECRET_KEY",
    "PIXHOUND_LOG_LEVEL",
    "PIXHOUND_AUTH_SECRET",
)
# The portal gets only what it reads (checked against its settings in tests/contracts).
PORTAL_ENV = (
    "PIXHOUND_ENVIRONMENT",
    "PIXHOUND_LOG_LEVEL",
    "PIXHOUND_INGEST_URL",
    "PIXHOUND_CRAWLER_URL",
    "PIXHOUND_CASES_URL",
    "PIXHOUND_NOTIFIER_URL",
    "PIXHOUND_SESSION_SECRET",
)
EXTRA_ENV = {
    "matcher": ("PIXHOUND_MATCHER_SHARD",),
    "notifier": (
        "PIXHOUND_MAIL_TRANSPORT",
        "PIXHOUND_SMTP_HOST",
        "PIXHOUND_SMTP_PORT",
        "PIXHOUND_MAIL_FROM",
        "PIXHOUND_SMTP_USERNAME",
        "PIXHOUND_SMTP_PASSWORD",
    ),
}
# env var -> (secret name, key); "{svc}" is the service name.
SECRET_ENV = {
    "PIXHOUND_DATABASE_URL": ("{svc}-db", "url"),
    "PIXHOUND_S3_ACCESS_KEY": ("pixhound-s3", "access-key"),
    "PIXHOUND_S3_SECRET_KEY": ("pixhound-s3", "secret-key"),
    "PIXHOUND_SMTP_USERNAME": ("notifier-smtp", "username"),
    "PIXHOUND_SMTP_PASSWORD": ("notifier-smtp", "password"),
    "PIXHOUND_AUTH_SECRET": ("pixhound-auth", "secret"),
    "PIXHOUND_SESSION_SECRET": ("portal-session", "secret"),
}
# Which of those secrets each one may hold: the portal, published on the internet, holds
# only its session secret, never a database, object store, mail or token-signing secret.
ALLOWED_SECRET_ENV = {
    **{svc: set(SECRET_ENV) - {"PIXHOUND_SESSION_SECRET"} for svc in SERVICES},
    PORTAL: {"PIXHOUND_SESSION_SECRET"},
}
FIXED_ENV = {"PIXHOUND_BUS": "kafka", "PIXHOUND_OBJECT_STORE": "s3"}

CLUSTER_SCOPED = {"Namespace"}
GENERATED_SUFFIX = re.compile(r"-[a-z0-9]{10}$")  # kustomize name hash


# --------------------------------------------------------------------------
# rendering


@pytest.fixture(scope="session")
def kustomize() -> str:
    try:
        proc = subprocess.run(
            ["bash", str(KUSTOMIZE_SH)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"could not run {KUSTOMIZE_SH}: {exc}")
    if proc.returncode != 0:
        pytest.fail(
            f"{KUSTOMIZE_SH} failed (exit {proc.returncode}); kustomize is required "
            f"for these tests.\nstderr:\n{proc.stderr[-4000:]}"
        )
    path = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if not path or not Path(path).is_file():
        pytest.fail(f"{KUSTOMIZE_SH} printed no usable binary path: {proc.stdout!r}")
    return path


_RENDER_CACHE: dict[str, list[dict[str, Any]]] = {}


def render(kustomize: str, target: str) -> list[dict[str, Any]]:
    if target not in _RENDER_CACHE:
        proc = subprocess.run(
            [kustomize, "build", str(K8S_DIR / target)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            pytest.fail(f"kustomize build {target} failed:\n{proc.stderr}")
        docs = [d for d in yaml.safe_load_all(proc.stdout) if d is not None]
        if not docs:
            pytest.fail(f"kustomize build {target} rendered nothing")
        _RENDER_CACHE[target] = docs
    return _RENDER_CACHE[target]


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def docs(kustomize: str, target: str) -> list[dict[str, Any]]:
    return render(kustomize, target)


# --------------------------------------------------------------------------
# helpers


def objs(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d.get("kind") == kind]


def by_name(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in objs(docs, kind)}


def workloads(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for d in docs:
        if d.get("kind") in ("Deployment", "Job"):
            yield d


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(pod_spec.get("initContainers", [])) + list(pod_spec.get("containers", []))


def ident(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def service_of(obj: dict[str, Any]) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/name", "")


def base_name(name: str) -> str:
    """Name as written in the manifests, without kustomize's hash suffix."""
    return GENERATED_SUFFIX.sub("", name)


def labels_match(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """matchLabels/matchExpressions semantics of a LabelSelector."""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def container_port(pod_spec: dict[str, Any], port: Any) -> int | None:
    """Resolves a numeric or named port against the pod's containers."""
    for c in pod_spec["containers"]:
        for p in c.get("ports", []):
            if port in (p.get("name"), p["containerPort"]):
                return p["containerPort"]
    return None


def image_parts(image: str) -> tuple[str, str | None, str | None]:
    """-> (repository, tag, digest)"""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        image, tag = image.rsplit(":", 1)
    return image, tag, digest


# --------------------------------------------------------------------------
# schema validation


@pytest.mark.parametrize("k8s_version", K8S_VERSIONS)
def test_rendered_objects_match_kubernetes_schemas(docs, target, k8s_version):
    errors = []
    for d in docs:
        try:
            kubernetes_validate.validate(d, k8s_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            errors.append(f"{ident(d)}: {exc.message} (at /{path})")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{ident(d)}: {exc.message}")
    assert not errors, f"{target} fails Kubernetes {k8s_version} schemas:\n" + "\n".join(errors)


def test_schema_validation_rejects_a_broken_object():
    """Guards the guard: strict validation must catch typos and wrong types."""
    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"ports": [{"port": "eighty"}], "selecter": {}},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSIONS[0], strict=True)


# --------------------------------------------------------------------------
# structure


def test_every_service_has_its_objects(docs, target):
    missing = []
    for svc in DEPLOYED:
        wanted = [("Deployment", svc), ("Service", svc), ("ServiceAccount", svc), ("PodDisruptionBudget", svc)]
        if svc in SERVICES:
            wanted.append(("Job", f"{svc}-migrate"))
        for kind, name in wanted:
            if name not in by_name(docs, kind):
                missing.append(f"{kind}/{name}")
    assert not missing, f"{target} lacks: {missing}"
    unexpected = set(by_name(docs, "Deployment")) - set(DEPLOYED)
    assert not unexpected, f"{target} has unexpected Deployments: {unexpected}"
    portal_jobs = [ident(j) for j in objs(docs, "Job") if service_of(j) == PORTAL]
    assert not portal_jobs, f"{target}: the portal has no database to migrate, yet runs {portal_jobs}"


def test_namespace_and_labels(docs, target):
    assert "pixhound" in by_name(docs, "Namespace"), f"{target}: no Namespace/pixhound"
    for d in docs:
        meta = d["metadata"]
        if d["kind"] not in CLUSTER_SCOPED:
            assert meta.get("namespace") == NAMESPACE, f"{target} {ident(d)} not in {NAMESPACE}"
        assert meta.get("labels", {}).get("app.kubernetes.io/part-of") == "pixhound", (
            f"{target} {ident(d)} lacks label app.kubernetes.io/part-of=pixhound"
        )
    for w in workloads(docs):
        labels = w["spec"]["template"]["metadata"].get("labels", {})
        svc = service_of(w)
        assert svc in DEPLOYED, f"{target} {ident(w)}: app.kubernetes.io/name={svc!r}"
        assert labels.get("app.kubernetes.io/name") == svc, f"{target} {ident(w)} pod name label"
        assert labels.get("app.kubernetes.io/part-of") == "pixhound", f"{target} {ident(w)} pods"


# --------------------------------------------------------------------------
# pods: security, resources, storage, images


def test_workloads_are_locked_down(docs, target):
    problems = []
    for w in workloads(docs):
        pod = w["spec"]["template"]["spec"]
        psc = pod.get("securityContext", {})
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{ident(w)}: automountServiceAccountToken is not false")
        if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
            problems.append(f"{ident(w)}: uses host namespaces")
        for c in containers(pod):
            sc = c.get("securityContext", {})
            where = f"{ident(w)} container {c['name']}"

            def eff(key: str, sc: dict = sc, psc: dict = psc) -> Any:
                return sc.get(key, psc.get(key))

            if eff("runAsNonRoot") is not True:
                problems.append(f"{where}: runAsNonRoot is not true")
            if eff("runAsUser") != 10001:
                problems.append(f"{where}: runAsUser is {eff('runAsUser')!r}, not 10001")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                problems.append(f"{where}: privileged")
            caps = sc.get("capabilities", {})
            if caps.get("drop") != ["ALL"] or caps.get("add"):
                problems.append(f"{where}: capabilities are {caps!r}, want drop [ALL], no add")
            seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
            if seccomp != "RuntimeDefault":
                problems.append(f"{where}: seccompProfile is {seccomp!r}")
    for sa in objs(docs, "ServiceAccount"):
        if sa.get("automountServiceAccountToken") is not False:
            problems.append(f"{ident(sa)}: automountServiceAccountToken is not false")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def _quantity(q: Any) -> float:
    """CPU or memory quantity -> float (cores or bytes)."""
    s = str(q)
    units = {
        "m": 1e-3,
        "k": 1e3,
        "M": 1e6,
        "G": 1e9,
        "T": 1e12,
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "Ti": 2**40,
    }
    for suffix in sorted(units, key=len, reverse=True):
        if s.endswith(suffix):
            return float(s[: -len(suffix)]) * units[suffix]
    return float(s)


def test_workloads_have_resources(docs, target):
    problems = []
    for w in workloads(docs):
        for c in containers(w["spec"]["template"]["spec"]):
            res = c.get("resources", {})
            where = f"{ident(w)} container {c['name']}"
            for kind in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in res.get(kind, {}):
                        problems.append(f"{where}: no {kind}.{r}")
            for r in ("cpu", "memory"):
                req, lim = res.get("requests", {}).get(r), res.get("limits", {}).get(r)
                if req is not None and lim is not None and _quantity(req) > _quantity(lim):
                    problems.append(f"{where}: {r} request {req} > limit {lim}")
    assert not problems, f"{target}:\n" + "\n".join(problems)
    # The matcher holds FAISS indexes: it must get more memory than any other service.
    mem = {
        d["metadata"]["name"]: _quantity(
            d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
        )
        for d in objs(docs, "Deployment")
    }
    others = max(v for k, v in mem.items() if k != "matcher")
    assert mem["matcher"] > others, f"{target}: matcher memory limit not the largest: {mem}"


def test_tmp_is_a_writable_emptydir(docs, target):
    problems = []
    for w in workloads(docs):
        pod = w["spec"]["template"]["spec"]
        empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for c in containers(pod):
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if mounts.get("/tmp") not in empty_dirs:
                problems.append(f"{ident(w)} container {c['name']}: /tmp is not an emptyDir")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_images(docs, target):
    problems = []
    for w in workloads(docs):
        svc = service_of(w)
        for c in containers(w["spec"]["template"]["spec"]):
            repo, tag, digest = image_parts(c["image"])
            where = f"{ident(w)} container {c['name']}"
            if repo != f"pixhound/{svc}":
                problems.append(f"{where}: image {c['image']!r} is not pixhound/{svc}")
            if target == "overlays/dev" and tag != "dev":
                problems.append(f"{where}: dev image tag is {tag!r}, not 'dev'")
            if target == "overlays/prod":
                pinned = digest is not None or (
                    tag is not None and re.fullmatch(r"v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?", tag)
                )
                if not pinned:
                    problems.append(f"{where}: prod image {c['image']!r} is not pinned")
    if target == "overlays/prod":
        # Deployment and migration Job of a service must run the same build.
        images = {}
        for w in workloads(docs):
            images.setdefault(service_of(w), set()).update(
                c["image"] for c in w["spec"]["template"]["spec"]["containers"]
            )
        for svc, imgs in images.items():
            if len(imgs) != 1:
                problems.append(f"{svc}: Deployment and Job images differ: {sorted(imgs)}")
    assert not problems, f"{target}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------
# Deployments, Services, Jobs


def test_deployments_serve_with_probes_and_metrics(docs, target):
    problems = []
    for dep in objs(docs, "Deployment"):
        svc = dep["metadata"]["name"]
        tmpl = dep["spec"]["template"]
        pod = tmpl["spec"]
        c = pod["containers"][0]
        if len(pod["containers"]) != 1:
            problems.append(f"{svc}: expected exactly one container")
        if c.get("command", [])[-3:] != ["-m", f"pixhound_{svc}", "serve"]:
            problems.append(f"{svc}: command {c.get('command')!r} is not `python -m pixhound_{svc} serve`")
        if container_port(pod, "http") != HTTP_PORT:
            problems.append(f"{svc}: no container port named http = {HTTP_PORT}")
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = c.get(probe, {}).get("httpGet")
            if not get:
                problems.append(f"{svc}: no HTTP {probe}")
                continue
            if get.get("path") != path:
                problems.append(f"{svc}: {probe} path {get.get('path')!r}, want {path}")
            if container_port(pod, get.get("port")) != HTTP_PORT:
                problems.append(f"{svc}: {probe} port {get.get('port')!r} is not {HTTP_PORT}")
        ann = tmpl["metadata"].get("annotations", {})
        if svc == PORTAL:
            # The portal serves /metrics only outside prod (it is published on the internet).
            if ann.get("prometheus.io/scrape") == "true":
                problems.append(f"{svc}: scraped, but serves no /metrics in prod")
        else:
            want = {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(HTTP_PORT),
                "prometheus.io/path": "/metrics",
            }
            for k, v in want.items():
                if ann.get(k) != v:
                    problems.append(f"{svc}: pod annotation {k}={ann.get(k)!r}, want {v!r}")
        if pod.get("serviceAccountName") != svc:
            problems.append(f"{svc}: serviceAccountName {pod.get('serviceAccountName')!r}")
        if not labels_match(dep["spec"]["selector"], tmpl["metadata"]["labels"]):
            problems.append(f"{svc}: selector does not match its pod template")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_services_route_port_80_to_the_deployment(docs, target):
    deployments = by_name(docs, "Deployment")
    jobs = by_name(docs, "Job")
    problems = []
    for svc in DEPLOYED:
        s = by_name(docs, "Service")[svc]
        spec = s["spec"]
        dep_pod = deployments[svc]["spec"]["template"]
        if spec.get("type", "ClusterIP") != "ClusterIP":
            problems.append(f"{svc}: Service type {spec.get('type')}")
        ports = spec.get("ports", [])
        if len(ports) != 1 or ports[0].get("name") != "http" or ports[0].get("port") != 80:
            problems.append(f"{svc}: Service ports {ports!r}, want one port 'http' 80")
        elif container_port(dep_pod["spec"], ports[0].get("targetPort", 80)) != HTTP_PORT:
            problems.append(f"{svc}: Service targetPort {ports[0].get('targetPort')!r} != {HTTP_PORT}")
        selector = {"matchLabels": spec.get("selector", {})}
        if not spec.get("selector") or not labels_match(selector, dep_pod["metadata"]["labels"]):
            problems.append(f"{svc}: Service selector does not select the Deployment's pods")
        for job in jobs.values():
            if labels_match(selector, job["spec"]["template"]["metadata"].get("labels", {})):
                problems.append(f"{svc}: Service selector also selects {ident(job)} pods")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_migration_jobs(docs, target):
    problems = []
    for svc in SERVICES:
        job = by_name(docs, "Job")[f"{svc}-migrate"]
        pod = job["spec"]["template"]["spec"]
        if pod.get("restartPolicy") != "OnFailure":
            problems.append(f"{svc}-migrate: restartPolicy {pod.get('restartPolicy')!r}")
        if not isinstance(job["spec"].get("backoffLimit"), int):
            problems.append(f"{svc}-migrate: no backoffLimit")
        cmd = pod["containers"][0].get("command", [])
        if cmd[-3:] != ["-m", f"pixhound_{svc}", "migrate"]:
            problems.append(f"{svc}-migrate: command {cmd!r}")
        if pod.get("serviceAccountName") != svc:
            problems.append(f"{svc}-migrate: serviceAccountName {pod.get('serviceAccountName')!r}")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_pod_disruption_budgets(docs, target):
    problems = []
    for svc in DEPLOYED:
        pdb = by_name(docs, "PodDisruptionBudget")[svc]
        dep = by_name(docs, "Deployment")[svc]
        if not labels_match(pdb["spec"]["selector"], dep["spec"]["template"]["metadata"]["labels"]):
            problems.append(f"{svc}: PDB selector does not select the Deployment's pods")
        if "maxUnavailable" not in pdb["spec"] and "minAvailable" not in pdb["spec"]:
            problems.append(f"{svc}: PDB sets neither maxUnavailable nor minAvailable")
        for job in objs(docs, "Job"):
            if labels_match(pdb["spec"]["selector"], job["spec"]["template"]["metadata"]["labels"]):
                problems.append(f"{svc}: PDB also selects {ident(job)} pods")
    assert not problems, f"{target}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------
# configuration and secrets


def _effective_env(docs, container) -> dict[str, dict[str, Any]]:
    """env var -> its source, resolving envFrom and configMapKeyRef against the rendered ConfigMaps."""
    configmaps = by_name(docs, "ConfigMap")
    env: dict[str, dict[str, Any]] = {}
    for src in container.get("envFrom", []):
        if "configMapRef" in src:
            cm = configmaps.get(src["configMapRef"]["name"])
            for k, v in (cm or {}).get("data", {}).items():
                env[src.get("prefix", "") + k] = {"value": v, "configMap": cm["metadata"]["name"]}
    for e in container.get("env", []):
        env[e["name"]] = e
        cm_ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
        data = (configmaps.get(cm_ref["name"]) or {}).get("data", {}) if cm_ref else {}
        if cm_ref and cm_ref["key"] in data:
            env[e["name"]] = {**e, "value": data[cm_ref["key"]], "configMap": cm_ref["name"]}
    return env


def test_environment_variables(docs, target):
    configmaps = by_name(docs, "ConfigMap")
    secrets = by_name(docs, "Secret")
    problems = []
    for w in workloads(docs):
        svc = service_of(w)
        for c in w["spec"]["template"]["spec"]["containers"]:
            where = f"{ident(w)} container {c['name']}"
            for src in c.get("envFrom", []):
                name = (src.get("configMapRef") or src.get("secretRef") or {}).get("name")
                if "configMapRef" in src and name not in configmaps:
                    problems.append(f"{where}: envFrom ConfigMap {name!r} is not rendered")
                if "secretRef" in src:
                    problems.append(f"{where}: envFrom secretRef {name!r}: use secretKeyRef")
            env = _effective_env(docs, c)
            required = PORTAL_ENV if svc == PORTAL else COMMON_ENV + EXTRA_ENV.get(svc, ())
            for name in required:
                if name not in env:
                    problems.append(f"{where}: {name} is not set")
            for name, value in FIXED_ENV.items():
                if name in env and env[name].get("value") != value:
                    problems.append(f"{where}: {name}={env[name].get('value')!r}, want {value!r}")
            if svc == "matcher" and env.get("PIXHOUND_MATCHER_SHARD", {}).get("value") != "0":
                problems.append(f"{where}: PIXHOUND_MATCHER_SHARD is not the string '0'")
            want_env = EXPECTED_ENVIRONMENT.get(target)
            got_env = env.get("PIXHOUND_ENVIRONMENT", {}).get("value")
            if want_env and got_env != want_env:
                problems.append(f"{where}: PIXHOUND_ENVIRONMENT={got_env!r}, want {want_env!r}")
            if got_env not in ("dev", "prod"):
                problems.append(f"{where}: PIXHOUND_ENVIRONMENT={got_env!r} is not dev|prod")
            for name, e in env.items():
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if name in SECRET_ENV and name not in ALLOWED_SECRET_ENV[svc]:
                    problems.append(f"{where}: {name} is set, but {svc} must not hold that secret")
                elif name in SECRET_ENV:
                    want_secret, want_key = SECRET_ENV[name]
                    want_secret = want_secret.format(svc=svc)
                    if not ref:
                        problems.append(f"{where}: {name} does not come from a Secret")
                        continue
                    if base_name(ref["name"]) != want_secret or ref["key"] != want_key:
                        problems.append(
                            f"{where}: {name} from {ref['name']}/{ref['key']}, want {want_secret}/{want_key}"
                        )
                    # Where the overlay generates Secrets, the reference must resolve.
                    if secrets and ref["key"] not in (secrets.get(ref["name"]) or {}).get("data", {}):
                        problems.append(f"{where}: {name}: Secret {ref['name']} key {ref['key']} is not rendered")
                elif ref:
                    problems.append(f"{where}: unexpected secret env {name}")
                cm_ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                if cm_ref and cm_ref["key"] not in (configmaps.get(cm_ref["name"]) or {}).get("data", {}):
                    problems.append(f"{where}: {name}: ConfigMap key {cm_ref} is not rendered")
            for name in ("PIXHOUND_DATABASE_URL",):
                if "value" in env.get(name, {}):
                    problems.append(f"{where}: {name} has an inline value")
    for cm in configmaps.values():
        for k, v in cm.get("data", {}).items():
            if re.search(r"(PASSWORD|SECRET|TOKEN|DATABASE_URL|ACCESS_KEY)", k):
                problems.append(f"ConfigMap {cm['metadata']['name']}: {k} belongs in a Secret")
            if re.search(r"://[^/\s:@]+:[^/\s@]+@", v):
                problems.append(f"ConfigMap {cm['metadata']['name']}: {k} contains credentials")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_prod_carries_no_secret_values(kustomize):
    docs = render(kustomize, "overlays/prod")
    leaking = [ident(s) for s in objs(docs, "Secret") if s.get("data") or s.get("stringData")]
    assert not leaking, f"prod renders Secrets with values: {leaking}"
    base = render(kustomize, "base")
    assert not objs(base, "Secret"), "the base must not define Secrets"


def test_dev_secrets_are_generated_and_obviously_fake(kustomize):
    import base64

    docs = render(kustomize, "overlays/dev")
    secrets = {base_name(n): s for n, s in by_name(docs, "Secret").items()}
    want = {f"{svc}-db" for svc in SERVICES} | {"pixhound-s3", "notifier-smtp", "pixhound-auth", "portal-session"}
    assert want <= set(secrets), f"dev lacks generated Secrets: {sorted(want - set(secrets))}"
    for name, s in secrets.items():
        for k, v in s.get("data", {}).items():
            assert "dev" in base64.b64decode(v).decode(), f"dev Secret {name}/{k} is not marked dev-only"
    # The portal refuses a session secret shorter than 32 characters outside dev.
    assert len(base64.b64decode(secrets["portal-session"]["data"]["secret"])) >= 32
    for svc in SERVICES:
        url = base64.b64decode(secrets[f"{svc}-db"]["data"]["url"]).decode()
        assert url.startswith("postgresql+asyncpg://"), f"{svc}-db url is not a postgresql+asyncpg DSN"


# --------------------------------------------------------------------------
# replicas and autoscaling


def test_replicas_and_autoscaling(kustomize):
    base = by_name(render(kustomize, "base"), "Deployment")
    for svc in DEPLOYED:
        assert base[svc]["spec"].get("replicas", 1) >= 2, f"base {svc} should run >= 2 replicas"

    dev = render(kustomize, "overlays/dev")
    for svc, dep in by_name(dev, "Deployment").items():
        assert dep["spec"].get("replicas") == 1, f"dev {svc} replicas {dep['spec'].get('replicas')}"
    assert not objs(dev, "HorizontalPodAutoscaler"), "dev should not autoscale"

    prod = render(kustomize, "overlays/prod")
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in objs(prod, "HorizontalPodAutoscaler")}
    assert set(hpas) == HPA_SERVICES, f"prod HPAs target {sorted(hpas)}, want {sorted(HPA_SERVICES)}"
    for svc, dep in by_name(prod, "Deployment").items():
        if svc in HPA_SERVICES:
            ref = hpas[svc]["spec"]["scaleTargetRef"]
            assert (ref["kind"], ref["apiVersion"]) == ("Deployment", "apps/v1"), ref
            assert hpas[svc]["spec"].get("minReplicas", 1) >= 2, f"prod {svc} HPA minReplicas < 2"
            assert hpas[svc]["spec"]["maxReplicas"] > hpas[svc]["spec"].get("minReplicas", 1)
            assert "replicas" not in dep["spec"], f"prod {svc}: replicas would fight its HPA"
            res = dep["spec"]["template"]["spec"]["containers"][0]["resources"]
            assert "cpu" in res["requests"], f"prod {svc}: CPU-based HPA needs a CPU request"
        else:
            assert dep["spec"].get("replicas", 1) >= 2, f"prod {svc} runs fewer than 2 replicas"
            assert dep["spec"].get("replicas", 1) >= base[svc]["spec"].get("replicas", 1)


# --------------------------------------------------------------------------
# network policy

PUBLIC_PROBES = [ipaddress.ip_address(a) for a in ("8.8.8.8", "1.1.1.1", "2606:4700::1111")]
OWN_NAMESPACE = {"kubernetes.io/metadata.name": NAMESPACE}
# Where Kafka, PostgreSQL, S3 and the SMTP relay may live: private addresses.
BACKING_STORES = [
    (ipaddress.ip_address("10.1.2.3"), 5432),
    (ipaddress.ip_address("10.1.2.4"), 9092),
    (ipaddress.ip_address("172.20.0.5"), 9000),
    (ipaddress.ip_address("192.168.1.10"), 587),
]
METADATA = ipaddress.ip_address("169.254.169.254")


def _policies_for(docs, pod_labels, policy_type):
    for np in objs(docs, "NetworkPolicy"):
        spec = np["spec"]
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        if policy_type in types and labels_match(spec.get("podSelector", {}), pod_labels):
            yield np


def _peer_allows_ip(peer, ip) -> bool:
    block = peer.get("ipBlock")
    if not block:
        return False  # pod/namespace selectors only address cluster pods
    net = ipaddress.ip_network(block["cidr"])
    if ip.version != net.version or ip not in net:
        return False
    return not any(
        ip in ipaddress.ip_network(e) for e in block.get("except", []) if ipaddress.ip_network(e).version == ip.version
    )


def _ports_allow(rule, port) -> bool:
    ports = rule.get("ports")
    return not ports or any(
        p.get("port") in (port, None) or (p.get("port") == "http" and port == HTTP_PORT) for p in ports
    )


def _egress_allows(docs, pod_labels, ip, port) -> bool:
    for np in _policies_for(docs, pod_labels, "Egress"):
        for rule in np["spec"].get("egress", []):
            if not _ports_allow(rule, port):
                continue
            peers = rule.get("to")
            if not peers or any(_peer_allows_ip(p, ip) for p in peers):
                return True
    return False


def _egress_allows_pod(docs, src_labels, dst_labels, port) -> bool:
    """May a pod of this namespace open a connection to another pod of this namespace?"""
    policies = list(_policies_for(docs, src_labels, "Egress"))
    if not policies:
        return True
    for np in policies:
        for rule in np["spec"].get("egress", []):
            if not _ports_allow(rule, port):
                continue
            peers = rule.get("to")
            if not peers:
                return True
            for peer in peers:
                selector = peer.get("podSelector")
                if selector is not None and "namespaceSelector" not in peer and labels_match(selector, dst_labels):
                    return True
    return False


def _ingress_allows(docs, dst_labels, src_labels, src_namespace_labels, port) -> bool:
    """May a pod (with these labels, in a namespace with these labels) connect to a pod of this namespace?"""
    policies = list(_policies_for(docs, dst_labels, "Ingress"))
    if not policies:
        return True
    for np in policies:
        for rule in np["spec"].get("ingress", []):
            if not _ports_allow(rule, port):
                continue
            peers = rule.get("from")
            if not peers:
                return True
            for peer in peers:
                if "ipBlock" in peer:
                    continue
                ns_selector = peer.get("namespaceSelector")
                in_namespace = (
                    labels_match(ns_selector, src_namespace_labels)
                    if ns_selector is not None
                    else src_namespace_labels == OWN_NAMESPACE
                )
                if in_namespace and labels_match(peer.get("podSelector") or {}, src_labels):
                    return True
    return False


def _from_ingress_controller(svc, peer, rule) -> bool:
    """A published app admits the ingress controller's pods, on its HTTP port only."""
    return (
        svc in PUBLISHED
        and peer.get("namespaceSelector") == {"matchLabels": INGRESS_CONTROLLER_NAMESPACE}
        and peer.get("podSelector") == {"matchLabels": INGRESS_CONTROLLER_POD}
        and [p.get("port") for p in rule.get("ports") or []] in ([HTTP_PORT], ["http"])
    )


def test_network_policy(docs, target):
    problems = []
    for dep in objs(docs, "Deployment"):
        svc = dep["metadata"]["name"]
        labels = dep["spec"]["template"]["metadata"]["labels"]

        ingress = list(_policies_for(docs, labels, "Ingress"))
        if not ingress:
            problems.append(f"{svc}: no NetworkPolicy restricts ingress")
        for np in ingress:
            for rule in np["spec"].get("ingress", []):
                peers = rule.get("from")
                if not peers:
                    problems.append(f"{np['metadata']['name']}: ingress from anywhere to {svc}")
                for peer in peers or []:
                    if "ipBlock" in peer:
                        problems.append(f"{np['metadata']['name']}: ingress to {svc} from addresses")
                    elif "namespaceSelector" in peer and not _from_ingress_controller(svc, peer, rule):
                        problems.append(f"{np['metadata']['name']}: ingress to {svc} from outside the namespace")

        if not list(_policies_for(docs, labels, "Egress")):
            problems.append(f"{svc}: no NetworkPolicy restricts egress")
        for ip in PUBLIC_PROBES:
            allowed = _egress_allows(docs, labels, ip, 443)
            if svc in INTERNET_SERVICES and not allowed:
                problems.append(f"{svc}: cannot reach the internet ({ip}:443)")
            if svc not in INTERNET_SERVICES and allowed:
                problems.append(f"{svc}: may reach the internet ({ip}:443)")
        if _egress_allows(docs, labels, METADATA, 80):
            problems.append(f"{svc}: may reach the cloud metadata endpoint {METADATA}")
        if not _egress_allows(docs, labels, ipaddress.ip_address("10.0.0.10"), 53):
            problems.append(f"{svc}: cannot resolve DNS")

    for job in objs(docs, "Job"):
        labels = job["spec"]["template"]["metadata"]["labels"]
        if _egress_allows(docs, labels, PUBLIC_PROBES[0], 443):
            problems.append(f"{ident(job)}: migration pods may reach the internet")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_portal_reaches_only_the_services_it_calls(docs, target):
    """The portal is published on the internet: it may call ingest, crawler, cases and notifier
    on their HTTP port, and nothing else (no matcher, no backing store, no internet)."""
    deployments = by_name(docs, "Deployment")
    portal = deployments[PORTAL]["spec"]["template"]["metadata"]["labels"]
    problems = []
    for svc in SERVICES:
        labels = deployments[svc]["spec"]["template"]["metadata"]["labels"]
        egress = _egress_allows_pod(docs, portal, labels, HTTP_PORT)
        if svc in PORTAL_BACKENDS:
            if not egress:
                problems.append(f"the portal cannot call {svc}")
            if not _ingress_allows(docs, labels, portal, OWN_NAMESPACE, HTTP_PORT):
                problems.append(f"{svc} does not admit the portal")
        elif egress:
            problems.append(f"the portal may call {svc}, which it never needs")
    for ip, port in BACKING_STORES:
        if _egress_allows(docs, portal, ip, port):
            problems.append(f"the portal may reach {ip}:{port} (private addresses: backing stores)")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_only_the_ingress_controller_reaches_the_portal_from_outside(docs, target):
    deployments = by_name(docs, "Deployment")
    published = bool(objs(docs, "Ingress"))
    problems = []
    for name, dep in deployments.items():
        labels = dep["spec"]["template"]["metadata"]["labels"]
        from_controller = _ingress_allows(docs, labels, INGRESS_CONTROLLER_POD, INGRESS_CONTROLLER_NAMESPACE, HTTP_PORT)
        if name in PUBLISHED and published and not from_controller:
            problems.append(f"the ingress controller cannot reach {name}, which the Ingress routes to")
        if (name not in PUBLISHED or not published) and from_controller:
            problems.append(f"the ingress controller may reach {name}")
        other_namespace = {"kubernetes.io/metadata.name": "default"}
        if _ingress_allows(docs, labels, {"app": "anything"}, other_namespace, HTTP_PORT):
            problems.append(f"pods of another namespace may reach {name}")
        if name in PUBLISHED and _ingress_allows(
            docs, labels, INGRESS_CONTROLLER_POD, INGRESS_CONTROLLER_NAMESPACE, 9090
        ):
            problems.append(f"the ingress controller may reach {name} on a port other than {HTTP_PORT}")
    assert not problems, f"{target}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------
# the portal: its services, its Ingress


def test_portal_calls_the_services_through_their_services(docs, target):
    services = by_name(docs, "Service")
    container = by_name(docs, "Deployment")[PORTAL]["spec"]["template"]["spec"]["containers"][0]
    env = _effective_env(docs, container)
    problems = []
    for backend in PORTAL_BACKENDS:
        name = f"PIXHOUND_{backend.upper()}_URL"
        url = urlsplit(env.get(name, {}).get("value") or "")
        hosts = {backend, f"{backend}.{NAMESPACE}", f"{backend}.{NAMESPACE}.svc"}
        hosts.add(f"{backend}.{NAMESPACE}.svc.cluster.local")
        ports = [p["port"] for p in services.get(backend, {}).get("spec", {}).get("ports", [])]
        if url.scheme != "http" or url.hostname not in hosts or (url.port or 80) not in ports:
            problems.append(f"{name}={url.geturl()!r}: want http://{backend} (its Service, port {ports})")
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_the_portal_is_published_by_an_ingress_in_prod_only(kustomize):
    for target in ("base", "overlays/dev"):
        found = [ident(i) for i in objs(render(kustomize, target), "Ingress")]
        assert not found, f"{target} publishes {found}; the Ingress belongs to the prod overlay"

    docs = render(kustomize, "overlays/prod")
    ingresses = objs(docs, "Ingress")
    assert len(ingresses) == 1, f"prod renders {len(ingresses)} Ingresses, want the portal's"
    spec = ingresses[0]["spec"]
    services = by_name(docs, "Service")
    assert spec.get("ingressClassName"), "the Ingress names no IngressClass"
    tls_hosts = {h for t in spec.get("tls", []) if t.get("secretName") for h in t.get("hosts", [])}
    hosts = set()
    for rule in spec["rules"]:
        hosts.add(rule.get("host"))
        assert rule.get("host") in tls_hosts, f"host {rule.get('host')!r} is served without TLS"
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] in PUBLISHED, f"the Ingress routes to {backend['name']}, which is not published"
            service_ports = services[backend["name"]]["spec"]["ports"]
            port = backend["port"]
            assert any(port in ({"name": p["name"]}, {"number": p["port"]}) for p in service_ports), (
                f"the Ingress routes to {backend['name']} port {port}, which its Service lacks"
            )
    assert hosts == {PUBLISHED[PORTAL]}, f"Ingress hosts {hosts}"
    # The notifier's email links lead to the published portal.
    notifier = by_name(docs, "Deployment")["notifier"]["spec"]["template"]["spec"]["containers"][0]
    link = _effective_env(docs, notifier).get("PIXHOUND_PORTAL_URL", {}).get("value")
    assert link == f"https://{PUBLISHED[PORTAL]}", f"prod notifier links to {link!r}"
