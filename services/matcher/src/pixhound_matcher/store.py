"""The matcher's own tables: fingerprints of reference photos and discovered images, matches, index snapshots."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Integer, LargeBinary, String, Table, Text, UniqueConstraint

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
    Column("phash", LargeBinary(8), nullable=True),
    Column("pdq", LargeBinary(32), nullable=True),
    Column("pdq_quality", Integer, nullable=False, server_default="0"),
    Column("local_features", LargeBinary, nullable=True),
    Column("clip", LargeBinary, nullable=True),
    Column("width", Integer, nullable=False, server_default="0"),
    Column("height", Integer, nullable=False, server_default="0"),
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
    Column("phash", LargeBinary(8), nullable=True),
    Column("pdq", LargeBinary(32), nullable=True),
    Column("pdq_quality", Integer, nullable=False, server_default="0"),
    Column("local_features", LargeBinary, nullable=True),
    Column("clip", LargeBinary, nullable=True),
    Column("width", Integer, nullable=False, server_default="0"),
    Column("height", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow, index=True),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("photo_id", String(36), nullable=False),
    Column("discovery_id", String(36), nullable=False),
    Column("score", Float, nullable=False),
    Column("phash_distance", Integer, nullable=True),
    Column("evidence", JSON, nullable=True),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("photo_id", "discovery_id", name="uq_matches_photo_discovery"),
)

snapshots = Table(
    "index_snapshots",
    metadata,
    Column("collection", String(40), primary_key=True),
    Column("object_key", String(400), nullable=False),
    Column("items", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)
