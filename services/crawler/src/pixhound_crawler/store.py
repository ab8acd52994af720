"""The crawler's own tables: crawls, the frontier, fetched pages, stored images and occurrences."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    true,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.db import BigIntId, UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

crawls = Table(
    "crawls",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("seeds", JSON, nullable=False),
    Column("hosts", JSON, nullable=False),
    Column("max_pages", Integer, nullable=False),
    Column("max_depth", Integer, nullable=False),
    Column("use_sitemaps", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False, default="running"),
    Column("pages_queued", Integer, nullable=False, default=0, server_default="0"),
    Column("pages_fetched", Integer, nullable=False, default=0),
    Column("images_found", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("trace_id", String(64), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("finished_at", UtcDateTime, nullable=True),
)

hosts = Table(
    "hosts",
    metadata,
    Column("host", String(300), primary_key=True),
    Column("robots_status", Integer, nullable=True),
    Column("robots_txt", Text, nullable=True),
    Column("robots_fetched_at", UtcDateTime, nullable=True),
    Column("crawl_delay", Float, nullable=True),
    Column("next_fetch_at", UtcDateTime, nullable=False, default=utcnow),
    Column("consecutive_errors", Integer, nullable=False, default=0),
    Column("has_work", Boolean, nullable=False, default=True, server_default=true()),
)

frontier = Table(
    "frontier",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("crawl_id", String(36), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("host", String(300), nullable=False, default="", index=True),
    Column("depth", Integer, nullable=False),
    Column("status", String(20), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UtcDateTime, nullable=True),
    Column("leased_until", UtcDateTime, nullable=True),
    Column("error", Text, nullable=False, default=""),
    UniqueConstraint("crawl_id", "url", name="uq_frontier_crawl_url"),
)

OPEN_STATUSES = ("pending", "leased")
_open = frontier.c.status.in_(OPEN_STATUSES)
Index("ix_frontier_host_open", frontier.c.host, frontier.c.id, postgresql_where=_open, sqlite_where=_open)
Index("ix_frontier_crawl_open", frontier.c.crawl_id, postgresql_where=_open, sqlite_where=_open)
_has_work = hosts.c.has_work == true()
Index("ix_hosts_due", hosts.c.next_fetch_at, postgresql_where=_has_work, sqlite_where=_has_work)

pages = Table(
    "pages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("crawl_id", String(36), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("final_url", Text, nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("server_ip", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("archive_key", String(400), nullable=False),
    Column("archive_sha256", String(64), nullable=False, default=""),
    Column("site_host", String(300), nullable=False, default="", index=True),
    Column("etag", String(300), nullable=False, default=""),
    Column("last_modified", String(100), nullable=False, default=""),
    Column("fetched_at", UtcDateTime, nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("host", String(300), primary_key=True),
    Column("identity", JSON, nullable=False, default=dict),
    Column("name", String(300), nullable=False, default=""),
    Column("country", String(2), nullable=False, default=""),
    Column("commercial", Boolean, nullable=True),
    Column("actionability", Float, nullable=True),
    Column("computed_at", UtcDateTime, nullable=False, default=utcnow),
)

watched_pages = Table(
    "watched_pages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("image_sha256", String(64), nullable=False, default=""),
    Column("status", String(20), nullable=False, default="up"),
    Column("first_matched_at", UtcDateTime, nullable=False, default=utcnow),
    Column("last_checked_at", UtcDateTime, nullable=True),
    Column("next_check_at", UtcDateTime, nullable=False, default=utcnow),
    Column("removed_at", UtcDateTime, nullable=True),
    Column("etag", String(300), nullable=False, default=""),
    Column("last_modified", String(100), nullable=False, default=""),
    UniqueConstraint("page_url", "image_url", name="uq_watched_pages_page_image"),
)

images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("object_key", String(400), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("byte_size", BigInteger, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("first_url", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

occurrences = Table(
    "image_occurrences",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("crawl_id", String(36), nullable=False, index=True),
    Column("page_id", String(36), nullable=False, index=True),
    Column("image_url", Text, nullable=False),
    Column("image_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)
Index("ix_image_occurrences_image_url", occurrences.c.image_url, postgresql_using="hash")


NOT_FETCHED = (frontier.c.status.in_(("failed", "blocked"))) | (
    (frontier.c.status == "done") & (frontier.c.error != "")
)


async def urls_not_fetched(session: AsyncSession, crawl_id: str, *, limit: int, offset: int) -> Sequence[Row]:
    """The crawl's URLs that gave no page, with why: refused, disallowed, failed or not a page."""
    query = (
        select(frontier.c.url, frontier.c.status, frontier.c.error, frontier.c.attempts)
        .where(frontier.c.crawl_id == crawl_id, NOT_FETCHED)
        .order_by(frontier.c.id)
        .limit(limit)
        .offset(offset)
    )
    return (await session.execute(query)).all()
