"""Alembic environment for the crawler service's own schema."""

from pixhound_crawler.store import metadata
from pixhound_platform.migrations import run_migrations

run_migrations(metadata)
