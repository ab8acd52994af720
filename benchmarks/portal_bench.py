"""Server time and page weight of the photographers' portal for one busy photographer.

The portal renders each page from several calls to the services (who is signed in, unread
notifications, then the page's own data), so its latency grows with what the photographer
owns. This benchmark builds the embedded platform in this process (SQLite, local folder,
in-process bus) on a temporary folder, serves it with uvicorn on a loopback port in a
background thread, and seeds one photographer through the public APIs: an account and
`--photos` small distinct JPEG uploads, then `--matches` matches over `--hosts` identified
sites, published as `MatchFound` and `SiteIdentified` events on the in-process bus as the
matcher and the crawler would, so the cases service opens one case per match. Through the
cases API the photographer then confirms 30 % of them (pricing a third of those, whose pages
then list three partner agencies' recovery options) and dismisses 10 %.

It then signs in through the portal as a browser does (the sign-in form with its CSRF field
and cookie) and requests the inbox (`/matches`, `/matches?view=all`), the portfolio
(`/photos`) and case pages (`/cases/<id>`, a different case each time) sequentially with one
client, in rounds, after untimed warm-up rounds. Server time is the portal's
`Server-Timing: app;dur=` header; client time is the wall time of the whole request. Page
weight is the inbox's HTML and every asset it loads except the photographer's images
(thumbnails and copies), which depend on the photos.

Prints a Markdown table and writes the figures as JSON to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import io
import json
import logging
import os
import platform
import random
import re
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import numpy as np
import uvicorn
from PIL import Image

from pixhound_embedded.runner import build_embedded_app
from pixhound_events.v1 import crawl_pb2, matches_pb2
from pixhound_platform.events import envelope_for, topic_of

log = logging.getLogger("portal_bench")
PASSWORD = "correct horse battery staple"
ADMIN_TOKEN = "portal-bench-operator-token"
COUNTRIES = [("FR", "fr", "fr"), ("DE", "de", "de"), ("BE", "be", "fr"), ("GB", "co.uk", "en"), ("US", "com", "en")]
COUNTRIES += [("IT", "it", "it"), ("ES", "es", "es"), ("CH", "ch", "fr"), ("NL", "nl", "nl"), ("CA", "ca", "en")]
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
CSS_URL = re.compile(r"""url\(["']?([^"')]+)""")
USER_IMAGES = (re.compile(r"^/photos/[^/]+/image/"), re.compile(r"^/cases/[^/]+/copy-image"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(), "load": os.getloadavg()}


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine since boot."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def calibration_ms() -> float:
    """A fixed pure-Python workload: this machine's speed drifts, and the pages' times drift with it."""
    started = time.perf_counter()
    sum(i * i for i in range(20_000))
    return (time.perf_counter() - started) * 1000


class Breakdown:
    """The portal's backend calls and template rendering timed inside the server (`--breakdown` only)."""

    def __init__(self) -> None:
        import pixhound_portal.pages as pages
        from pixhound_portal import backend, web

        self.calls: list[tuple[str, float, float]] = []
        self.render_ms = 0.0
        send, render = backend.Backend._send, web.render

        async def timed_send(backend_self, service, method, path, **kwargs):
            started = time.perf_counter()
            try:
                return await send(backend_self, service, method, path, **kwargs)
            finally:
                self.calls.append((f"{method} {service}{ID.sub('{id}', path)}", started, time.perf_counter()))

        def timed_render(*args, **kwargs):
            started = time.perf_counter()
            try:
                return render(*args, **kwargs)
            finally:
                self.render_ms += (time.perf_counter() - started) * 1000

        backend.Backend._send = timed_send
        for module in vars(pages).values():
            if getattr(module, "render", None) is render:
                module.render = timed_render

    def reset(self) -> None:
        self.calls, self.render_ms = [], 0.0

    def sample(self) -> dict:
        span = max(end for _, _, end in self.calls) - min(start for _, start, _ in self.calls) if self.calls else 0
        calls = {name: (end - start) * 1000 for name, start, end in self.calls}
        return {"render_ms": self.render_ms, "backend_span_ms": span * 1000, "calls": calls}


def photo_jpeg(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((160, 120), Image.BILINEAR)
    pixels = np.asarray(coarse, dtype=np.int16) + rng.integers(-12, 13, (120, 160, 3))
    buffer = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Server:
    """The embedded platform served by uvicorn on its own event loop in a background thread."""

    def __init__(self, data_dir: Path) -> None:
        self.app = build_embedded_app(data_dir, {"cases": {"admin_token": ADMIN_TOKEN}})
        logging.getLogger().setLevel(logging.WARNING)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="embedded", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self, timeout: float = 120) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the embedded platform did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)

    def call(self, coroutine) -> object:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def publish(self, messages: list) -> None:
        async def publish_all() -> None:
            for message in messages:
                envelope = envelope_for(message, producer="portal-bench")
                await self.app.state.bus.publish(topic_of(message), envelope.aggregate_id, envelope.SerializeToString())

        self.call(publish_all())


def hosts(count: int, rng: random.Random) -> list[crawl_pb2.SiteIdentified]:
    sites = []
    for n in range(count):
        country, tld, language = COUNTRIES[n % len(COUNTRIES)]
        host = f"{rng.choice(['atelier', 'boutique', 'voyages', 'maison', 'studio', 'news'])}-{n:02d}.{tld}"
        identified = crawl_pb2.SiteIdentified(
            host=host,
            name=f"{host.split('.')[0].replace('-', ' ').title()} SARL",
            legal_form="SARL",
            address=f"{n + 1} rue de la Paix, 75002 Paris",
            emails=[f"contact@{host}"],
            phones=["+33 1 23 45 67 89"],
            company_ids=[crawl_pb2.CompanyId(type="siren", value=f"{732829320 + n:09d}", valid=True)],
            country=country,
            language=language,
            commercial=n % 5 != 0,
            actionability=round(rng.uniform(0.15, 0.95), 2),
            reasons=["commercial site", "publisher identified from the legal notice"],
            evidence_pages=[f"https://{host}/mentions-legales"],
        )
        identified.identified_at.FromDatetime(datetime.now(UTC))
        sites.append(identified)
    return sites


def matches(owner: str, photo_ids: list[str], sites: list, count: int, rng: random.Random) -> list:
    found = []
    for n in range(count):
        site = sites[min(len(sites) - 1, int(len(sites) * rng.random() ** 2))]
        page = f"https://{site.host}/articles/{n:04d}-notre-selection"
        match = matches_pb2.MatchFound(
            match_id=str(uuid.uuid4()),
            photo_id=photo_ids[(n * 37) % min(len(photo_ids), max(1, count * 4 // 5))],
            owner_id=owner,
            discovery_id=str(uuid.uuid4()),
            page_url=page,
            image_url=f"https://{site.host}/media/{n:04d}.jpg",
            score=round(rng.uniform(0.82, 0.995), 3),
            site_host=site.host,
            image_sha256=f"{n:064x}",
            page_sha256=f"{n + count:064x}",
            inliers=rng.randint(14, 120),
            transforms=rng.choice([["reencode"], ["resize", "reencode"], ["crop"], ["screenshot"]]),
            region=matches_pb2.MatchRegion(x=0.0, y=0.0, width=1.0, height=1.0),
            copy_region=matches_pb2.MatchRegion(x=0.1, y=0.2, width=0.5, height=0.4),
        )
        match.fetched_at.FromDatetime(datetime.now(UTC))
        found.append(match)
    return found


async def expect(response: httpx.Response, *statuses: int) -> dict:
    if response.status_code not in statuses:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} answered {response.status_code}: {response.text[:300]}"
        )
    return response.json() if response.content else {}


async def upload_photos(client: httpx.AsyncClient, token: str, count: int, concurrency: int) -> list[str]:
    gate = asyncio.Semaphore(concurrency)
    auth = {"Authorization": f"Bearer {token}"}

    async def one(n: int) -> str:
        async with gate:
            response = await client.post(
                "/ingest/v1/photos",
                headers=auth,
                data={"title": f"Série {n // 50 + 1}, vue {n % 50 + 1}"},
                files={"file": (f"photo-{n:04d}.jpg", photo_jpeg(n), "image/jpeg")},
            )
            return (await expect(response, 201))["id"]

    started = time.monotonic()
    ids = await asyncio.gather(*(one(n) for n in range(count)))
    log.info("%d photos uploaded in %.0f s", count, time.monotonic() - started)
    return list(ids)


async def case_ids(client: httpx.AsyncClient, token: str) -> list[str]:
    found, cursor = [], None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await expect(
            await client.get("/cases/v1/cases", headers={"Authorization": f"Bearer {token}"}, params=params), 200
        )
        found += [item["id"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


async def review(client: httpx.AsyncClient, token: str, cases: list[str], rng: random.Random) -> None:
    """A photographer part-way through: 30 % confirmed (a third of them priced, so their page lists the
    recovery options of the partner agencies), 10 % dismissed, the rest still to review."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for name, percent in (("Cabinet Alpha", "35"), ("Recouvrement Beta", "30"), ("Gamma Rights", "40")):
        body = {"name": name, "contact_email": "ops@agency.example", "fee_percent": percent, "countries": ["FR"]}
        await expect(await client.post("/cases/admin/v1/agencies", headers=admin, json=body), 201)
    auth = {"Authorization": f"Bearer {token}"}
    chosen = rng.sample(cases, len(cases) * 2 // 5)
    confirmed, dismissed = chosen[: len(cases) * 3 // 10], chosen[len(cases) * 3 // 10 :]
    for action, ids in (("confirm", confirmed), ("dismiss", dismissed)):
        for case_id in ids:
            await expect(await busy_retried(client, "POST", f"/cases/v1/cases/{case_id}/{action}", auth, {}), 200)
    pricing = {"licence_price": 25_000, "surcharge_percent": "100", "floor_price": 15_000}
    for case_id in confirmed[: len(confirmed) // 3]:
        await expect(await busy_retried(client, "PUT", f"/cases/v1/cases/{case_id}/pricing", auth, pricing), 200)


async def busy_retried(client: httpx.AsyncClient, method: str, path: str, auth: dict, body: dict) -> httpx.Response:
    """The request again after a 500 or a 409 that says someone else changed the case meanwhile (a
    consumer of the matcher's or crawler's events); any other answer is returned as it is."""
    for attempt in range(5):
        response = await client.request(method, path, headers=auth, json=body)
        retry = response.status_code == 500 or (response.status_code == 409 and "concurrent-update" in response.text)
        if not retry:
            return response
        log.warning("%s %s answered %d (attempt %d), retrying", method, path, response.status_code, attempt + 1)
        await asyncio.sleep(0.5)
    return response


def wait_for_quiet(seconds: float = 2.0, busy: float = 0.1, timeout: float = 300) -> float:
    """Wait until this process used less than `busy` of a core over `seconds` (the consumers are done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = time.process_time()
        time.sleep(seconds)
        used = (time.process_time() - before) / seconds
        if used < busy:
            return used
    raise RuntimeError("the platform did not go quiet")


async def seed(server: Server, client: httpx.AsyncClient, args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "display_name": "Camille Bench", "password": PASSWORD, "locale": "fr"}
    account = await expect(await client.post("/ingest/v1/accounts", json=body), 201)
    photo_ids = await upload_photos(client, account["token"], args.photos, args.upload_concurrency)
    sites = hosts(args.hosts, rng)
    server.publish(sites)
    server.publish(matches(account["account_id"], photo_ids, sites, args.matches, rng))
    started = time.monotonic()
    while len(cases := await case_ids(client, account["token"])) < args.matches:
        if time.monotonic() - started > 300:
            raise RuntimeError(f"only {len(cases)} of {args.matches} cases opened")
        await asyncio.sleep(1)
    log.info("%d cases open after %.0f s", len(cases), time.monotonic() - started)
    await asyncio.to_thread(wait_for_quiet)
    await review(client, account["token"], cases, rng)
    await asyncio.to_thread(wait_for_quiet)
    return {"email": email, "photos": photo_ids, "cases": cases}


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        wanted = {"link": "href", "script": "src", "img": "src", "use": "href"}.get(tag)
        if wanted and values.get(wanted) and (tag != "link" or values.get("rel") in {"stylesheet", "icon"}):
            self.urls.add(values[wanted].split("#", 1)[0])


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    form = (await client.get("/signin")).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = await client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "next": "/matches", "csrf_token": csrf},
        headers={"Origin": str(client.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"},
    )
    if response.status_code != 303 or "pxh_session" not in client.cookies:
        raise RuntimeError(f"sign-in answered {response.status_code}")


async def page_weight(client: httpx.AsyncClient, path: str) -> dict:
    """The page's HTML and every same-site file it loads (CSS `url()`s too), less the photographer's images."""
    contents = {path: (await client.get(path)).content}
    parser = Assets()
    parser.feed(contents[path].decode())
    pending, left_out = sorted(parser.urls), set()
    while pending:
        url = urljoin(path, pending.pop())
        if urlsplit(url).scheme or urlsplit(url).netloc or url in contents:
            continue
        if any(pattern.match(url) for pattern in USER_IMAGES):
            left_out.add(url)
            continue
        response = await client.get(url)
        contents[url] = response.content if response.status_code == 200 else b""
        if url.endswith(".css"):
            pending += [urljoin(url, ref) for ref in CSS_URL.findall(response.text)]
    return {
        "path": path,
        "bytes": sum(len(content) for content in contents.values()),
        "gzip_bytes": sum(len(gzip.compress(content)) for content in contents.values()),
        "files": {url: len(content) for url, content in contents.items()},
        "user_images_left_out": len(left_out),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summary(samples: list[float]) -> dict:
    return {
        "p50": round(percentile(samples, 50), 1),
        "p95": round(percentile(samples, 95), 1),
        "max": round(max(samples), 1),
        "mean": round(sum(samples) / len(samples), 1),
    }


async def measure(
    server: Server, client: httpx.AsyncClient, seeded: dict, args: argparse.Namespace
) -> tuple[dict, dict]:
    cases = seeded["cases"]
    pages = {"/matches": lambda _n: "/matches", "/matches?view=all": lambda _n: "/matches?view=all"}
    pages |= {"/photos": lambda _n: "/photos", "/cases/<id>": lambda n: f"/cases/{cases[n * 7 % len(cases)]}"}
    server_ms: dict[str, list[float]] = {name: [] for name in pages}
    client_ms: dict[str, list[float]] = {name: [] for name in pages}
    html_bytes: dict[str, int] = {}
    calibration: list[float] = []
    profiler = cProfile.Profile() if args.profile else None
    breakdown = Breakdown() if args.breakdown else None
    parts: dict[str, list[dict]] = {name: [] for name in pages}
    for n in range(args.warmup + args.requests):
        calibration.append(calibration_ms())
        if n == args.warmup:
            machine_before, own_before, wall_before = cpu_ticks(), time.process_time(), time.monotonic()
            if profiler:
                server.loop.call_soon_threadsafe(profiler.enable)
        for name, path_of in pages.items():
            if breakdown:
                breakdown.reset()
            started = time.perf_counter()
            response = await client.get(path_of(n))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {path_of(n)} answered {response.status_code}")
            if n < args.warmup:
                continue
            timing = SERVER_TIMING.search(response.headers.get("server-timing", ""))
            if timing:
                server_ms[name].append(float(timing.group(1)))
            client_ms[name].append(elapsed)
            if breakdown:
                parts[name].append(breakdown.sample())
            html_bytes[name] = max(html_bytes.get(name, 0), len(response.content))
    busy, total = (after - before for after, before in zip(cpu_ticks(), machine_before, strict=True))
    own = (time.process_time() - own_before) / (time.monotonic() - wall_before)
    cores = {
        "machine_busy_cores": round(busy / total * (os.cpu_count() or 1), 2),
        "own_cores": round(own, 2),
        "calibration_ms": round(percentile(calibration[args.warmup :], 50), 2),
    }
    if profiler:
        server.call(asyncio.sleep(0))
        server.loop.call_soon_threadsafe(profiler.disable)
        server.call(asyncio.sleep(0))
        profiler.dump_stats(args.profile)
    return cores, {
        name: {
            "server_ms": summary(server_ms[name]) if server_ms[name] else None,
            "client_ms": summary(client_ms[name]),
            "html_bytes": html_bytes[name],
            "requests": len(client_ms[name]),
            **({"breakdown": median_parts(parts[name])} if breakdown else {}),
        }
        for name in pages
    }


def median_parts(samples: list[dict]) -> dict:
    calls: dict[str, list[float]] = {}
    for sample in samples:
        for call, ms in sample["calls"].items():
            calls.setdefault(call, []).append(ms)
    return {
        "render_ms": round(percentile([sample["render_ms"] for sample in samples], 50), 1),
        "backend_span_ms": round(percentile([sample["backend_span_ms"] for sample in samples], 50), 1),
        "calls_ms": {call: round(percentile(values, 50), 1) for call, values in calls.items()},
        "calls_seen_in": {call: len(values) for call, values in calls.items()},
    }


async def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="pixhound-portal-bench-") as scratch:
        server = Server(Path(scratch))
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.base, timeout=120) as api:
                started = time.monotonic()
                seeded = await seed(server, api, args)
                seeding_s = time.monotonic() - started
            async with httpx.AsyncClient(base_url=server.base, timeout=60) as browser:
                await sign_in(browser, seeded["email"])
                weight = await page_weight(browser, "/matches")
                load_before = os.getloadavg()
                cores, pages = await measure(server, browser, seeded, args)
        finally:
            server.stop()
    return {
        "machine": {**machine(), "load_before_timing": load_before, "while_timing": cores},
        "photos": args.photos,
        "matches": args.matches,
        "hosts": args.hosts,
        "seeding_s": round(seeding_s, 1),
        "warmup_rounds": args.warmup,
        "pages": pages,
        "inbox_weight": weight,
        "targets": {"p95_ms": args.target_p95_ms, "inbox_bytes": args.target_bytes},
    }


def table(result: dict) -> str:
    target = result["targets"]["p95_ms"]
    lines = [
        f"{result['machine']['nproc']} cores, {result['machine']['cpu']}; {result['photos']} photos, "
        f"{result['matches']} matches on {result['hosts']} sites; {result['pages']['/photos']['requests']} "
        f"requests per page after {result['warmup_rounds']} warm-up rounds; while timing, the machine's "
        f"busy cores {result['machine']['while_timing']['machine_busy_cores']}, this process's "
        f"{result['machine']['while_timing']['own_cores']}; calibration "
        f"{result['machine']['while_timing']['calibration_ms']} ms",
        "",
        "| page | server p50 | server p95 | server max | client p50 | client p95 | HTML | p95 target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, page in result["pages"].items():
        server, client = page["server_ms"] or {"p50": "", "p95": "", "max": ""}, page["client_ms"]
        met = "" if page["server_ms"] is None else ("met" if server["p95"] <= target else "missed")
        lines.append(
            f"| `{name}` | {server['p50']} ms | {server['p95']} ms | {server['max']} ms | {client['p50']} ms "
            f"| {client['p95']} ms | {page['html_bytes'] / 1024:.1f} KB | ≤ {target} ms: {met} |"
        )
    weight = result["inbox_weight"]
    budget = result["targets"]["inbox_bytes"]
    lines += [
        "",
        f"Inbox page weight without thumbnails: {weight['bytes'] / 1024:.1f} KB "
        f"({weight['gzip_bytes'] / 1024:.1f} KB gzipped) in {len(weight['files'])} files, "
        f"target ≤ {budget / 1024:.0f} KB: {'met' if weight['bytes'] <= budget else 'missed'}",
    ]
    lines += [f"- `{url}`: {size / 1024:.1f} KB" for url, size in weight["files"].items()]
    for name, page in result["pages"].items():
        if "breakdown" in page:
            parts = page["breakdown"]
            lines += [
                "",
                f"`{name}` (medians): backend calls {parts['backend_span_ms']} ms from the first call to the "
                f"last answer, rendering {parts['render_ms']} ms",
            ]
            lines += [f"- `{call}`: {ms} ms" for call, ms in parts["calls_ms"].items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--matches", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=60)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds over every page first")
    parser.add_argument("--upload-concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--target-p95-ms", type=float, default=150)
    parser.add_argument("--target-bytes", type=int, default=300 * 1024)
    parser.add_argument("--profile", default="", help="write a cProfile of the server thread while timing")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the portal's backend calls and rendering (adds overhead)"
    )
    parser.add_argument("--out", default=".local/portal-bench.json")
    args = parser.parse_args()
    log.setLevel(logging.INFO)
    result = asyncio.run(run(args))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.write(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
