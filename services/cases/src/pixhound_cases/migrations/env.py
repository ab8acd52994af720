"""Alembic environment for the cases service's own schema."""

from pixhound_cases.store import metadata
from pixhound_platform.migrations import run_migrations

run_migrations(metadata)
