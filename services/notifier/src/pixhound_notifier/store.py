"""The notifier's own tables and queries: who to write to, what they chose, notifications, emails and digests.

A daily digest is one `digests` row per account and day (unique), written in the same
transaction that marks the notifications it lists; that pair is what makes a digest happen
once even when several replicas run the digest task at the same time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_platform.db import UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

recipients = Table(
    "recipients",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("display_name", String(200), nullable=False, default=""),
    Column("locale", String(10), nullable=False, default="fr"),
)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("channels", JSON, nullable=False, default=dict),
    Column("digest_hour_utc", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False, default=utcnow),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("kind", String(50), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("link", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("read_at", UtcDateTime, nullable=True),
    Column("channel", String(10), nullable=False, default="instant", server_default="instant"),
    Column("digest_id", String(36), nullable=True),
)
UNREAD = "read_at IS NULL"
AWAITING_DIGEST = "channel = 'digest' AND digest_id IS NULL AND read_at IS NULL"
Index(
    "ix_notifications_unread",
    notifications.c.account_id,
    sqlite_where=text(UNREAD),
    postgresql_where=text(UNREAD),
)
Index(
    "ix_notifications_awaiting_digest",
    notifications.c.account_id,
    notifications.c.created_at,
    sqlite_where=text(AWAITING_DIGEST),
    postgresql_where=text(AWAITING_DIGEST),
)

email_deliveries = Table(
    "email_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("notification_id", String(36), nullable=False, unique=True),
    Column("recipient", String(320), nullable=False),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("next_attempt_at", UtcDateTime, nullable=False, default=utcnow),
    Column("trace_id", String(64), nullable=False, default=""),
    Column("sent_at", UtcDateTime, nullable=True),
)

digests = Table(
    "digests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("digest_date", Date, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("message_id", String(255), nullable=False),
    Column("item_count", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("next_attempt_at", UtcDateTime, nullable=False, default=utcnow),
    Column("sent_at", UtcDateTime, nullable=True),
    UniqueConstraint("account_id", "digest_date", name="uq_digests_account_day"),
)
Index(
    "ix_digests_pending",
    digests.c.next_attempt_at,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)


def _insert(session: AsyncSession, table: Table):
    return (postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(table)


async def preferences_of(session: AsyncSession, account_id: str) -> Row | None:
    p = notification_preferences
    return (await session.execute(select(p).where(p.c.account_id == account_id))).first()


async def chosen_channels(session: AsyncSession, account_id: str) -> dict[str, str]:
    row = await preferences_of(session, account_id)
    return dict(row.channels) if row is not None else {}


async def save_preferences(
    session: AsyncSession, account_id: str, channels: dict[str, str], digest_hour_utc: int | None
) -> None:
    values = {"channels": channels, "digest_hour_utc": digest_hour_utc, "updated_at": utcnow()}
    statement = _insert(session, notification_preferences).values(account_id=account_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["account_id"], set_=values))


async def unread_count(session: AsyncSession, account_id: str) -> int:
    n = notifications
    query = select(func.count()).select_from(n).where(n.c.account_id == account_id, n.c.read_at.is_(None))
    return (await session.execute(query)).scalar_one()


async def mark_all_read(session: AsyncSession, account_id: str) -> None:
    n = notifications
    await session.execute(update(n).where(n.c.account_id == account_id, n.c.read_at.is_(None)).values(read_at=utcnow()))


async def digest_candidates(session: AsyncSession) -> list[Row]:
    """Accounts with an email address and notifications awaiting a digest, with the oldest one's time."""
    n, r, p = notifications, recipients, notification_preferences
    query = (
        select(
            n.c.account_id,
            r.c.email,
            r.c.display_name,
            r.c.locale,
            p.c.digest_hour_utc,
            func.min(n.c.created_at).label("oldest"),
        )
        .join(r, r.c.account_id == n.c.account_id)
        .outerjoin(p, p.c.account_id == n.c.account_id)
        .where(n.c.channel == "digest", n.c.digest_id.is_(None), n.c.read_at.is_(None))
        .group_by(n.c.account_id, r.c.email, r.c.display_name, r.c.locale, p.c.digest_hour_utc)
    )
    return list((await session.execute(query)).all())


async def claim_digest_day(
    session: AsyncSession, *, digest_id: str, account_id: str, day: date, recipient: str, message_id: str
) -> bool:
    """Reserve the account's digest for `day`; False if it already has one (or another replica holds it)."""
    statement = (
        _insert(session, digests)
        .values(
            id=digest_id,
            account_id=account_id,
            digest_date=day,
            recipient=recipient,
            message_id=message_id,
            subject="",
            body="",
            item_count=0,
            status="pending",
            attempts=0,
            last_error="",
            created_at=utcnow(),
            next_attempt_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["account_id", "digest_date"])
    )
    return (await session.execute(statement)).rowcount == 1


async def take_digest_items(session: AsyncSession, *, account_id: str, digest_id: str, before: datetime) -> list[Row]:
    """Mark the account's notifications awaiting a digest (created before `before`) as in `digest_id`."""
    n = notifications
    statement = (
        update(n)
        .where(
            n.c.account_id == account_id,
            n.c.channel == "digest",
            n.c.digest_id.is_(None),
            n.c.read_at.is_(None),
            n.c.created_at < before,
        )
        .values(digest_id=digest_id)
        .returning(n.c.id, n.c.title, n.c.link, n.c.created_at)
    )
    rows = (await session.execute(statement)).all()
    return sorted(rows, key=lambda row: (row.created_at, row.id))


async def fill_digest(session: AsyncSession, digest_id: str, *, subject: str, body: str, item_count: int) -> None:
    await session.execute(
        update(digests).where(digests.c.id == digest_id).values(subject=subject, body=body, item_count=item_count)
    )


async def next_pending_digest(session: AsyncSession, *, lock: bool) -> Row | None:
    query = (
        select(digests)
        .where(digests.c.status == "pending", digests.c.next_attempt_at <= utcnow())
        .order_by(digests.c.next_attempt_at)
        .limit(1)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).first()


async def record_digest_attempt(session: AsyncSession, digest_id: str, **values) -> None:
    await session.execute(update(digests).where(digests.c.id == digest_id).values(**values))
