"""Crawler throughput and memory over a synthetic web of many hosts, with politeness on.

Runs the crawler service in this process against the real PostgreSQL, Kafka and S3 of
`make up` / `make test` (their endpoints come from `infra/env.sh`), crawling
`h<N>.bench.test` hosts that a synthetic web server answers on loopback (the crawler's
`resolve_overrides` maps the names to 127.0.0.1). Politeness stays on: robots.txt is read
and each host gets at most one request per `--delay` seconds.

Prints one JSON object per host count: pages/s over the measured window and the
resident memory at each sample, so a flat memory curve is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from pixhound_crawler.app import create_app
from pixhound_crawler.settings import CrawlerSettings
from pixhound_platform.auth import issue_token
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import create_database, drop_database

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run_once(
    hosts: int, pages: int, seconds: float, delay: float, concurrency: int, warmup: float, identity_pages: int
) -> dict:
    port = free_port()
    web = subprocess.Popen([sys.executable, str(HERE / "synthetic_web.py"), "--port", str(port), "--pages", str(pages)])
    base = os.environ["PIXHOUND_PG_DSN_BASE"]
    name = f"bench_crawl_{uuid.uuid4().hex[:8]}"
    url = await create_database(base, name)
    try:
        await upgrade_async("pixhound_crawler", url)
        settings = CrawlerSettings(
            database_url=url,
            bus="kafka",
            kafka_bootstrap=os.environ["PIXHOUND_KAFKA_BOOTSTRAP"],
            topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
            object_store="s3",
            s3_endpoint=os.environ["PIXHOUND_S3_ENDPOINT"],
            s3_bucket=f"bench-{uuid.uuid4().hex[:8]}",
            allowed_networks="127.0.0.0/8",
            resolve_overrides="bench.test=127.0.0.1",
            host_delay_seconds=delay,
            concurrency=concurrency,
            poll_seconds=0.2,
            log_json=False,
            log_level="WARNING",
            identity_pages=identity_pages,
        )
        app = create_app(settings, configure_logs=False)
        token = issue_token("bench", settings.auth_secret.get_secret_value(), 7200)
        samples = []
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://crawler",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as client:
                seeds = [f"http://h{n}.bench.test:{port}/" for n in range(hosts)]
                crawl_id = None
                for start in range(0, len(seeds), 100):
                    body = {"seeds": seeds[start : start + 100], "max_pages": 100_000, "max_depth": 20}
                    response = await client.post("/v1/crawls", json=body)
                    assert response.status_code == 202, response.text
                    crawl_id = crawl_id or response.json()["id"]
                started = time.monotonic()
                while time.monotonic() - started < seconds:
                    await asyncio.sleep(2)
                    fetched = await _fetched(app)
                    samples.append(
                        {"t": round(time.monotonic() - started, 1), "pages": fetched, "rss_mib": round(rss_mib(), 1)}
                    )
        window = [s for s in samples if s["t"] >= warmup]
        rate = (
            (window[-1]["pages"] - window[0]["pages"]) / (window[-1]["t"] - window[0]["t"]) if len(window) > 1 else 0.0
        )
        return {
            "hosts": hosts,
            "identity_pages": identity_pages,
            "pages_per_host": pages,
            "delay_s": delay,
            "concurrency": concurrency,
            "pages_per_s": round(rate, 1),
            "pages_total": samples[-1]["pages"] if samples else 0,
            "rss_first_mib": window[0]["rss_mib"] if window else None,
            "rss_last_mib": window[-1]["rss_mib"] if window else None,
            "samples": samples,
        }
    finally:
        web.terminate()
        web.wait(timeout=10)
        await drop_database(base, name)


async def _fetched(app) -> int:
    from sqlalchemy import func, select

    from pixhound_crawler import store

    async with app.state.runtime.database.sessions() as session:
        return (await session.execute(select(func.count()).select_from(store.pages))).scalar_one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", default="10,100,1000", help="comma-separated host counts")
    parser.add_argument("--pages", type=int, default=100, help="pages per host")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds between two requests to one host")
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--identity-pages", type=int, default=3, help="legal/contact pages read per site")
    args = parser.parse_args()
    for hosts in [int(h) for h in args.hosts.split(",")]:
        result = asyncio.run(
            run_once(hosts, args.pages, args.seconds, args.delay, args.concurrency, args.warmup, args.identity_pages)
        )
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
