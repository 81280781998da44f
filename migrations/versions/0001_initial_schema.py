"""The whole schema: articles, the files and items they came from, pending index removals.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_text", sa.String(200), nullable=True),
        sa.Column("date_precision", sa.String(10), nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("source_domain", sa.String(255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("sketch", sa.LargeBinary(), nullable=True),
        sa.Column(
            "duplicate_of", sa.String(16), sa.ForeignKey("articles.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("indexed_revision", sa.Integer(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("content_hash"),
    )
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_index("ix_articles_source", "articles", ["source"])
    op.create_index("ix_articles_url_key", "articles", ["url_key"])
    op.create_index("ix_articles_indexed_revision", "articles", ["indexed_revision"])
    op.create_index("ix_articles_duplicate_of", "articles", ["duplicate_of"])
    op.create_table(
        "files",
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "article_files",
        sa.Column("path", sa.Text(), sa.ForeignKey("files.path", ondelete="CASCADE"), primary_key=True),
        sa.Column("item", sa.Text(), primary_key=True),
        sa.Column("article_id", sa.String(16), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_article_files_article_id", "article_files", ["article_id"])
    op.create_table(
        "index_removals",
        sa.Column("article_id", sa.String(16), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("index_removals")
    op.drop_index("ix_article_files_article_id", table_name="article_files")
    op.drop_table("article_files")
    op.drop_table("files")
    op.drop_index("ix_articles_duplicate_of", table_name="articles")
    op.drop_index("ix_articles_indexed_revision", table_name="articles")
    op.drop_index("ix_articles_url_key", table_name="articles")
    op.drop_index("ix_articles_source", table_name="articles")
    op.drop_index("ix_articles_published_at", table_name="articles")
    op.drop_table("articles")
