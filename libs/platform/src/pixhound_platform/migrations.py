"""Alembic glue: each service keeps its migrations in `<package>/migrations`, run async.

Migrations are a separate step (`python -m pixhound_<service> migrate`, a Kubernetes
Job in production); the embedded runner calls the same function before starting.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pixhound_platform.db import UtcDateTime


def alembic_config(package: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(package: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(package, database_url), revision)


def autogenerate_revision(package: str, message: str, revision_id: str) -> Path:
    """Write a new migration by diffing the models against a scratch database at head."""
    with tempfile.TemporaryDirectory() as scratch:
        config = alembic_config(package, f"sqlite+aiosqlite:///{scratch}/schema.db")
        command.upgrade(config, "head")
        script = command.revision(config, message=message, autogenerate=True, rev_id=revision_id)
    path = Path(script.path)
    path.write_text(re.sub(r"\n *# ### .* ###", "", path.read_text()))
    return path


def _render_item(type_: str, obj: object, _context: object) -> str | bool:
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


async def upgrade_async(package: str, database_url: str) -> None:
    await asyncio.to_thread(upgrade, package, database_url)


def run_migrations(target_metadata: MetaData) -> None:
    """Body of every service's `migrations/env.py`."""
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True, render_item=_render_item
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(run_async())
