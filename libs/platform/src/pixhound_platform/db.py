"""Database access through SQLAlchemy 2 async, on PostgreSQL (asyncpg) or SQLite (aiosqlite).

Also defines the two messaging tables every service carries in its own schema: the
outbox (events written in the same transaction as the state change they announce) and
the inbox (event ids already handled, so a redelivery has no second effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    event,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigIntId = BigInteger().with_variant(Integer, "sqlite")


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on both PostgreSQL and SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused; use UTC-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox_events",
        metadata,
        Column("id", BigIntId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("envelope", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime, nullable=False, default=utcnow),
        Column("published_at", UtcDateTime, nullable=True),
    )
    Index(
        "ix_outbox_events_unpublished",
        outbox.c.id,
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    )
    inbox = Table(
        "inbox_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("received_at", UtcDateTime, nullable=False, default=utcnow),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)


class Database:
    """An engine and a session factory, created when the service starts."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5, max_overflow: int = 5) -> None:
        self.url = url
        kwargs: dict = {"echo": echo, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs = {"echo": echo, "connect_args": {"timeout": 30}}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
            event.listen(self.engine.sync_engine, "begin", _begin_sqlite)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _tune_sqlite(dbapi_connection, _record) -> None:
    # The driver's own transaction handling starts a transaction only at the first write, so a
    # SAVEPOINT after reads opened one by itself and its RELEASE committed the step alone; here
    # SQLAlchemy begins every transaction (see _begin_sqlite), as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection) -> None:
    """Take the write lock when the transaction starts: writers wait for each other (busy_timeout)
    instead of failing with "database is locked" when two readers both try to start writing."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
