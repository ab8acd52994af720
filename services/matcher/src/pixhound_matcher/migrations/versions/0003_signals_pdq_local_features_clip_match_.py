"""signals pdq local features clip, match evidence, index snapshots

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:39:21.564019
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
        "index_snapshots",
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("object_key", sa.String(length=400), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("collection", name=op.f("pk_index_snapshots")),
    )
    with op.batch_alter_table("discovered_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdq", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("pdq_quality", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("local_features", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("clip", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("height", sa.Integer(), server_default="0", nullable=False))
        batch_op.alter_column("phash", existing_type=sa.LargeBinary(length=8), nullable=True)
        batch_op.create_index(batch_op.f("ix_discovered_images_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))
        batch_op.alter_column("phash_distance", existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table("reference_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdq", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("pdq_quality", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("local_features", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("clip", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("height", sa.Integer(), server_default="0", nullable=False))
        batch_op.alter_column("phash", existing_type=sa.LargeBinary(length=8), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("reference_photos", schema=None) as batch_op:
        batch_op.alter_column("phash", existing_type=sa.LargeBinary(length=8), nullable=False)
        batch_op.drop_column("height")
        batch_op.drop_column("width")
        batch_op.drop_column("clip")
        batch_op.drop_column("local_features")
        batch_op.drop_column("pdq_quality")
        batch_op.drop_column("pdq")

    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.alter_column("phash_distance", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("evidence")

    with op.batch_alter_table("discovered_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discovered_images_created_at"))
        batch_op.alter_column("phash", existing_type=sa.LargeBinary(length=8), nullable=False)
        batch_op.drop_column("height")
        batch_op.drop_column("width")
        batch_op.drop_column("clip")
        batch_op.drop_column("local_features")
        batch_op.drop_column("pdq_quality")
        batch_op.drop_column("pdq")

    op.drop_table("index_snapshots")
