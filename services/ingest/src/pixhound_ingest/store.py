"""Ingest's own tables: accounts, their sessions and photos, plus the shared outbox and inbox.

A session row exists for every token issued at sign-up, sign-in or password change, so a
token can be revoked before it expires (sign-out, password change) by marking its row.

Sign-in failures are counted here per subject (`email:<address>` and `ip:<address>`), so
every replica slows down the same streak; an attempt locks its rows for a moment only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
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

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("revoked_at", UtcDateTime, nullable=True),
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
    Column("captured_at", String(300), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("owner_id", "sha256", name="uq_photos_owner_sha256"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("subject", String(400), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", UtcDateTime, nullable=True),
)


def _insert(session: AsyncSession, table: Table):
    return (postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(table)


async def lock_sign_in_counters(session: AsyncSession, subjects: Sequence[str]) -> dict[str, Row]:
    """The failure counters of these subjects, created at zero if new, locked until the transaction ends."""
    ordered = sorted(set(subjects))
    await session.execute(
        _insert(session, sign_in_failures)
        .values([{"subject": subject, "failures": 0} for subject in ordered])
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    query = (
        select(sign_in_failures)
        .where(sign_in_failures.c.subject.in_(ordered))
        .order_by(sign_in_failures.c.subject)
        .with_for_update()
    )
    return {row.subject: row for row in (await session.execute(query)).all()}


async def set_sign_in_failures(
    session: AsyncSession, subject: str, failures: int, last_failure_at: datetime | None
) -> None:
    await session.execute(
        update(sign_in_failures)
        .where(sign_in_failures.c.subject == subject)
        .values(failures=failures, last_failure_at=last_failure_at)
    )


async def forgive_sign_in_failure(session: AsyncSession, subject: str) -> None:
    """Takes back one counted attempt (it succeeded), never below zero."""
    counter = sign_in_failures.c.failures
    await session.execute(
        update(sign_in_failures).where(sign_in_failures.c.subject == subject, counter > 0).values(failures=counter - 1)
    )


async def account_by_email(session: AsyncSession, email: str):
    return (await session.execute(select(accounts).where(accounts.c.email == email))).first()


async def account_by_id(session: AsyncSession, account_id: str):
    return (await session.execute(select(accounts).where(accounts.c.id == account_id))).first()


async def update_account(session: AsyncSession, account_id: str, values: Mapping[str, object]) -> None:
    await session.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


async def open_session(session: AsyncSession, account_id: str, session_id: str) -> None:
    await session.execute(sessions.insert().values(id=session_id, account_id=account_id))


async def session_is_active(session: AsyncSession, account_id: str, session_id: str) -> bool:
    query = select(sessions.c.id).where(
        sessions.c.id == session_id, sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None)
    )
    return (await session.execute(query)).first() is not None


async def revoke_session(session: AsyncSession, account_id: str, session_id: str) -> None:
    await session.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_all_sessions(session: AsyncSession, account_id: str) -> None:
    await session.execute(
        update(sessions)
        .where(sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def photo_by_hash(session: AsyncSession, owner_id: str, sha256: str):
    return (
        await session.execute(select(photos).where(photos.c.owner_id == owner_id, photos.c.sha256 == sha256))
    ).first()


async def photo_for_owner(session: AsyncSession, owner_id: str, photo_id: str):
    return (await session.execute(select(photos).where(photos.c.owner_id == owner_id, photos.c.id == photo_id))).first()


def _owned_matching(owner_id: str, search: str):
    conditions = [photos.c.owner_id == owner_id]
    if search:
        conditions.append(
            or_(
                *(
                    column.icontains(search, autoescape=True)
                    for column in (photos.c.title, photos.c.filename, photos.c.creator)
                )
            )
        )
    return conditions


async def photos_for_owner(session: AsyncSession, owner_id: str, *, limit: int, offset: int, search: str = ""):
    query = (
        select(photos)
        .where(*_owned_matching(owner_id, search))
        .order_by(photos.c.created_at.desc(), photos.c.id)
        .limit(limit)
        .offset(offset)
    )
    return (await session.execute(query)).all()


async def count_photos_for_owner(session: AsyncSession, owner_id: str, *, search: str = "") -> int:
    query = select(func.count()).select_from(photos).where(*_owned_matching(owner_id, search))
    return (await session.execute(query)).scalar_one()


async def update_photo(session: AsyncSession, owner_id: str, photo_id: str, values: Mapping[str, object]) -> None:
    await session.execute(update(photos).where(photos.c.owner_id == owner_id, photos.c.id == photo_id).values(**values))
