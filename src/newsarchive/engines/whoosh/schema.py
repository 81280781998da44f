"""The Whoosh schema and the analyzer shared by indexing and querying."""

from __future__ import annotations

from datetime import UTC

from whoosh import columns, fields
from whoosh.analysis import IDTokenizer, LowercaseFilter

from newsarchive.engines.protocol import Document
from newsarchive.engines.whoosh.analysis import StemmedText, analyzer
from newsarchive.periods import on_clock
from newsarchive.query.tree import WORD_FIELDS

# Bump when the fields below change: an index with another version is rebuilt.
SCHEMA_VERSION = 8

#: Fields that words without a field name are looked for in (the query language's word fields).
SEARCH_FIELDS = WORD_FIELDS
TITLE_BOOST = 2.0


def build_schema() -> fields.Schema:
    # English stemming so that "elections" finds "election".
    text = analyzer()
    exact_any_case = IDTokenizer() | LowercaseFilter()
    return fields.Schema(
        # id and revision are columns too, so `archive check` reads them for
        # every document without loading the stored text.
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=StemmedText(text, stored=True, field_boost=TITLE_BOOST),
        description=StemmedText(text, stored=True),
        body=StemmedText(text, stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
        # 1 for dated articles, 0 for undated: sorted on first so that
        # undated articles come last whichever way dates are sorted.
        dated=fields.NUMERIC(bits=8, sortable=True),
        precision=fields.STORED(),
        offset=fields.STORED(),
        # A date without a time is counted on the day written (as a date
        # ordinal; 0 for the others), whichever zone `trend --tz` counts in.
        written_day=fields.COLUMN(columns.NumericColumn("i", default=0)),
        # Facets count on these columns ("2024", "2024-11"), on the page's own clock.
        year=fields.ID(sortable=True),
        month=fields.ID(sortable=True),
        source=fields.ID(stored=True, sortable=True, analyzer=exact_any_case),
        author=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        lang=fields.ID(stored=True, sortable=True, analyzer=exact_any_case),
        # Collapse key: an article and its near-duplicates share one group.
        group=fields.ID(stored=True, sortable=True),
        # Only read as a column (by `archive check`): indexing it would add eight terms per document.
        revision=fields.COLUMN(columns.NumericColumn("I")),
    )


def to_fields(doc: Document) -> dict[str, object]:
    values: dict[str, object] = {
        "id": doc.id,
        "title": doc.title,
        "description": doc.description,
        "body": doc.body,
        "dated": 1 if doc.published is not None else 0,
        "precision": doc.precision,
        "group": doc.duplicate_of or doc.id,
        "revision": doc.revision,
    }
    if doc.published is not None:
        values["published"] = doc.published
        local = on_clock(doc.published.replace(tzinfo=UTC), doc.offset)
        values["year"] = f"{local:%Y}"
        values["month"] = f"{local:%Y-%m}"
        if doc.offset is not None:
            values["offset"] = doc.offset
        if doc.precision == "day":
            values["written_day"] = local.toordinal()
    if doc.source:
        values["source"] = doc.source
    if doc.authors:
        values["author"] = ",".join(name.replace(",", " ") for name in doc.authors)
    if doc.language:
        values["lang"] = doc.language
    return values
