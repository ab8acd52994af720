"""Alembic environment for the matcher's own schema."""

from pixhound_platform.migrations import run_migrations

from pixhound_matcher.store import metadata

run_migrations(metadata)
