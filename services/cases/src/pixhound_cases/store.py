"""The cases service's own tables: matches under review, cases and their transitions."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table, Text, UniqueConstraint

from pixhound_platform.db import UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

matches = Table(
    "matches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("photo_id", String(36), nullable=False),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("site_host", String(300), nullable=False, default=""),
    Column("score", Float, nullable=False),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("first_seen_at", UtcDateTime, nullable=False, default=utcnow),
    Column("last_seen_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("photo_id", "page_url", name="uq_matches_photo_page"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("match_id", String(36), nullable=False, unique=True),
    Column("photo_id", String(36), nullable=False),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("state", String(40), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("updated_at", UtcDateTime, nullable=False, default=utcnow),
)

transitions = Table(
    "case_transitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("from_state", String(40), nullable=True),
    Column("to_state", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("at", UtcDateTime, nullable=False, default=utcnow),
)
