"""Mapping from the crawler's records to the events it publishes."""

from __future__ import annotations

from datetime import datetime

from pixhound_events.v1 import crawl_pb2

PUBLISHES = ["pixhound.discoveries.v1", "pixhound.crawls.v1"]


def image_discovered(
    *,
    discovery_id: str,
    crawl_id: str,
    page_url: str,
    image_url: str,
    object_key: str,
    sha256: str,
    width: int,
    height: int,
    archive_key: str,
    page_sha256: str,
    fetched_at: datetime,
    final_url: str,
    server_ip: str,
    http_status: int,
    site_host: str,
) -> crawl_pb2.ImageDiscovered:
    event = crawl_pb2.ImageDiscovered(
        discovery_id=discovery_id,
        crawl_id=crawl_id,
        page_url=page_url,
        image_url=image_url,
        object_key=object_key,
        image_sha256=sha256,
        width=width,
        height=height,
        site_id=site_host,
        site_host=site_host,
        evidence=crawl_pb2.PageEvidence(
            archive_key=archive_key,
            page_sha256=page_sha256,
            final_url=final_url,
            server_ip=server_ip,
            http_status=http_status,
        ),
    )
    event.evidence.fetched_at.FromDatetime(fetched_at)
    return event


def crawl_completed(
    *, crawl_id: str, pages: int, images: int, errors: int, finished_at: datetime
) -> crawl_pb2.CrawlCompleted:
    event = crawl_pb2.CrawlCompleted(crawl_id=crawl_id, pages_fetched=pages, images_found=images, errors=errors)
    event.finished_at.FromDatetime(finished_at)
    return event
