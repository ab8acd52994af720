"""A one-off crawl on embedded defaults, written as JSON lines: `make crawl SEEDS=… [ALLOW=…] OUT=…`.

It runs the crawler service itself (SQLite, a local object folder, the in-process bus)
through its own API, waits for the crawl to finish, and writes one JSON object per image
occurrence with its evidence and the identity of the site that shows it. Without an
allow-list, loopback and private addresses are refused, exactly as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import sys
import tempfile
from pathlib import Path

import httpx
from sqlalchemy import select

from pixhound_crawler import store
from pixhound_crawler.app import create_app
from pixhound_crawler.settings import CrawlerSettings
from pixhound_platform.auth import issue_token
from pixhound_platform.migrations import upgrade_async

SCAN_LANES = 8
SITE_FIELDS = (
    "name",
    "emails",
    "phones",
    "company_ids",
    "address",
    "country",
    "language",
    "commercial",
    "actionability",
)


async def run_scan(
    seeds: list[str], *, allow: str, out: Path, data_dir: Path, max_pages: int, max_depth: int, timeout: float
) -> int:
    settings = CrawlerSettings(
        data_dir=data_dir,
        database_url="",
        bus="memory",
        object_store="local",
        allowed_networks=allow,
        concurrency=SCAN_LANES,
        log_json=False,
        log_level="WARNING",
    )
    await upgrade_async("pixhound_crawler", settings.effective_database_url)
    app = create_app(settings, configure_logs=False)
    token = issue_token("scan", settings.auth_secret.get_secret_value(), 3600)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://crawler", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            submitted = await client.post(
                "/v1/crawls", json={"seeds": seeds, "max_pages": max_pages, "max_depth": max_depth}
            )
            if submitted.status_code != 202:
                sys.stderr.write(f"crawl refused: {submitted.text}\n")
                return 2
            crawl_id = submitted.json()["id"]
            deadline = asyncio.get_running_loop().time() + timeout
            while await _status(client, crawl_id) != "completed":
                if asyncio.get_running_loop().time() > deadline:
                    sys.stderr.write("crawl did not finish in time\n")
                    return 3
                await asyncio.sleep(0.2)
        written = await export(app.state.runtime, crawl_id, out)
    sys.stderr.write(f"{written} image occurrences written to {out}\n")
    return 0


async def _status(client: httpx.AsyncClient, crawl_id: str) -> str:
    """The crawl's status; a failed poll (SQLite busy under load, say) is reported and polled again."""
    response = await client.get(f"/v1/crawls/{crawl_id}")
    if response.status_code != 200:
        sys.stderr.write(f"crawl status unavailable ({response.status_code}); retrying\n")
        return "unknown"
    return response.json()["status"]


async def export(runtime, crawl_id: str, out: Path) -> int:
    o, p, i, s = store.occurrences, store.pages, store.images, store.sites
    query = (
        select(
            p.c.final_url,
            o.c.image_url,
            i.c.sha256,
            i.c.width,
            i.c.height,
            p.c.archive_key,
            p.c.sha256.label("page_sha256"),
            p.c.fetched_at,
            s.c.identity,
        )
        .join(p, p.c.id == o.c.page_id)
        .join(i, i.c.sha256 == o.c.image_sha256)
        .outerjoin(s, s.c.host == p.c.site_host)
        .where(o.c.crawl_id == crawl_id)
        .order_by(p.c.fetched_at, o.c.created_at)
    )
    async with runtime.database.sessions() as session:
        rows = (await session.execute(query)).all()
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            identity = row.identity or {}
            handle.write(
                json.dumps(
                    {
                        "page_url": row.final_url,
                        "image_url": row.image_url,
                        "sha256": row.sha256,
                        "width": row.width,
                        "height": row.height,
                        "evidence": {
                            "warc_key": row.archive_key,
                            "page_sha256": row.page_sha256,
                            "fetched_at": row.fetched_at.isoformat(),
                        },
                        "site": {field: identity.get(field) for field in SITE_FIELDS},
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return len(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pixhound_crawler scan", description=__doc__)
    parser.add_argument("--seeds", required=True, help="comma-separated start URLs")
    parser.add_argument("--allow", default="", help="comma-separated CIDRs the crawl may reach although not public")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--max-pages", type=int, default=200)
    parser.add_argument("--max-depth", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the crawl's database and objects here")
    args = parser.parse_args(argv)
    seeds = [seed.strip() for seed in args.seeds.split(",") if seed.strip()]
    faulthandler.dump_traceback_later(args.timeout + 30, exit=True)
    if args.data_dir is not None:
        return asyncio.run(
            run_scan(
                seeds,
                allow=args.allow,
                out=args.out,
                data_dir=args.data_dir,
                max_pages=args.max_pages,
                max_depth=args.max_depth,
                timeout=args.timeout,
            )
        )
    with tempfile.TemporaryDirectory(prefix="pixhound-scan-") as scratch:
        return asyncio.run(
            run_scan(
                seeds,
                allow=args.allow,
                out=args.out,
                data_dir=Path(scratch),
                max_pages=args.max_pages,
                max_depth=args.max_depth,
                timeout=args.timeout,
            )
        )
