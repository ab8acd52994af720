"""The distributed platform end to end: five service processes on real Kafka, PostgreSQL, S3 and SMTP.

A photographer uploads a photo, a website on loopback shows a resized, re-encoded copy,
the crawler finds it, the matcher recognises it, cases opens a case and the notifier
emails the photographer. The restart test kills the matcher mid-stream and checks that
every photo still ends in exactly one case.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from pixhound_embedded.demo import run_scenario
from pixhound_embedded.sample import serve_website, stolen_copy, synthetic_photo
from pixhound_platform.testing import wait_until

pytestmark = [pytest.mark.infra, pytest.mark.e2e]
SERVICES = ["ingest", "crawler", "matcher", "cases", "notifier"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


class Stack:
    """Runs each service as its own `python -m pixhound_<service> serve` process."""

    def __init__(self, base_env: dict[str, str], logs: Path) -> None:
        self.base_env = base_env
        self.logs = logs
        self.ports = {name: free_port() for name in SERVICES}
        self.processes: dict[str, subprocess.Popen] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        env = {
            **os.environ,
            **self.base_env,
            "PIXHOUND_DATABASE_URL": self.base_env[f"DB_{name}"],
            "PIXHOUND_SERVICE_NAME": name,
        }
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                f"pixhound_{name}",
                "serve",
                "--migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.ports[name]),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    async def wait_ready(self, name: str, timeout: float = 90) -> None:
        async def ready():
            if self.processes[name].poll() is not None:
                raise AssertionError(f"{name} exited:\n{(self.logs / f'{name}.log').read_text()[-3000:]}")
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(f"{self.url(name)}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_until(ready, timeout=timeout, interval=0.3, description=f"{name} readiness")

    def log_text(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
async def stack(pg_database_factory, kafka_bootstrap, s3_endpoint, topic_prefix, tmp_path):
    sink = MailSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    databases = {f"DB_{name}": await pg_database_factory(name) for name in SERVICES}
    env = {
        **databases,
        "PIXHOUND_ENVIRONMENT": "test",
        "PIXHOUND_BUS": "kafka",
        "PIXHOUND_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PIXHOUND_TOPIC_PREFIX": topic_prefix,
        "PIXHOUND_OBJECT_STORE": "s3",
        "PIXHOUND_S3_ENDPOINT": s3_endpoint,
        "PIXHOUND_S3_BUCKET": f"e2e-{uuid.uuid4().hex[:12]}",
        "PIXHOUND_DATA_DIR": str(tmp_path / "data"),
        "PIXHOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
        "PIXHOUND_HOST_DELAY_SECONDS": "0",
        "PIXHOUND_POLL_SECONDS": "0.2",
        "PIXHOUND_MAIL_TRANSPORT": "smtp",
        "PIXHOUND_SMTP_HOST": "127.0.0.1",
        "PIXHOUND_SMTP_PORT": str(smtp_port),
        "PIXHOUND_RETRY_BACKOFF_SECONDS": "0.05",
    }
    running = Stack(env, tmp_path)
    try:
        for name in SERVICES:
            running.start(name)
        for name in SERVICES:
            await running.wait_ready(name)
        running.sink = sink
        yield running
    finally:
        running.stop_all()
        controller.stop()


async def test_a_stolen_photo_is_found_end_to_end(stack):
    result = await run_scenario({name: stack.url(name) for name in SERVICES}, timeout=60)
    assert result["state"] == "detected" and result["score"] >= 0.5
    assert result["page_url"].startswith("http://127.0.0.1:")
    await wait_until(lambda: stack.sink.messages, timeout=30, description="the email")
    assert stack.sink.messages[0]["Subject"].startswith("Nous avons trouvé votre photo")
    trace = result["trace_id"]
    assert trace, "the upload response names its trace id"
    for name in ("ingest", "matcher", "cases", "notifier"):
        assert f'"trace_id": "{trace}"' in stack.log_text(name), f"the photo's trace id is in {name}'s JSON logs"


async def test_matcher_killed_mid_stream_still_yields_exactly_one_case_per_photo(stack):
    photos = {seed: synthetic_photo(seed) for seed in range(100, 112)}
    files = {"/": ("text/html", "".join(f'<a href="/p{seed}">{seed}</a>' for seed in photos).encode())}
    for seed, original in photos.items():
        files[f"/p{seed}"] = ("text/html", f'<html><body><img src="/img/{seed}.jpg"></body></html>'.encode())
        files[f"/img/{seed}.jpg"] = ("image/jpeg", stolen_copy(original))
    site = serve_website(files)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            account = (
                await client.post(
                    f"{stack.url('ingest')}/v1/accounts",
                    json={
                        "email": "restart@example.org",
                        "display_name": "R",
                        "password": "a long password",
                        "locale": "en",
                    },
                )
            ).json()
            auth = {"Authorization": f"Bearer {account['token']}"}
            photo_ids = []
            for seed, original in photos.items():
                response = await client.post(
                    f"{stack.url('ingest')}/v1/photos",
                    headers=auth,
                    files={"file": (f"{seed}.jpg", original, "image/jpeg")},
                )
                assert response.status_code == 201, response.text
                photo_ids.append(response.json()["id"])
            crawl = await client.post(
                f"{stack.url('crawler')}/v1/crawls",
                headers=auth,
                json={"seeds": [site.url], "max_pages": 50, "max_depth": 1},
            )
            assert crawl.status_code == 202

            async def cases():
                return (await client.get(f"{stack.url('cases')}/v1/cases", headers=auth, params={"limit": 200})).json()[
                    "items"
                ]

            await wait_until(cases, timeout=60, interval=0.05, description="the first case")
            stack.kill("matcher")
            opened_while_down = len(await cases())
            await asyncio.sleep(1)
            stack.start("matcher")
            await stack.wait_ready("matcher")
            await wait_until(lambda: _count_is(cases, len(photos)), timeout=90, description="a case for every photo")
            await asyncio.sleep(3)
            final = await cases()
    finally:
        site.close()
    assert opened_while_down < len(photos), "the matcher was killed while work was still flowing"
    assert sorted(case["photo_id"] for case in final) == sorted(photo_ids), "exactly one case per photo"


async def _count_is(cases, expected: int) -> bool:
    return len(await cases()) == expected
