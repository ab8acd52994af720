"""Alembic environment for the cases service's own schema."""

from pixhound_platform.migrations import run_migrations

from pixhound_cases.store import metadata

run_migrations(metadata)
