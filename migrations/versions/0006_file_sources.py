"""Files known by a named source folder and their path relative to it (``archive ingest --source NAME FOLDER``).

A team shares one folder mounted at different places on different machines:
recorded relative to it, under its name, its files are one set of files.
``files`` and ``article_files`` get a ``root`` column (the name; "" for a file
known by its absolute path, as every file was before) in their keys.
The tables are made anew and their rows copied, which SQLite needs to change a key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FILE_COLUMNS = "path, format, size, mtime_ns, items, source, seen_at"


def _files(name: str, *, rooted: bool) -> None:
    op.create_table(
        name,
        sa.Column("path", sa.Text(), primary_key=True),
        *([sa.Column("root", sa.Text(), primary_key=True, server_default="")] if rooted else []),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def _links(name: str, files: str, *, rooted: bool) -> None:
    key = ["path", "root"] if rooted else ["path"]
    op.create_table(
        name,
        sa.Column("path", sa.Text(), primary_key=True),
        *([sa.Column("root", sa.Text(), primary_key=True, server_default="")] if rooted else []),
        sa.Column("item", sa.Text(), primary_key=True),
        sa.Column("article_id", sa.String(16), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.ForeignKeyConstraint(key, [f"{files}.{column}" for column in key], ondelete="CASCADE"),
    )


def _replace(*, rooted: bool) -> None:
    root = "'', " if rooted else ""
    where = "" if rooted else " WHERE root = ''"  # (going back, only the files known by their absolute paths)
    _files("files_new", rooted=rooted)
    op.execute(f"INSERT INTO files_new ({'root, ' if rooted else ''}{FILE_COLUMNS}) SELECT {root}{FILE_COLUMNS} FROM files{where}")
    _links("article_files_new", "files_new", rooted=rooted)
    op.execute(
        f"INSERT INTO article_files_new ({'root, ' if rooted else ''}path, item, article_id) "
        f"SELECT {root}path, item, article_id FROM article_files{where}"
    )
    op.drop_index("ix_article_files_article_id", table_name="article_files")
    op.drop_table("article_files")
    op.drop_table("files")
    op.rename_table("files_new", "files")
    op.rename_table("article_files_new", "article_files")
    op.create_index("ix_article_files_article_id", "article_files", ["article_id"])


def upgrade() -> None:
    _replace(rooted=True)


def downgrade() -> None:
    _replace(rooted=False)
