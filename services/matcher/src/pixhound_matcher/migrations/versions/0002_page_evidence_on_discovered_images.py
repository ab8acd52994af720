"""page evidence on discovered images

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:22:58.090716
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("discovered_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_sha256", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discovered_images", schema=None) as batch_op:
        batch_op.drop_column("fetched_at")
        batch_op.drop_column("page_sha256")
