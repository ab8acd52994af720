"""notification preferences and daily digests

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 02:06:36.610801
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("digest_date", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("account_id", "digest_date", name="uq_digests_account_day"),
    )
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_digests_pending",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "notification_preferences",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("digest_hour_utc", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notification_preferences")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=10), server_default="instant", nullable=False))
        batch_op.add_column(sa.Column("digest_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            "ix_notifications_awaiting_digest",
            ["account_id", "created_at"],
            unique=False,
            sqlite_where=sa.text("channel = 'digest' AND digest_id IS NULL AND read_at IS NULL"),
            postgresql_where=sa.text("channel = 'digest' AND digest_id IS NULL AND read_at IS NULL"),
        )
        batch_op.create_index(
            "ix_notifications_unread",
            ["account_id"],
            unique=False,
            sqlite_where=sa.text("read_at IS NULL"),
            postgresql_where=sa.text("read_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_notifications_unread",
            sqlite_where=sa.text("read_at IS NULL"),
            postgresql_where=sa.text("read_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_notifications_awaiting_digest",
            sqlite_where=sa.text("channel = 'digest' AND digest_id IS NULL AND read_at IS NULL"),
            postgresql_where=sa.text("channel = 'digest' AND digest_id IS NULL AND read_at IS NULL"),
        )
        batch_op.drop_column("digest_id")
        batch_op.drop_column("channel")

    op.drop_table("notification_preferences")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_digests_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.drop_table("digests")
