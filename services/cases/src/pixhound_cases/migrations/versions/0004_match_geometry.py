"""match geometry: the region of the original, the region in the copy, inliers and transforms

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:12:44.503118
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matches") as batch:
        batch.add_column(sa.Column("region", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("copy_region", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("inliers", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transforms", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("transforms")
        batch.drop_column("inliers")
        batch.drop_column("copy_region")
        batch.drop_column("region")
