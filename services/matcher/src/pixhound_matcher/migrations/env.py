"""Alembic environment for the matcher's own schema."""

from pixhound_matcher.store import metadata
from pixhound_platform.migrations import run_migrations

run_migrations(metadata)
