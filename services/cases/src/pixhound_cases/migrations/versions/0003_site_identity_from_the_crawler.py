"""site identity from the crawler

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:41:30.114177
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("commercial", sa.Boolean(), nullable=True),
        sa.Column("actionability", sa.Float(), nullable=True),
        sa.Column("identity", sa.JSON(), nullable=False),
        sa.Column("identified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_sites")),
    )


def downgrade() -> None:
    op.drop_table("sites")
