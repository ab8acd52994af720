"""Ingest's own tables: accounts and photos, plus the shared outbox and inbox."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.db import UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("locale", String(10), nullable=False, default="fr"),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

photos = Table(
    "photos",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("object_key", String(400), nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("byte_size", BigInteger, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("filename", String(300), nullable=False, default=""),
    Column("title", String(300), nullable=False, default=""),
    Column("creator", Text, nullable=False, default=""),
    Column("copyright", Text, nullable=False, default=""),
    Column("credit", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("captured_at", String(40), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("owner_id", "sha256", name="uq_photos_owner_sha256"),
)


async def account_by_email(session: AsyncSession, email: str):
    return (await session.execute(select(accounts).where(accounts.c.email == email))).first()


async def photo_by_hash(session: AsyncSession, owner_id: str, sha256: str):
    return (
        await session.execute(select(photos).where(photos.c.owner_id == owner_id, photos.c.sha256 == sha256))
    ).first()


async def photo_for_owner(session: AsyncSession, owner_id: str, photo_id: str):
    return (await session.execute(select(photos).where(photos.c.owner_id == owner_id, photos.c.id == photo_id))).first()


async def photos_for_owner(session: AsyncSession, owner_id: str, *, limit: int, offset: int):
    query = (
        select(photos)
        .where(photos.c.owner_id == owner_id)
        .order_by(photos.c.created_at.desc(), photos.c.id)
        .limit(limit)
        .offset(offset)
    )
    return (await session.execute(query)).all()
