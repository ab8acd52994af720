"""Alembic environment for ingest's own schema."""

from pixhound_ingest.store import metadata
from pixhound_platform.migrations import run_migrations

run_migrations(metadata)
