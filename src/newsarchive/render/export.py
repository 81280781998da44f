"""The formats of `archive export`: JSON Lines, CSV and Markdown, streamed piece by piece.

JSON Lines uses news-please's field names (title, description, maintext,
date_publish, authors, url, source_domain, language) plus what a round trip
through `archive ingest` needs to give the same article back (body blocks,
date_text, date_precision, date_local, source). CSV has one flat row per article;
Markdown one section per article.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newsarchive.periods import iso_local
from newsarchive.reading.draft import join_blocks

if TYPE_CHECKING:
    from newsarchive.services.articles import ArticleRecord

EXPORT_FORMATS = ("jsonl", "csv", "md")
CSV_FIELDS = (
    "id", "title", "description", "maintext", "date_publish", "date_text", "date_precision",
    "source", "source_domain", "url", "authors", "language", "files",
)  # fmt: skip


def record_dict(record: ArticleRecord) -> dict[str, Any]:
    """One article with news-please's field names, as JSON Lines carries it."""
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "maintext": join_blocks(block["text"] for block in record.blocks),
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
    import csv
    import io

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
    fields = (("source", record.source), ("url", record.url), ("authors", ", ".join(record.authors)), ("language", record.language))
    for name, value in fields:
        if value:
            lines.append(f"- {name}: {value}")
    if record.description:
        lines += ["", f"**{record.description}**"]
    for block in record.blocks:
        lines += ["", f"## {block['text']}" if block["kind"] == "heading" else block["text"]]
    return "\n".join(lines) + "\n\n"
