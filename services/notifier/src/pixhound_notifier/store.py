"""The notifier's own tables: who to write to, in-app notifications, and email deliveries."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from pixhound_platform.db import UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

recipients = Table(
    "recipients",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("display_name", String(200), nullable=False, default=""),
    Column("locale", String(10), nullable=False, default="fr"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("kind", String(50), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("link", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("read_at", UtcDateTime, nullable=True),
)

email_deliveries = Table(
    "email_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("notification_id", String(36), nullable=False, unique=True),
    Column("recipient", String(320), nullable=False),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("next_attempt_at", UtcDateTime, nullable=False, default=utcnow),
    Column("trace_id", String(64), nullable=False, default=""),
    Column("sent_at", UtcDateTime, nullable=True),
)
