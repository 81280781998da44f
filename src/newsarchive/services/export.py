"""`archive export`: every matching record, complete and uncapped, streamed out.

JSON Lines uses news-please's field names (title, description, maintext,
date_publish, authors, url, source_domain, language) plus what a round trip
through `archive ingest` needs to give the same article back (body blocks,
date_text, date_precision, date_local, source). CSV has one flat row per article;
Markdown one section per article.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from newsarchive.config import ArchiveConfig
from newsarchive.engines.whoosh.damage import reads_index
from newsarchive.errors import DamagedRecord
from newsarchive.periods import iso_local
from newsarchive.services.articles import ArticleRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EXPORT_FORMATS = ("jsonl", "csv", "md")
CSV_FIELDS = (
    "id", "title", "description", "maintext", "date_publish", "date_text", "date_precision",
    "source", "source_domain", "url", "authors", "language", "files",
)  # fmt: skip


def export_records(
    config: ArchiveConfig, query: str | None = None, on_damaged: Callable[[DamagedRecord], None] | None = None
) -> Iterator[ArticleRecord]:
    """Every article (or every one matching ``query``), oldest first, read in chunks so memory stays flat.

    An article with a value that cannot be read goes to ``on_damaged`` and
    the export carries on without it (without ``on_damaged`` it is raised).
    """
    from newsarchive.services.indexing import iter_articles
    from newsarchive.storage.database import open_database

    matching = set(_matching_ids(config, query)) if query else None
    db = open_database(config)
    try:
        with db.sessions() as session:
            ids = [i for i in _export_order(session, on_damaged) if matching is None or i in matching]
        for article in iter_articles(db.sessions, ids, on_damaged=on_damaged):
            yield ArticleRecord.from_model(article)
    finally:
        db.close()


def _export_order(session: Session, on_damaged: Callable[[DamagedRecord], None] | None) -> list[str]:
    """The ids of every article, oldest first; by id when a damaged database file cannot give that order.

    An export is how the readable articles of a damaged database are saved,
    so it reads what it can: the date's index may be the damaged part.
    """
    from sqlalchemy import select

    from newsarchive.storage.database import DAMAGE_ERRORS, is_damage, readable_keys
    from newsarchive.storage.models import Article

    order = (Article.published_at.is_(None), Article.published_at, Article.id)
    try:
        return readable_keys(session, select(Article.id).order_by(*order), on_damaged)
    except DAMAGE_ERRORS as exc:
        if not is_damage(exc):
            raise
    session.rollback()
    return readable_keys(session, select(Article.id).order_by(Article.id), on_damaged)


@reads_index
def _matching_ids(config: ArchiveConfig, query: str) -> list[str]:
    from newsarchive.engines.whoosh.reader import matching_ids
    from newsarchive.services.freshness import catch_up_before_reading

    catch_up_before_reading(config)
    return matching_ids(config.index_dir, query)


def record_dict(record: ArticleRecord) -> dict[str, Any]:
    """One article with news-please's field names, as JSON Lines carries it."""
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "maintext": "\n".join(block["text"] for block in record.blocks),
        "body": record.blocks,
        "date_publish": record.published_at.isoformat() if record.published_at else None,
        "date_local": iso_local(record.published_at, record.date_precision, record.published_offset, zone=None),
        "date_text": record.date_text,
        "date_precision": record.date_precision,
        "source": record.source,
        "source_domain": record.source_domain,
        "url": record.url,
        "authors": record.authors,
        "language": record.language,
        "files": record.files,
    }


def render_records(records: Iterator[ArticleRecord], fmt: str) -> Iterator[str]:
    """The export as text, piece by piece."""
    if fmt == "jsonl":
        for record in records:
            yield json.dumps(record_dict(record), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        yield from _csv(records)
    elif fmt == "md":
        for record in records:
            yield _markdown(record)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def _csv(records: Iterator[ArticleRecord]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        row = record_dict(record)
        row["authors"] = "; ".join(record.authors)
        row["files"] = "; ".join(record.files)
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _markdown(record: ArticleRecord) -> str:
    lines = [f"# {record.title}", ""]
    date = record.published_at.isoformat() if record.published_at else "undated"
    lines.append(f"- id: {record.id}")
    lines.append(f"- published: {date}" + (f" ({record.date_text})" if record.date_text else ""))
    for name, value in (("source", record.source), ("url", record.url), ("authors", ", ".join(record.authors))):
        if value:
            lines.append(f"- {name}: {value}")
    if record.description:
        lines += ["", f"**{record.description}**"]
    for block in record.blocks:
        lines += ["", f"## {block['text']}" if block["kind"] == "heading" else block["text"]]
    return "\n".join(lines) + "\n\n"
