"""Fixtures for the portal's browser tests: the embedded platform as a real process, Debian's
Chromium driven by Playwright, partner agencies registered through the operators' API, and a
website on loopback that shows stolen copies.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageOps

from pixhound_embedded.sample import Website, serve_website, stolen_copy, synthetic_photo

ADMIN_TOKEN = "portal-tests-admin-token"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("PIXHOUND_SCREENSHOTS", ".local/screenshots"))


def chromium_executable() -> str:
    path = os.environ.get("PIXHOUND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package (scripts/chromium.sh)")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Platform:
    base: str
    process: subprocess.Popen
    log: Path

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)


@pytest.fixture(scope="session")
def platform(tmp_path_factory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("portal-platform")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PIXHOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
        "PIXHOUND_ADMIN_TOKEN": ADMIN_TOKEN,
        "PIXHOUND_PORTAL_URL": base,
        "PIXHOUND_LOG_JSON": "false",
        "PIXHOUND_LOG_LEVEL": "WARNING",
    }
    log = folder / "platform.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "pixhound_embedded", "run", "--port", str(port), "--data-dir", str(folder / "data")],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    platform = Platform(base, process, log)
    deadline = time.monotonic() + 120
    with platform.api() as client:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the platform exited: {log.read_text()[-3000:]}")
            try:
                ready = [client.get(f"/{name}/readyz").status_code for name in ("ingest", "cases", "matcher")]
                if ready == [200, 200, 200]:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the platform did not become ready: {log.read_text()[-3000:]}")
            time.sleep(0.5)
    yield platform
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Agency:
    id: str
    name: str
    token: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers


@pytest.fixture(scope="session")
def agencies(platform) -> list[Agency]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    created = []
    contracts = [
        ("Cabinet Durand Avocats", {"fee_percent": "35", "countries": ["FR", "BE"], "payout_days": 14}),
        ("Recouvrement Express", {"fee_percent": "50", "fixed_fee": 2000, "countries": ["FR"], "payout_days": 30}),
    ]
    with platform.api() as client:
        for name, contract in contracts:
            body = {"name": name, "contact_email": f"{uuid.uuid4().hex[:6]}@agency.example", **contract}
            response = client.post("/cases/admin/v1/agencies", headers=admin, json=body)
            assert response.status_code == 201, response.text
            agency_id = response.json()["id"]
            key = client.post(f"/cases/admin/v1/agencies/{agency_id}/keys", headers=admin, json={"label": "tests"})
            assert key.status_code == 201, key.text
            created.append(Agency(agency_id, name, key.json()["token"]))
    return created


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open,
    which asyncio tests of later modules could not share."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def photo_with_authorship(seed: int, creator: str) -> bytes:
    """A synthetic photo whose EXIF names its author, copyright and capture date."""
    image = Image.open(io.BytesIO(synthetic_photo(seed)))
    exif = Image.Exif()
    exif[315] = creator
    exif[33432] = f"Copyright 2026 {creator}"
    exif.get_ifd(0x8769)[36867] = "2026:06:14 18:32:05"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def page_capture(photo: bytes, offset: tuple[int, int] = (180, 220)) -> bytes:
    """A screenshot of a web page with the photo shown inside it, as thieves' pages are captured."""
    canvas = Image.new("RGB", (1200, 900), (250, 250, 248))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 1200, 80), fill=(32, 48, 96))
    for row in range(6):
        draw.rectangle((720, 240 + row * 40, 1120, 256 + row * 40), fill=(90, 90, 90))
    with Image.open(io.BytesIO(photo)) as original:
        shown = original.convert("RGB").resize((480, 320))
    canvas.paste(shown, offset)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()


def mirrored_copy(original: bytes) -> bytes:
    with Image.open(io.BytesIO(original)) as image:
        flipped = ImageOps.mirror(image.convert("RGB")).resize((640, 427))
    buffer = io.BytesIO()
    flipped.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def website_with_copies(resized_original: bytes, captured_original: bytes, mirrored_original: bytes) -> Website:
    page = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Agence du Port</title></head>
<body><h1>Agence Immobilière du Port</h1><p>Appartement T3 avec vue — 320 000 €. Achetez maintenant.</p>
<img src="/images/vue-mer.jpg" alt="Vue"><img src="/images/capture.png" alt="Capture">
<img src="/images/terrasse.jpg" alt="Terrasse">
<a href="/mentions-legales">Mentions légales</a></body></html>"""
    legal = """<html><body><h1>Mentions légales</h1><p>Agence Immobilière du Port SARL, 1 quai du Port,
13002 Marseille. SIREN 732 829 320. Contact : contact@agence-du-port.fr</p></body></html>"""
    return serve_website(
        {
            "/": ("text/html; charset=utf-8", page.encode()),
            "/mentions-legales": ("text/html; charset=utf-8", legal.encode()),
            "/images/vue-mer.jpg": ("image/jpeg", stolen_copy(resized_original)),
            "/images/capture.png": ("image/png", page_capture(captured_original)),
            "/images/terrasse.jpg": ("image/jpeg", mirrored_copy(mirrored_original)),
        }
    )


@pytest.fixture(scope="session")
def samples():
    """The sample builders, for tests (conftest modules are not importable under importlib mode)."""

    class Samples:
        photo = staticmethod(photo_with_authorship)
        capture = staticmethod(page_capture)
        website = staticmethod(website_with_copies)
        screenshots = SCREENSHOTS

    return Samples
