"""The Whoosh schema and the analyzer shared by indexing and querying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whoosh import fields
from whoosh.analysis import StemmingAnalyzer

# Bump when the fields below change: an index with another version is rebuilt.
SCHEMA_VERSION = 1

#: Fields a query may name (``title:kursk``); the others are internal.
SEARCH_FIELDS = ("title", "description", "body")
TITLE_BOOST = 2.0


@dataclass(frozen=True)
class IndexDocument:
    """What the index holds of one article. ``published`` is naive UTC or None."""

    id: str
    title: str
    description: str
    body: str
    published: datetime | None
    precision: str | None
    source: str | None
    revision: int


def build_schema() -> fields.Schema:
    # English stemming so that "elections" finds "election"; one analyzer
    # instance keeps one stem cache for all three text fields.
    analyzer = StemmingAnalyzer(cachesize=100_000)
    return fields.Schema(
        # id and revision are columns too, so `archive check` reads them for
        # every document without loading the stored text.
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(stored=True, analyzer=analyzer, field_boost=TITLE_BOOST),
        description=fields.TEXT(stored=True, analyzer=analyzer),
        body=fields.TEXT(stored=True, analyzer=analyzer),
        published=fields.DATETIME(stored=True, sortable=True),
        # 1 for dated articles, 0 for undated: sorted on first so that
        # undated articles come last whichever way dates are sorted.
        dated=fields.NUMERIC(bits=8, sortable=True),
        precision=fields.STORED(),
        source=fields.ID(stored=True),
        revision=fields.NUMERIC(bits=32, stored=True, sortable=True),
    )


def to_fields(doc: IndexDocument) -> dict[str, object]:
    values: dict[str, object] = {
        "id": doc.id,
        "title": doc.title,
        "description": doc.description,
        "body": doc.body,
        "dated": 1 if doc.published is not None else 0,
        "precision": doc.precision,
        "revision": doc.revision,
    }
    if doc.published is not None:
        values["published"] = doc.published
    if doc.source:
        values["source"] = doc.source
    return values
