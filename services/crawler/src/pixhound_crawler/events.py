"""Mapping from the crawler's records to the events it publishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pixhound_events.v1 import crawl_pb2

PUBLISHES = ["pixhound.discoveries.v1", "pixhound.crawls.v1", "pixhound.sites.v1", "pixhound.rechecks.v1"]


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


def site_identified(*, host: str, details: dict[str, Any], pages: list[str]) -> crawl_pb2.SiteIdentified:
    event = crawl_pb2.SiteIdentified(
        host=host,
        name=details.get("name") or "",
        legal_form=details.get("legal_form") or "",
        address=_address_text(details.get("address")),
        emails=list(details.get("emails") or []),
        phones=list(details.get("phones") or []),
        company_ids=[
            crawl_pb2.CompanyId(type=item.get("type", ""), value=item.get("value", ""), valid=bool(item.get("valid")))
            for item in details.get("company_ids") or []
        ],
        country=details.get("country") or "",
        language=details.get("language") or "",
        commercial=bool(details.get("commercial")),
        actionability=float(details.get("actionability") or 0.0),
        reasons=list(details.get("reasons") or []),
        evidence_pages=pages,
    )
    event.identified_at.GetCurrentTime()
    return event


def copy_checked(*, page_url: str, image_url: str, status: str, checked_at: datetime, removed_at: datetime | None):
    event = crawl_pb2.CopyChecked(page_url=page_url, image_url=image_url, status=status)
    event.checked_at.FromDatetime(checked_at)
    if removed_at is not None:
        event.removed_at.FromDatetime(removed_at)
    return event


def _address_text(address: Any) -> str:
    if isinstance(address, dict):
        return str(address.get("text") or "")
    return str(address or "")
