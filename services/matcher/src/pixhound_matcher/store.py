"""The matcher's own tables: reference fingerprints, discovered images, and matches found."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from pixhound_platform.db import UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

references = Table(
    "reference_photos",
    metadata,
    Column("photo_id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("object_key", String(400), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("phash", LargeBinary(8), nullable=False),
    Column("trace_id", String(64), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

discoveries = Table(
    "discovered_images",
    metadata,
    Column("discovery_id", String(36), primary_key=True),
    Column("crawl_id", String(36), nullable=False),
    Column("image_sha256", String(64), nullable=False, index=True),
    Column("object_key", String(400), nullable=False),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("site_id", String(64), nullable=False, default=""),
    Column("site_host", String(300), nullable=False, default=""),
    Column("evidence_key", String(400), nullable=False, default=""),
    Column("page_sha256", String(64), nullable=False, default=""),
    Column("fetched_at", UtcDateTime, nullable=True),
    Column("phash", LargeBinary(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("photo_id", String(36), nullable=False),
    Column("discovery_id", String(36), nullable=False),
    Column("score", Float, nullable=False),
    Column("phash_distance", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("photo_id", "discovery_id", name="uq_matches_photo_discovery"),
)
