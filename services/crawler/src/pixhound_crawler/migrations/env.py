"""Alembic environment for the crawler service's own schema."""

from pixhound_platform.migrations import run_migrations

from pixhound_crawler.store import metadata

run_migrations(metadata)
