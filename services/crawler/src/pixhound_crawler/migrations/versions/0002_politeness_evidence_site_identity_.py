"""politeness, evidence, site identity, watched pages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:39:27.599729
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
        "hosts",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("robots_status", sa.Integer(), nullable=True),
        sa.Column("robots_txt", sa.Text(), nullable=True),
        sa.Column("robots_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("crawl_delay", sa.Float(), nullable=True),
        sa.Column("next_fetch_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consecutive_errors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_hosts")),
    )
    op.create_table(
        "sites",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("identity", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("commercial", sa.Boolean(), nullable=True),
        sa.Column("actionability", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_sites")),
    )
    op.create_table(
        "watched_pages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.String(length=300), nullable=False),
        sa.Column("last_modified", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watched_pages")),
        sa.UniqueConstraint("page_url", "image_url", name="uq_watched_pages_page_image"),
    )
    with op.batch_alter_table("crawls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("use_sitemaps", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_frontier_host"), ["host"], unique=False)
        batch_op.create_index(batch_op.f("ix_frontier_status"), ["status"], unique=False)

    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archive_sha256", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("site_host", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("etag", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("last_modified", sa.String(length=100), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_pages_site_host"), ["site_host"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_site_host"))
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")
        batch_op.drop_column("site_host")
        batch_op.drop_column("archive_sha256")

    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frontier_status"))
        batch_op.drop_index(batch_op.f("ix_frontier_host"))
        batch_op.drop_column("not_before")
        batch_op.drop_column("attempts")
        batch_op.drop_column("host")

    with op.batch_alter_table("crawls", schema=None) as batch_op:
        batch_op.drop_column("use_sitemaps")

    op.drop_table("watched_pages")
    op.drop_table("sites")
    op.drop_table("hosts")
