"""Articles keep the UTC offset they were published with, so dates show on the page's own clock.

Existing articles get it where their date as written names the zone (an
offset such as +03:00, or Z/UTC/GMT) and dateutil reads it as the very moment
stored; otherwise it stays NULL and the date is shown in UTC, as before,
until ``archive ingest --force`` (with the ``--tz`` first used) reads the files again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.add_column("articles", sa.Column("published_offset", sa.Integer(), nullable=True))
    articles = sa.table(
        "articles",
        sa.column("id", sa.String()),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("date_text", sa.String()),
        sa.column("published_offset", sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.published_at, articles.c.date_text).where(
            articles.c.published_at.is_not(None), articles.c.date_text.is_not(None)
        )
    ).all()
    found = [
        {"article_id": article_id, "offset": offset}
        for article_id, published_at, date_text in rows
        if (offset := written_offset(date_text, published_at)) is not None
    ]
    update = (
        sa.update(articles)
        .where(articles.c.id == sa.bindparam("article_id"))
        .values(published_offset=sa.bindparam("offset"))
    )
    for start in range(0, len(found), _BATCH):
        connection.execute(update, found[start : start + _BATCH])


def written_offset(text: str, published_at: datetime) -> int | None:
    """The UTC offset in minutes that ``text`` names, if dateutil reads it as ``published_at``."""
    from dateutil import parser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning: a zone name it does not know
            written = parser.parse(text)
        if written.tzinfo is None:
            return None
        delta = written.utcoffset()
        moment = written.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    stored = published_at.replace(tzinfo=UTC) if published_at.tzinfo is None else published_at.astimezone(UTC)
    if delta is None or moment.replace(microsecond=0) != stored.replace(microsecond=0):
        return None  # another reading than the one stored (e.g. "GMT+3" read POSIX-style)
    return round(delta.total_seconds() / 60)


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("published_offset")
