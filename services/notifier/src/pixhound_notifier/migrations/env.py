"""Alembic environment for the notifier service's own schema."""

from pixhound_platform.migrations import run_migrations

from pixhound_notifier.store import metadata

run_migrations(metadata)
