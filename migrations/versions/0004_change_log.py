"""A change log that every search index follows, in place of one index's bookkeeping.

Until now each article recorded the revision the (one) index held, and
removals waited in one queue: a second index over the same database saw
neither. Now every stored and removed article is an entry in an ordered log,
and each index records how far into it it has come. What was pending moves
into the log: pending removals, then stale articles, become its first
entries, so an existing index (which has recorded no position: 0) catches up
exactly those, with no reindex.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
    )
    log = sa.table("change_log", sa.column("article_id", sa.String()), sa.column("kind", sa.String()))
    articles = sa.table(
        "articles", sa.column("id", sa.String()), sa.column("revision", sa.Integer()), sa.column("indexed_revision", sa.Integer())
    )
    removals = sa.table("index_removals", sa.column("article_id", sa.String()))
    stale = sa.or_(articles.c.indexed_revision.is_(None), articles.c.indexed_revision != articles.c.revision)
    connection = op.get_bind()
    removed = sa.select(removals.c.article_id, sa.literal("removed")).order_by(removals.c.article_id)
    connection.execute(sa.insert(log).from_select(["article_id", "kind"], removed))
    stored = sa.select(articles.c.id, sa.literal("stored")).where(stale).order_by(articles.c.id)
    connection.execute(sa.insert(log).from_select(["article_id", "kind"], stored))
    op.drop_table("index_removals")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_indexed_revision")
        batch.drop_column("indexed_revision")


def downgrade() -> None:
    # How far each index had come is not known here: every article is left to be indexed again.
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("indexed_revision", sa.Integer(), nullable=True))
        batch.create_index("ix_articles_indexed_revision", ["indexed_revision"])
    op.create_table("index_removals", sa.Column("article_id", sa.String(16), primary_key=True))
    op.execute(
        "INSERT INTO index_removals (article_id) SELECT DISTINCT article_id FROM change_log"
        " WHERE kind = 'removed' AND article_id NOT IN (SELECT id FROM articles)"
    )
    op.drop_table("change_log")
