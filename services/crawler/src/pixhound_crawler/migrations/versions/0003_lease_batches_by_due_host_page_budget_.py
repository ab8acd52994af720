"""lease batches by due host, page budget counter, occurrence lookup by url

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:46:40.782892
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_queued", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.create_index(
            "ix_frontier_host_open",
            ["host", "id"],
            unique=False,
            postgresql_where=sa.text("status IN ('pending', 'leased')"),
            sqlite_where=sa.text("status IN ('pending', 'leased')"),
        )
        batch_op.create_index(
            "ix_frontier_crawl_open",
            ["crawl_id"],
            unique=False,
            postgresql_where=sa.text("status IN ('pending', 'leased')"),
            sqlite_where=sa.text("status IN ('pending', 'leased')"),
        )

    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("has_work", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index(
            "ix_hosts_due",
            ["next_fetch_at"],
            unique=False,
            postgresql_where=sa.text("has_work = true"),
            sqlite_where=sa.text("has_work = 1"),
        )

    with op.batch_alter_table("image_occurrences", schema=None) as batch_op:
        batch_op.create_index("ix_image_occurrences_image_url", ["image_url"], unique=False, postgresql_using="hash")

    op.execute("UPDATE crawls SET pages_queued = (SELECT count(*) FROM frontier WHERE frontier.crawl_id = crawls.id)")


def downgrade() -> None:
    with op.batch_alter_table("image_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_image_occurrences_image_url", postgresql_using="hash")

    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_hosts_due", postgresql_where=sa.text("has_work = true"), sqlite_where=sa.text("has_work = 1")
        )
        batch_op.drop_column("has_work")

    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.drop_index("ix_frontier_crawl_open")
        batch_op.drop_index(
            "ix_frontier_host_open",
            postgresql_where=sa.text("status IN ('pending', 'leased')"),
            sqlite_where=sa.text("status IN ('pending', 'leased')"),
        )

    with op.batch_alter_table("crawls", schema=None) as batch_op:
        batch_op.drop_column("pages_queued")
