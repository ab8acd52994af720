"""revocable sessions, longer captured_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 02:04:39.691399
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
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_sessions_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.alter_column(
            "captured_at", existing_type=sa.VARCHAR(length=40), type_=sa.String(length=300), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("UPDATE photos SET captured_at = substr(captured_at, 1, 40) WHERE length(captured_at) > 40")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.alter_column(
            "captured_at", existing_type=sa.String(length=300), type_=sa.VARCHAR(length=40), existing_nullable=False
        )

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_account_id"))

    op.drop_table("sessions")
