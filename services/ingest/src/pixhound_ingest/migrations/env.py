"""Alembic environment for ingest's own schema."""

from pixhound_platform.migrations import run_migrations

from pixhound_ingest.store import metadata

run_migrations(metadata)
