"""Alembic environment for the notifier service's own schema."""

from pixhound_notifier.store import metadata
from pixhound_platform.migrations import run_migrations

run_migrations(metadata)
